#include "plugin/registry.hpp"

#include <dlfcn.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <set>

namespace platbench {
namespace fs = std::filesystem;

namespace {

std::string kind_name(PluginKind kind) { return kind == PluginKind::Workload ? "workload" : "platform"; }

bool is_valid_plugin_name(const std::string& name) {
    if (name.empty() || !(name[0] >= 'a' && name[0] <= 'z')) return false;
    return std::all_of(name.begin(), name.end(),
                       [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; });
}

// Boost.DLL clears dlerror() on failure; ask the dynamic loader again for its
// reason so the user sees "undefined symbol: x" or "invalid ELF header".
std::string loader_reason(const fs::path& file) {
    std::error_code ec;
    if (!fs::exists(file, ec)) return "no such file";
    if (!fs::is_regular_file(file, ec)) return "not a regular file";
    dlerror();
    void* handle = dlopen(file.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (handle != nullptr) {
        dlclose(handle);
        return "the dynamic loader refused it";
    }
    const char* message = dlerror();
    return message != nullptr ? message : "the dynamic loader refused it";
}

// Each type takes its own pair of bounds: min/max are integers, real_min/real_max reals.
void check_bounds(const ParamSpec& spec, const std::string& where) {
    const bool integral = has_integer_bounds(spec.type);
    const bool numeric = integral || spec.type == ParamType::Real || spec.type == ParamType::Duration;
    if ((spec.min || spec.max) && !integral)
        throw PluginLoadError(where + ": min/max bound Integer, Size, Count and CpuList parameters" +
                              (numeric ? "; a Real or Duration takes real_min/real_max" : ""));
    if ((spec.real_min || spec.real_max) && (integral || !numeric))
        throw PluginLoadError(where + ": real_min/real_max bound Real and Duration parameters" +
                              (integral ? "; an integral type takes min/max" : ""));
    const NumericRange range = numeric_range(spec);
    if (range.low && range.high && *range.low > *range.high)
        throw PluginLoadError(where + ": min is greater than max");
}

void check_param_table(const PluginDescriptor& d, const fs::path& file) {
    std::set<std::string> seen;
    for (const ParamSpec& spec : d.params) {
        const std::string where = file.string() + ": parameter '" + spec.name + "' of plugin '" + d.name + "'";
        if (!is_valid_plugin_name(spec.name)) throw PluginLoadError(where + ": name must match [a-z][a-z0-9_]*");
        if (!seen.insert(spec.name).second) throw PluginLoadError(where + ": declared twice");
        if (spec.type == ParamType::Choice && spec.choices.empty())
            throw PluginLoadError(where + ": a choice parameter needs at least one choice");
        check_bounds(spec, where);
        if (!spec.default_value.empty()) {
            ParseOutcome parsed = parse_param_value(spec, spec.default_value);
            if (!parsed.value) throw PluginLoadError(where + ": default '" + spec.default_value + "' is invalid: " + parsed.error);
        }
    }
}

std::string hex_word(std::uint64_t word) {
    char text[17];
    std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(word));
    return text;
}

// Same version, other headers: the structs the descriptor is made of may differ
// in layout, so nothing of it may be read.
void check_abi_digest(const boost::dll::shared_library& library, const fs::path& file) {
    const std::string rebuild = "; rebuild the plugin against this platbench's SDK (its installed headers)";
    if (!library.has(kAbiDigestSymbol))
        throw PluginLoadError(file.string() + ": has no '" + std::string(kAbiDigestSymbol) +
                              "' symbol, so the headers it was built against are unknown" + rebuild);
    const std::uint64_t digest = library.get<const std::uint64_t>(kAbiDigestSymbol);
    if (digest != kAbiDigest)
        throw PluginLoadError(file.string() + ": built against other platbench headers of ABI version " +
                              std::to_string(kAbiVersion) + " (header digest " + hex_word(digest) +
                              ", this platbench's " + hex_word(kAbiDigest) + ")" + rebuild);
}

// platbench_add_plugin names files workload_<name>.so and platform_<name>.so:
// the name a refused file would most likely have had.
std::string name_from_file(const fs::path& file) {
    std::string stem = file.stem().string();
    for (const char* prefix : {"workload_", "platform_"})
        if (stem.rfind(prefix, 0) == 0) return stem.substr(std::char_traits<char>::length(prefix));
    return stem;
}

void check_descriptor(const PluginDescriptor* d, const fs::path& file) {
    const std::string prefix = file.string() + ": ";
    if (d == nullptr) throw PluginLoadError(prefix + "platbench_plugin() returned no descriptor");
    if (d->abi_version != kAbiVersion)
        throw PluginLoadError(prefix + "descriptor declares ABI version " + std::to_string(d->abi_version) +
                              ", this platbench needs " + std::to_string(kAbiVersion));
    if (!is_valid_plugin_name(d->name))
        throw PluginLoadError(prefix + "plugin name '" + d->name + "' is invalid: use [a-z][a-z0-9_]*");
    if (d->description.empty()) throw PluginLoadError(prefix + "plugin '" + d->name + "' has no description");
    if (d->kind == PluginKind::Workload && (d->create_workload == nullptr || d->create_platform != nullptr))
        throw PluginLoadError(prefix + "workload plugin '" + d->name + "' must set create_workload (only)");
    if (d->kind == PluginKind::Platform && (d->create_platform == nullptr || d->create_workload != nullptr))
        throw PluginLoadError(prefix + "platform plugin '" + d->name + "' must set create_platform (only)");
    check_param_table(*d, file);
}

}  // namespace

std::unique_ptr<LoadedPlugin> load_plugin_file(const fs::path& file) {
    auto plugin = std::make_unique<LoadedPlugin>();
    plugin->file = file;
    try {
        plugin->library.load(boost::dll::fs::path(file.string()),
                             boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local);
    } catch (const std::exception&) {
        throw PluginLoadError(file.string() + ": cannot load: " + loader_reason(file));
    }
    // The version symbol is checked before anything else in the library is touched.
    if (!plugin->library.has(kAbiVersionSymbol))
        throw PluginLoadError(file.string() + ": not a platbench plugin (no '" + std::string(kAbiVersionSymbol) +
                              "' symbol); was it built with PLATBENCH_PLUGIN(...)?");
    const std::uint32_t version = plugin->library.get<const std::uint32_t>(kAbiVersionSymbol);
    if (version != kAbiVersion)
        throw PluginLoadError(file.string() + ": built for plugin ABI version " + std::to_string(version) +
                              ", this platbench needs version " + std::to_string(kAbiVersion) +
                              "; rebuild the plugin against this platbench's headers");
    check_abi_digest(plugin->library, file);
    if (!plugin->library.has(kDescriptorSymbol))
        throw PluginLoadError(file.string() + ": has an ABI version but no '" + std::string(kDescriptorSymbol) +
                              "' entry point");
    auto entry = plugin->library.get<const PluginDescriptor*()>(kDescriptorSymbol);
    try {
        plugin->descriptor = entry();
    } catch (const std::exception& e) {
        throw PluginLoadError(file.string() + ": platbench_plugin() failed: " + e.what());
    } catch (...) {
        throw PluginLoadError(file.string() + ": platbench_plugin() failed with an unknown exception");
    }
    check_descriptor(plugin->descriptor, file);
    // Accepted: never unload it (libvirt's RTLD_NODELETE rule). Objects it made, and
    // libraries it pulled in with threads of their own (oneTBB's workers), must
    // outlive any handle. Refused plugins above are unloaded as their handle closes.
    dlerror();
    if (dlopen(file.c_str(), RTLD_NOW | RTLD_NOLOAD | RTLD_NODELETE) == nullptr) {
        const char* reason = dlerror();
        throw PluginLoadError(file.string() + ": cannot pin the library in memory: " + (reason ? reason : "unknown"));
    }
    return plugin;
}

fs::path executable_dir() {
    std::error_code ec;
    fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    return ec ? fs::current_path() : exe.parent_path();
}

std::vector<SearchDir> PluginRegistry::default_search_dirs() {
    std::vector<SearchDir> dirs;
    auto add = [&dirs](const fs::path& dir, const char* origin) {
        std::error_code ec;
        fs::path canonical = fs::weakly_canonical(dir, ec);
        if (ec) canonical = dir;
        const bool seen = std::any_of(dirs.begin(), dirs.end(), [&](const SearchDir& d) { return d.dir == canonical; });
        if (!seen) dirs.push_back({canonical, origin});
    };
    add(executable_dir() / ".." / PLATBENCH_PLUGIN_SUBDIR, "platbench's own plugin directory");
    if (const char* env = std::getenv("PLATBENCH_PLUGIN_PATH")) {
        std::string list = env;
        std::size_t start = 0;
        while (start <= list.size()) {
            std::size_t end = list.find(':', start);
            if (end == std::string::npos) end = list.size();
            if (end > start) add(list.substr(start, end - start), "$PLATBENCH_PLUGIN_PATH");
            start = end + 1;
        }
    }
    return dirs;
}

void PluginRegistry::load_directory(const fs::path& dir, const std::string& origin) {
    std::error_code ec;
    fs::path canonical = fs::weakly_canonical(dir, ec);
    if (ec) canonical = dir;
    if (std::find(searched_.begin(), searched_.end(), canonical) != searched_.end()) return;
    searched_.push_back(canonical);
    if (!fs::is_directory(canonical, ec)) return;  // an absent search dir is not an error
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(canonical, ec)) {
        if (entry.path().extension() == ".so") files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());  // deterministic: the first of two duplicates wins
    for (const fs::path& file : files) load_file(file, origin);
}

const LoadedPlugin* PluginRegistry::load_file(const fs::path& file, const std::string& origin) {
    std::unique_ptr<LoadedPlugin> plugin;
    try {
        plugin = load_plugin_file(file);
    } catch (const PluginLoadError& e) {
        problems_.push_back({file, e.what(), origin, name_from_file(file)});
        return nullptr;
    }
    const std::size_t problems_before = problems_.size();
    const LoadedPlugin* added = add(std::move(plugin));
    for (std::size_t i = problems_before; i < problems_.size(); ++i) problems_[i].origin = origin;
    return added;
}

const PluginProblem* PluginRegistry::problem_for(const std::string& name) const {
    for (const PluginProblem& problem : problems_)
        if (problem.plugin_name == name) return &problem;
    return nullptr;
}

std::string describe(const PluginProblem& problem) {
    return problem.origin.empty() ? problem.message : problem.message + " (found through " + problem.origin + ")";
}

const LoadedPlugin* PluginRegistry::add(std::unique_ptr<LoadedPlugin> plugin) {
    if (const LoadedPlugin* existing = find(plugin->kind(), plugin->name())) {
        // Same file reached twice (a symlinked dir): not a conflict.
        std::error_code ec;
        if (fs::equivalent(existing->file, plugin->file, ec)) return existing;
        problems_.push_back({plugin->file, plugin->file.string() + ": a " + kind_name(plugin->kind()) +
                                               " plugin named '" + plugin->name() + "' is already loaded from " +
                                               existing->file.string() + "; this one is ignored",
                             "", plugin->name()});
        return nullptr;
    }
    plugins_.push_back(std::move(plugin));
    return plugins_.back().get();
}

const LoadedPlugin* PluginRegistry::find(PluginKind kind, const std::string& name) const {
    for (const auto& plugin : plugins_) {
        if (plugin->kind() == kind && plugin->name() == name) return plugin.get();
    }
    return nullptr;
}

std::vector<const LoadedPlugin*> PluginRegistry::plugins(std::optional<PluginKind> kind) const {
    std::vector<const LoadedPlugin*> out;
    for (const auto& plugin : plugins_) {
        if (!kind || plugin->kind() == *kind) out.push_back(plugin.get());
    }
    std::sort(out.begin(), out.end(), [](const LoadedPlugin* a, const LoadedPlugin* b) {
        return std::pair(a->kind(), a->name()) < std::pair(b->kind(), b->name());
    });
    return out;
}

std::vector<std::string> PluginRegistry::names(PluginKind kind) const {
    std::vector<std::string> out;
    for (const LoadedPlugin* plugin : plugins(kind)) out.push_back(plugin->name());
    return out;
}

}  // namespace platbench
