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
    std::string message;      // begins with the file's path
    std::string origin;       // how its directory was named: "--plugin-path", "$PLATBENCH_PLUGIN_PATH", ...
    std::string plugin_name;  // the name it would have had: its descriptor's, else its file's (workload_NAME.so)
};

// "<message> (found through <origin>)": the one way a refused file is reported,
// whichever way its directory was named.
std::string describe(const PluginProblem& problem);

// A directory to search, and how the user named it (for the messages above).
struct SearchDir {
    std::filesystem::path dir;
    std::string origin;
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
    static std::vector<SearchDir> default_search_dirs();

    // Loads every "*.so" in `dir` (non-recursive). Files that fail are recorded as
    // problems, with `origin`; a second plugin of an already loaded name is refused
    // as a problem.
    void load_directory(const std::filesystem::path& dir, const std::string& origin = "");
    // Loads one file; problems recorded as above. Returns the plugin or null.
    const LoadedPlugin* load_file(const std::filesystem::path& file, const std::string& origin = "");
    // Adds an already loaded plugin (tests build descriptors in memory). Refuses
    // a duplicate name as a problem and returns null.
    const LoadedPlugin* add(std::unique_ptr<LoadedPlugin> plugin);

    const LoadedPlugin* find(PluginKind kind, const std::string& name) const;
    std::vector<const LoadedPlugin*> plugins(std::optional<PluginKind> kind = std::nullopt) const;
    std::vector<std::string> names(PluginKind kind) const;
    const std::vector<PluginProblem>& problems() const { return problems_; }
    // The refused file that would have been the plugin `name`, if any: where an
    // experiment names a plugin that is missing, its reason is said there.
    const PluginProblem* problem_for(const std::string& name) const;
    const std::vector<std::filesystem::path>& searched_dirs() const { return searched_; }

private:
    std::vector<std::unique_ptr<LoadedPlugin>> plugins_;
    std::vector<PluginProblem> problems_;
    std::vector<std::filesystem::path> searched_;
};

// Where the running executable lives (readlink /proc/self/exe).
std::filesystem::path executable_dir();

}  // namespace platbench
