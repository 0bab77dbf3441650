// Plugin loading: the good plugins, and one broken plugin for every way loading can fail.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "plugin/registry.hpp"

namespace fs = std::filesystem;
using platbench::PluginKind;
using platbench::PluginLoadError;
using platbench::PluginRegistry;

namespace {

std::string broken(const std::string& name) { return std::string(PLATBENCH_BROKEN_PLUGIN_DIR) + "/" + name + ".so"; }

// The message of the load error for `file`, or "" when it loaded.
std::string load_error(const std::string& file) {
    try {
        platbench::load_plugin_file(file);
    } catch (const PluginLoadError& e) {
        return e.what();
    }
    return "";
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("the build tree's plugin directory holds stream and native, with no problems") {
    PluginRegistry registry;
    registry.load_directory(PLATBENCH_PLUGIN_DIR);
    CHECK(registry.problems().empty());
    const auto* stream = registry.find(PluginKind::Workload, "stream");
    REQUIRE(stream != nullptr);
    CHECK(stream->descriptor->create_workload() != nullptr);
    const auto* native = registry.find(PluginKind::Platform, "native");
    REQUIRE(native != nullptr);
    CHECK(native->descriptor->create_platform() != nullptr);
    // Kinds are separate name spaces.
    CHECK(registry.find(PluginKind::Platform, "stream") == nullptr);
}

TEST_CASE("a missing file is refused naming the file") {
    const std::string message = load_error("/nonexistent/dir/workload_ghost.so");
    CHECK(contains(message, "/nonexistent/dir/workload_ghost.so"));
    CHECK(contains(message, "no such file"));
}

TEST_CASE("a file that is not a shared library is refused with the loader's reason") {
    const std::string message = load_error(broken("not_elf"));
    CHECK(contains(message, broken("not_elf")));
    CHECK(contains(message, "cannot load"));
}

TEST_CASE("a shared library that is not a plugin is refused") {
    // libplatbench-sdk itself is a perfectly good library without the ABI symbols.
    const std::string sdk = std::string(PLATBENCH_BINARY_DIR) + "/lib/libplatbench-sdk.so";
    const std::string message = load_error(sdk);
    CHECK(contains(message, "not a platbench plugin"));
    CHECK(contains(message, "platbench_abi_version"));
}

TEST_CASE("a plugin without the version symbol is refused before anything else is touched") {
    CHECK(contains(load_error(broken("missing_version")), "not a platbench plugin"));
}

TEST_CASE("a plugin of another ABI version is refused, saying both versions") {
    const std::string message = load_error(broken("wrong_version"));
    CHECK(contains(message, "ABI version 999"));
    CHECK(contains(message, "needs version " + std::to_string(platbench::kAbiVersion)));
    CHECK(contains(message, "rebuild"));
}

TEST_CASE("a plugin of this ABI version built against other headers is refused, saying both digests") {
    const std::string message = load_error(broken("wrong_digest"));
    CHECK(contains(message, "built against other platbench headers of ABI version " +
                                std::to_string(platbench::kAbiVersion)));
    CHECK(contains(message, std::string(platbench::kAbiDigestText).substr(0, 16)));
    CHECK(contains(message, "rebuild the plugin"));
    CHECK(contains(load_error(broken("missing_digest")), "no 'platbench_abi_digest' symbol"));
}

// The digest is made by the build from the public headers (cmake/PlatbenchAbiDigest.cmake).
// sdk/abi-digest records the one that belongs to kAbiVersion: a change to the
// headers fails here until someone decides whether plugins built before still work.
TEST_CASE("the public headers' digest is the one recorded for this ABI version") {
    std::ifstream recorded_file(fs::path(PLATBENCH_SOURCE_DIR) / "sdk" / "abi-digest");
    REQUIRE(recorded_file.good());
    unsigned version = 0;
    std::string digest;
    recorded_file >> version >> digest;
    INFO("the public headers (sdk/include/platbench) changed: their digest is now " << platbench::kAbiDigestText
         << ". If a plugin built against the old headers would break (a struct, a signature changed), raise "
            "kAbiVersion in plugin.hpp and say why there; then write \"<kAbiVersion> <digest>\" into sdk/abi-digest.");
    CHECK(version == platbench::kAbiVersion);
    CHECK(digest == platbench::kAbiDigestText);
}

TEST_CASE("a plugin without an entry point is refused") {
    CHECK(contains(load_error(broken("missing_entry")), "no 'platbench_plugin' entry point"));
}

TEST_CASE("an entry point that registers nothing is refused") {
    CHECK(contains(load_error(broken("null_descriptor")), "returned no descriptor"));
}

TEST_CASE("an entry point that throws is refused with the exception's message") {
    const std::string message = load_error(broken("throwing_entry"));
    CHECK(contains(message, "platbench_plugin() failed"));
    CHECK(contains(message, "cannot initialise the frobnicator"));
}

TEST_CASE("a descriptor without its factory is refused") {
    CHECK(contains(load_error(broken("no_factory")), "must set create_workload"));
}

TEST_CASE("a parameter table with an invalid default is refused naming the parameter") {
    const std::string message = load_error(broken("bad_default"));
    CHECK(contains(message, "block_size"));
    CHECK(contains(message, "4 potatoes"));
}

TEST_CASE("a plugin with an unresolved symbol is refused with the loader's message") {
    CHECK(contains(load_error(broken("undefined_symbol")), "undefined symbol"));
}

TEST_CASE("a directory of broken plugins: good ones load, each bad one is one problem, duplicates refused") {
    PluginRegistry registry;
    registry.load_directory(PLATBENCH_BROKEN_PLUGIN_DIR);
    const auto* twin = registry.find(PluginKind::Workload, "twin");
    REQUIRE(twin != nullptr);
    CHECK(twin->file.filename() == "twin_a.so");  // sorted order: the first one wins
    std::size_t duplicate_problems = 0;
    for (const auto& problem : registry.problems()) {
        if (contains(problem.message, "already loaded from")) {
            ++duplicate_problems;
            CHECK(problem.file.filename() == "twin_b.so");
            CHECK(contains(problem.message, "twin_a.so"));
        }
    }
    CHECK(duplicate_problems == 1);
    // not_elf, missing_version, wrong_version, wrong_digest, missing_digest, missing_entry,
    // null_descriptor, throwing_entry, no_factory, bad_default, undefined_symbol, twin_b
    CHECK(registry.problems().size() == 12);
    // Each problem names the plugin it would have been: the descriptor's name, else the file's.
    CHECK(registry.problem_for("twin") != nullptr);
    CHECK(registry.problem_for("wrong_version") != nullptr);
    CHECK(registry.problem_for("nothing_like_it") == nullptr);
    CHECK(registry.plugins().size() == 1);
}

TEST_CASE("the same directory loaded twice is searched once") {
    PluginRegistry registry;
    registry.load_directory(PLATBENCH_PLUGIN_DIR);
    registry.load_directory(std::string(PLATBENCH_PLUGIN_DIR) + "/.");
    CHECK(registry.problems().empty());
    CHECK(registry.searched_dirs().size() == 1);
}

TEST_CASE("PLATBENCH_PLUGIN_PATH directories are searched after the executable's own") {
    setenv("PLATBENCH_PLUGIN_PATH", "/tmp/platbench-a:/tmp/platbench-b::", 1);
    const auto dirs = PluginRegistry::default_search_dirs();
    unsetenv("PLATBENCH_PLUGIN_PATH");
    REQUIRE(dirs.size() == 3);
    CHECK(dirs[0].dir.filename() == "plugins");
    CHECK(dirs[1].dir == fs::path("/tmp/platbench-a"));
    CHECK(dirs[1].origin == "$PLATBENCH_PLUGIN_PATH");
    CHECK(dirs[2].dir == fs::path("/tmp/platbench-b"));
}

TEST_CASE("an absent search directory is not an error") {
    PluginRegistry registry;
    registry.load_directory("/nonexistent/platbench/plugins");
    CHECK(registry.problems().empty());
    CHECK(registry.plugins().empty());
}
