// The plugin boundary, read from the sources: the engine (core/) knows no plugin
// by name, and plugins and the runner include nothing of the engine or of the
// SDK's own sources (the build also keeps those directories from their targets).
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "plugin/registry.hpp"

namespace fs = std::filesystem;

namespace {

const fs::path kSource = PLATBENCH_SOURCE_DIR;

std::string read_all(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

std::vector<fs::path> sources_under(const fs::path& dir) {
    std::vector<fs::path> files;
    for (const auto& entry : fs::recursive_directory_iterator(dir)) {
        const std::string extension = entry.path().extension().string();
        if (entry.is_regular_file() && (extension == ".cpp" || extension == ".hpp" || extension == ".inc"))
            files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    return files;
}

// Each `#include "..."` of a file.
std::vector<std::string> quoted_includes(const fs::path& file) {
    std::vector<std::string> includes;
    std::istringstream lines(read_all(file));
    for (std::string line; std::getline(lines, line);) {
        const std::size_t at = line.find("#include \"");
        if (at == std::string::npos) continue;
        const std::size_t start = at + 10, end = line.find('"', start);
        if (end != std::string::npos) includes.push_back(line.substr(start, end - start));
    }
    return includes;
}

}  // namespace

TEST_CASE("the engine names no plugin: no plugin's name is a string anywhere under core/") {
    platbench::PluginRegistry registry;
    registry.load_directory(PLATBENCH_PLUGIN_DIR);
    const auto plugins = registry.plugins();
    REQUIRE(plugins.size() >= 7);  // the in-tree platforms and workloads
    for (const fs::path& file : sources_under(kSource / "core")) {
        const std::string text = read_all(file);
        for (const platbench::LoadedPlugin* plugin : plugins) {
            CAPTURE(file.string());
            CHECK_MESSAGE(text.find('"' + plugin->name() + '"') == std::string::npos,
                          "names the plugin ", plugin->name());
        }
    }
}

TEST_CASE("plugins, platforms and the runner include the SDK's public headers and their own, nothing else of platbench") {
    std::size_t files = 0;
    for (const char* dir : {"plugins", "platforms", "runner", "examples"}) {
        for (const fs::path& file : sources_under(kSource / dir)) {
            ++files;
            for (const std::string& include : quoted_includes(file)) {
                CAPTURE(file.string());
                CAPTURE(include);
                const bool sdk = include.starts_with("platbench/");
                // Their own headers: beside the file, or in a library their folder's siblings
                // share (common/, engine_api/), or in guest/.
                const bool own = fs::exists(file.parent_path() / include) ||
                                 fs::exists(file.parent_path().parent_path() / "common" / include) ||
                                 fs::exists(file.parent_path().parent_path() / "engine_api" / include) ||
                                 fs::exists(file.parent_path() / ".." / include);
                // The runner alone loads plugins and writes the result line, with the SDK's own loader.
                const bool runner_loader = file.parent_path() == kSource / "runner" && include == "plugin/registry.hpp";
                CHECK((sdk || own || runner_loader));
            }
        }
    }
    CHECK(files > 50);
}
