// Golden-file comparison (libvirt's tests/qemuxml2argvdata idea): generated text
// is compared with a reviewed file under tests/data. Run a test with
// PLATBENCH_REGENERATE_GOLDEN=1 to rewrite the files instead, then review the diff.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace test {

inline std::string read_text_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

// The expected text of `name` (relative to tests/data), or the regenerated one.
inline std::string golden(const std::string& name, const std::string& actual) {
    const std::filesystem::path path = std::filesystem::path(PLATBENCH_TEST_DATA_DIR) / name;
    const char* regenerate = std::getenv("PLATBENCH_REGENERATE_GOLDEN");
    if (regenerate != nullptr && std::string(regenerate) == "1") {
        std::filesystem::create_directories(path.parent_path());
        std::ofstream(path, std::ios::binary) << actual;
        return actual;
    }
    return read_text_file(path);
}

}  // namespace test
