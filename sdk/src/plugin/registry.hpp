// Finding and loading plugin libraries (Boost.DLL), with the ABI checks of
// Ceph's erasure-code loader: version symbol first, then descriptor, then its
// contents. A library that loaded is never unloaded (libvirt's RTLD_NODELETE
// rule): objects a plugin made may outlive any one use of it.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <boost/dll/shared_library.hpp>

#include "platbench/plugin.hpp"

namespace platbench {

struct LoadedPlugin {
    std::filesystem::path file;
    const PluginDescriptor* descriptor = nullptr;
    boost::dll::shared_library library;  // keeps the code mapped

    const std::string& name() const { return descriptor->name; }
    PluginKind kind() const { return descriptor->kind; }
};

// One refused file and why ("wrong ABI version 7, this platbench needs 1").
struct PluginProblem {
    std::filesystem::path file;
    std::string message;
};

class PluginLoadError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Loads one file with every check; throws PluginLoadError naming the file.
std::unique_ptr<LoadedPlugin> load_plugin_file(const std::filesystem::path& file);

class PluginRegistry {
public:
    // Search directories in priority order, without duplicates: <exe>/../lib/platbench/plugins
    // (build tree and install prefix alike), then each entry of $PLATBENCH_PLUGIN_PATH.
    static std::vector<std::filesystem::path> default_search_dirs();

    // Loads every "*.so" in `dir` (non-recursive). Files that fail are recorded as
    // problems; a second plugin of an already loaded name is refused as a problem.
    void load_directory(const std::filesystem::path& dir);
    // Loads one file; problems recorded as above. Returns the plugin or null.
    const LoadedPlugin* load_file(const std::filesystem::path& file);
    // Adds an already loaded plugin (tests build descriptors in memory). Refuses
    // a duplicate name as a problem and returns null.
    const LoadedPlugin* add(std::unique_ptr<LoadedPlugin> plugin);

    const LoadedPlugin* find(PluginKind kind, const std::string& name) const;
    std::vector<const LoadedPlugin*> plugins(std::optional<PluginKind> kind = std::nullopt) const;
    std::vector<std::string> names(PluginKind kind) const;
    const std::vector<PluginProblem>& problems() const { return problems_; }
    const std::vector<std::filesystem::path>& searched_dirs() const { return searched_; }

private:
    std::vector<std::unique_ptr<LoadedPlugin>> plugins_;
    std::vector<PluginProblem> problems_;
    std::vector<std::filesystem::path> searched_;
};

// Where the running executable lives (readlink /proc/self/exe).
std::filesystem::path executable_dir();

}  // namespace platbench
