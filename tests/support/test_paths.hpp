// Where a test finds the sources, its data, the executables and the plugins it
// drives: read at run time from <build>/tests/test-paths.txt, which CMake writes,
// found from the test executable's own place (<build>/bin). No absolute path is
// compiled into a test, so a test's object file is the same in every clone of the
// sources, and ccache reuses it across clones.
//
// Every test target includes this header first (tests/CMakeLists.txt), so the
// names below read like the constants they were: PLATBENCH_CLI is a std::string.
#pragma once

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <stdexcept>
#include <string>

namespace test {

inline const std::map<std::string, std::string>& test_paths() {
    static const std::map<std::string, std::string> paths = [] {
        std::error_code ec;
        const std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
        const std::filesystem::path file = exe.parent_path().parent_path() / "tests" / "test-paths.txt";
        std::ifstream in(file);
        if (!in) {
            std::fprintf(stderr, "cannot read %s: run the tests from their build tree\n", file.c_str());
            std::abort();
        }
        std::map<std::string, std::string> read;
        for (std::string line; std::getline(in, line);) {
            const std::size_t equals = line.find('=');
            if (equals != std::string::npos) read[line.substr(0, equals)] = line.substr(equals + 1);
        }
        return read;
    }();
    return paths;
}

inline const std::string& test_path(const char* name) {
    auto it = test_paths().find(name);
    if (it == test_paths().end()) throw std::runtime_error(std::string("tests/test-paths.txt names no ") + name);
    return it->second;
}

}  // namespace test

#define PLATBENCH_TEST_DATA_DIR ::test::test_path("PLATBENCH_TEST_DATA_DIR")
#define PLATBENCH_SOURCE_DIR ::test::test_path("PLATBENCH_SOURCE_DIR")
#define PLATBENCH_BINARY_DIR ::test::test_path("PLATBENCH_BINARY_DIR")
#define PLATBENCH_PLUGIN_DIR ::test::test_path("PLATBENCH_PLUGIN_DIR")
#define PLATBENCH_BROKEN_PLUGIN_DIR ::test::test_path("PLATBENCH_BROKEN_PLUGIN_DIR")
#define PLATBENCH_THROWING_FACTORY_DIR ::test::test_path("PLATBENCH_THROWING_FACTORY_DIR")
#define PLATBENCH_MOCK_PLUGIN_DIR ::test::test_path("PLATBENCH_MOCK_PLUGIN_DIR")
#define PLATBENCH_TEST_PLUGIN_DIR ::test::test_path("PLATBENCH_TEST_PLUGIN_DIR")
#define PLATBENCH_CLI ::test::test_path("PLATBENCH_CLI")
#define PLATBENCH_RUNNER ::test::test_path("PLATBENCH_RUNNER")
#define PLATBENCH_HOSTILE_GUEST_INIT ::test::test_path("PLATBENCH_HOSTILE_GUEST_INIT")
