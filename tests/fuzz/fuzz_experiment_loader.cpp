// libFuzzer harness: any bytes as an experiment file, checked by the loader
// against the real plugins (stream, blockio, fio, native, docker, podman, kvm, singularity).
//
// The loader's promise: a config, or ConfigErrors listing every problem. Any other
// exception, a crash, a sanitizer report, a leak or a hang is a bug.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "config/experiment.hpp"
#include "plugin/registry.hpp"

namespace {
namespace fs = std::filesystem;

// Made once: loading the plugins (dlopen) per input would be most of the work.
platbench::PluginRegistry* registry = nullptr;
// The file's directory as the loader sees it: an empty directory of our own, so
// that relative `plugin_path:` entries find nothing to load.
fs::path* empty_base_dir = nullptr;

[[noreturn]] void fail(const std::string& what) {
    std::fprintf(stderr, "fuzz_experiment_loader: %s\n", what.c_str());
    std::abort();  // libFuzzer saves the input that got here
}

void remove_base_dir() {
    std::error_code ec;
    fs::remove_all(*empty_base_dir, ec);
}

bool is_contained_relative_path(const std::string& text) {
    const fs::path path(text);
    if (path.is_absolute()) return false;
    for (const fs::path& part : path) {
        if (part == "..") return false;
    }
    return true;
}

// `plugin_path:` makes the loader dlopen every *.so in the directories it names,
// absolute or relative to the file, which is what the key is for: an experiment
// file is trusted like a Makefile. A fuzzer that spells /usr/lib/x86_64-linux-gnu
// or ../.. would run the constructors of whatever libraries live there and change
// the registry for every later input. Such inputs are refused (not added to the
// corpus); entries inside the empty base directory still exercise the key's checks.
bool plugin_path_stays_inside_base_dir(const std::string& text) {
    // The key can only be spelt literally or through a double-quoted escape.
    if (text.find("plugin_path") == std::string::npos && text.find('\\') == std::string::npos) return true;
    YAML::Node root;
    try {
        root = YAML::Load(text);
    } catch (const std::exception&) {
        return true;  // the loader rejects it before it looks at plugin_path
    }
    if (!root.IsMap()) return true;
    for (auto entry = root.begin(); entry != root.end(); ++entry) {
        // Copies: the iterator's pair is a temporary that `entry->` does not keep alive.
        const YAML::Node key = entry->first;
        const YAML::Node value = entry->second;
        if (!key.IsScalar() || key.Scalar() != "plugin_path") continue;
        std::vector<YAML::Node> items;
        if (value.IsSequence()) {
            for (const YAML::Node& item : value) items.push_back(item);
        } else {
            items.push_back(value);
        }
        for (const YAML::Node& item : items) {
            if (item.IsScalar() && !is_contained_relative_path(item.Scalar())) return false;
        }
    }
    return true;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    registry = new platbench::PluginRegistry;
    for (const auto& search : platbench::PluginRegistry::default_search_dirs()) registry->load_directory(search.dir);
    // A harness that fuzzed without the plugins would only ever see "unknown plugin".
    for (const char* platform : {"native", "docker", "podman", "kvm", "singularity"}) {
        if (registry->find(platbench::PluginKind::Platform, platform) == nullptr)
            fail(std::string("the platform plugin '") + platform + "' is not built next to this harness");
    }
    for (const char* workload : {"stream", "blockio", "fio"}) {
        if (registry->find(platbench::PluginKind::Workload, workload) == nullptr)
            fail(std::string("the workload plugin '") + workload + "' is not built next to this harness");
    }
    std::string pattern = (fs::temp_directory_path() / "platbench-fuzz-config-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) fail("cannot make a temporary directory");
    empty_base_dir = new fs::path(pattern);
    std::atexit(remove_base_dir);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    if (!plugin_path_stays_inside_base_dir(text)) return -1;
    try {
        // Unguarded: the guard's child process would hide a hang or a blow-up of the
        // YAML library from libFuzzer (-timeout, -rss_limit_mb), which is what it is here to find.
        platbench::ExperimentLoadOptions options;
        options.guard_yaml_parser = false;
        const platbench::ExperimentConfig config =
            platbench::load_experiment_text(text, "fuzz.yaml", *empty_base_dir, *registry, options);
        if (config.platforms.empty() || config.workloads.empty())
            fail("an experiment without platforms or workloads was accepted");
    } catch (const platbench::ConfigErrors& errors) {
        // The expected answer to a bad file; it must say what is wrong.
        if (errors.errors().empty()) fail("ConfigErrors was thrown without any error in it");
    } catch (const std::exception& e) {
        fail(std::string("the loader let an exception other than ConfigErrors escape: ") + e.what());
    }
    return 0;
}
