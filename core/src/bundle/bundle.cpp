// Building the bundle: plan (what goes where), fingerprint (is it cached?),
// stage (copy into a private directory), hash, and publish with one rename.
//
// Cache layout under <cache_dir>/bundles/:
//   <hash>/root/          the tree, exactly what the hash covers
//   <hash>/bundle.json    manifest: files, their sources, the host (outside the hash)
//   index.json            input fingerprint -> hash and source stats: an unchanged bundle costs ~0 s
//   .staging-<pid>-<rnd>/ a build in progress (removed on failure, or when its process is gone)
#include "bundle/bundle.hpp"

#include <pwd.h>
#include <signal.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "bundle/debug_info.hpp"
#include "bundle/shared_libraries.hpp"
#include "bundle/tree_hash.hpp"
#include "platbench/process.hpp"
#include "plugin/registry.hpp"
#include "util/bounded_json.hpp"
#include "platbench/hash.hpp"

namespace platbench {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr const char* kRunnerPath = "/usr/bin/platbench-runner";
constexpr const char* kPluginDir = "/usr/lib/platbench/plugins";
// Programs the workload plugins declare (PluginDescriptor::programs) go beside the
// runner, where the plugins look for them first.
constexpr const char* kProgramDir = "/usr/bin";
// Libraries found outside the loader's default directories (the build tree's
// libplatbench-sdk.so, /usr/local/lib, ...) go to /usr/lib: the runner's RUNPATH
// ($ORIGIN/../lib) and the plugins' ($ORIGIN/../..) both resolve there, and it is
// a default directory of the loader besides, so no ld.so.cache is needed.
constexpr const char* kPrivateLibDir = "/usr/lib";
// Changes whenever the layout or the rules above change, so old fingerprints miss.
// 3: declared program files (PluginDescriptor::program_files), at their host paths.
constexpr const char* kLayoutVersion = "platbench-bundle-layout 3";  // 2: declared programs
constexpr const char* kStagingPrefix = ".staging-";

// Destination inside the bundle ("/usr/lib/libc.so.6") -> host source file.
using Plan = std::map<std::string, fs::path>;

// The directories the loader searches without ld.so.cache or a RUNPATH:
// /lib, /usr/lib, /lib64, /usr/lib64 and the multiarch ones (/lib/x86_64-linux-gnu, ...).
bool is_loader_default_dir(const fs::path& dir) {
    const std::string text = dir.lexically_normal().string();
    if (text == "/lib" || text == "/usr/lib" || text == "/lib64" || text == "/usr/lib64") return true;
    const std::string parent = dir.lexically_normal().parent_path().string();
    return (parent == "/lib" || parent == "/usr/lib") && text.find("-linux-") != std::string::npos;
}

void add_to_plan(Plan& plan, const std::string& destination, const fs::path& source) {
    auto [it, inserted] = plan.emplace(destination, source);
    std::error_code ec;
    if (!inserted && !fs::equivalent(it->second, source, ec)) {
        throw std::runtime_error("two different files want to be " + destination + " in the bundle: " +
                                 it->second.string() + " and " + source.string());
    }
}

void add_dependencies(Plan& plan, const fs::path& elf) {
    const ElfDependencies dependencies = resolve_dependencies(elf);
    for (const SharedLibrary& library : dependencies.libraries) {
        const fs::path dir = library.path.parent_path();
        // Same absolute path as on the host where the loader looks anyway; the real
        // file's bytes are copied under the name the loader asks for (the soname).
        const std::string destination = is_loader_default_dir(dir)
                                            ? (dir.lexically_normal() / library.path.filename()).string()
                                            : (fs::path(kPrivateLibDir) / library.name).string();
        add_to_plan(plan, destination, library.path);
    }
    if (dependencies.loader) {
        // PT_INTERP names the loader by an absolute path: keep it, and its real file too.
        add_to_plan(plan, dependencies.loader->string(), *dependencies.loader);
        std::error_code ec;
        const fs::path real = fs::canonical(*dependencies.loader, ec);
        if (!ec && real != *dependencies.loader) add_to_plan(plan, real.string(), real);
    }
}

std::vector<fs::path> list_plugins(const fs::path& plugin_dir) {
    std::error_code ec;
    if (!fs::is_directory(plugin_dir, ec))
        throw std::runtime_error("plugin directory " + plugin_dir.string() + " does not exist");
    std::vector<fs::path> plugins;
    for (const fs::directory_entry& entry : fs::directory_iterator(plugin_dir)) {
        // The runner loads workloads only. Platform plugins (platform_<name>.so, as
        // platbench_add_plugin names them) stay out: they and their libraries (libvirt,
        // libarchive, ...) would only make every image and VM larger.
        const std::string name = entry.path().filename().string();
        if (name.rfind("platform_", 0) == 0) continue;
        if (entry.path().extension() == ".so" && entry.is_regular_file()) plugins.push_back(entry.path());
    }
    std::sort(plugins.begin(), plugins.end());
    if (plugins.empty()) throw std::runtime_error("no plugins (*.so) in " + plugin_dir.string() + " to bundle");
    return plugins;
}

// Sorted, each file once; two plugins would land on one path in the bundle when
// their file names are the same (from two plugin directories): refused.
std::vector<fs::path> checked_plugin_files(std::vector<fs::path> plugins) {
    if (plugins.empty()) throw std::runtime_error("no workload plugin to bundle");
    std::map<fs::path, fs::path> by_name;
    for (const fs::path& plugin : plugins) {
        std::error_code ec;
        if (!fs::is_regular_file(plugin, ec))
            throw std::runtime_error("workload plugin " + plugin.string() + " to bundle is not a file");
        const auto [it, inserted] = by_name.emplace(plugin.filename(), plugin);
        if (!inserted && fs::weakly_canonical(it->second) != fs::weakly_canonical(plugin))
            throw std::runtime_error("two workload plugins named " + plugin.filename().string() + " (" +
                                     it->second.string() + " and " + plugin.string() +
                                     ") cannot both go into the bundle's plugin directory; rename one");
    }
    std::vector<fs::path> unique;
    for (const auto& [name, plugin] : by_name) unique.push_back(plugin);
    return unique;
}

// One program a plugin declared, and where PATH finds it on this host.
struct Program {
    std::string name;                  // a file name in PATH, e.g. "iperf3"
    std::optional<fs::path> source;    // absent: not on PATH, left out of the bundle
    std::string declared_by;           // plugin file name, for the note
};

struct Inputs {
    fs::path runner;
    std::vector<fs::path> plugins;
    std::vector<Program> programs;     // sorted by name, each once
    std::vector<fs::path> program_files;  // regular files, sorted, each once
    std::vector<std::string> notes;
};

// A declared program file or directory: its regular files (a directory's, at any
// depth, directory links not followed), at most this many in all.
constexpr std::size_t kMaxProgramFiles = 20'000;

bool is_elf(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    char magic[4] = {};
    return in.read(magic, 4) && magic[0] == 0x7f && magic[1] == 'E' && magic[2] == 'L' && magic[3] == 'F';
}

void add_program_files(const std::string& declared, const std::string& plugin, std::vector<fs::path>& files,
                       std::vector<std::string>& notes) {
    const fs::path path(declared);
    std::error_code ec;
    if (!path.is_absolute() || path.lexically_normal() != path || declared.find("..") != std::string::npos) {
        notes.push_back(plugin + " declares the program file '" + declared + "': not a plain absolute path, left out");
        return;
    }
    if (!fs::exists(path, ec)) {
        notes.push_back("program file " + declared + " (needed by " + plugin + ") is not on this host: left out of the bundle");
        return;
    }
    if (!fs::is_directory(path, ec)) {
        files.push_back(path);
        return;
    }
    for (auto it = fs::recursive_directory_iterator(path, ec); !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (it->is_regular_file(ec)) files.push_back(it->path());
        if (files.size() > kMaxProgramFiles)
            throw std::runtime_error(plugin + "'s program files hold more than " + std::to_string(kMaxProgramFiles) +
                                     " files: refused");
    }
}

// A program is named by its file name only: it lands at /usr/bin/<name>.
bool is_program_name(const std::string& name) {
    return !name.empty() && name != "." && name != ".." && name.find('/') == std::string::npos &&
           name.find('\0') == std::string::npos;
}

// The programs the plugins declare, read from their descriptors. A file that
// does not load as a plugin declares nothing (the registry reports it where it
// matters); the library resolution below still refuses a file that is not ELF.
std::vector<Program> declared_programs(const std::vector<fs::path>& plugins, std::vector<fs::path>& program_files,
                                       std::vector<std::string>& notes) {
    std::map<std::string, Program> programs;
    for (const fs::path& plugin : plugins) {
        std::unique_ptr<LoadedPlugin> loaded;
        try {
            loaded = load_plugin_file(plugin);
        } catch (const PluginLoadError&) {
            continue;
        }
        for (const std::string& name : loaded->descriptor->programs) {
            if (!is_program_name(name)) {
                notes.push_back(plugin.filename().string() + " declares the program '" + name +
                                "': not a file name, left out of the bundle");
                continue;
            }
            if (programs.count(name) == 0) programs[name] = {name, find_program(name), plugin.filename().string()};
        }
        for (const std::string& declared : loaded->descriptor->program_files)
            add_program_files(declared, plugin.filename().string(), program_files, notes);
    }
    std::sort(program_files.begin(), program_files.end());
    program_files.erase(std::unique(program_files.begin(), program_files.end()), program_files.end());
    std::vector<Program> out;
    for (auto& [name, program] : programs) {
        if (!program.source) {
            notes.push_back("program '" + name + "' (needed by " + program.declared_by +
                            ") is not on PATH: left out of the bundle, so its runs are skipped in containers and "
                            "VMs; install it and run again to include it");
        }
        out.push_back(std::move(program));
    }
    return out;
}

Inputs find_inputs(const BundleSources& sources) {
    std::error_code ec;
    if (!fs::is_regular_file(sources.runner, ec))
        throw std::runtime_error("platbench-runner not found at " + sources.runner.string() +
                                 "; build it (target platbench-runner) or install platbench");
    Inputs inputs{sources.runner, checked_plugin_files(sources.workload_plugins), {}, {}, {}};
    inputs.programs = declared_programs(inputs.plugins, inputs.program_files, inputs.notes);
    return inputs;
}

Plan plan_bundle(const Inputs& inputs) {
    Plan plan;
    add_to_plan(plan, kRunnerPath, inputs.runner);
    add_dependencies(plan, inputs.runner);
    for (const fs::path& plugin : inputs.plugins) {
        add_to_plan(plan, (fs::path(kPluginDir) / plugin.filename()).string(), plugin);
        add_dependencies(plan, plugin);
    }
    for (const Program& program : inputs.programs) {
        if (!program.source) continue;
        add_to_plan(plan, (fs::path(kProgramDir) / program.name).string(), *program.source);
        add_dependencies(plan, *program.source);  // the same resolution as the runner's, so the same rules
    }
    // At their own paths, where the programs look for them; an ELF file among them
    // (a component loaded at run time) brings its libraries as the programs do.
    for (const fs::path& file : inputs.program_files) {
        add_to_plan(plan, file.string(), file);
        if (is_elf(file)) add_dependencies(plan, file);
    }
    return plan;
}

// ---- the quick check: has any source changed? --------------------------------
//
// Resolving libraries runs ldd (a process per file), so the cache is keyed on
// the runner and plugins alone plus what steers the loader's search, and each
// index entry lists every source file with its size and mtime: a hit costs a
// stat per file and no process.

// Real path, size, mtime and mode of a source file; no byte is read.
std::string stat_line(const fs::path& source) {
    const fs::path real = fs::canonical(source);
    const auto mtime = fs::last_write_time(real).time_since_epoch().count();
    const auto perms = static_cast<unsigned>(fs::status(real).permissions());
    return real.string() + ' ' + std::to_string(fs::file_size(real)) + ' ' + std::to_string(mtime) + ' ' +
           std::to_string(perms);
}

std::string input_fingerprint(const Inputs& inputs) {
    Sha256 hash;
    hash.update(std::string(kLayoutVersion) + '\n');
    // Where the loader would find libraries: a change may pick other files.
    const char* library_path = std::getenv("LD_LIBRARY_PATH");
    hash.update(std::string("LD_LIBRARY_PATH=") + (library_path ? library_path : "") + '\n');
    std::error_code ec;
    if (fs::exists("/etc/ld.so.cache", ec)) hash.update(stat_line("/etc/ld.so.cache") + '\n');
    hash.update(stat_line(inputs.runner) + '\n');
    for (const fs::path& plugin : inputs.plugins) hash.update(plugin.filename().string() + ' ' + stat_line(plugin) + '\n');
    // Where PATH finds each program, or that it is missing: installing one later must miss the cache.
    for (const Program& program : inputs.programs)
        hash.update("program " + program.name + ' ' + (program.source ? stat_line(*program.source) : "missing") + '\n');
    for (const fs::path& file : inputs.program_files) hash.update("program file " + stat_line(file) + '\n');
    return hash.hex_digest();
}

json read_index(const fs::path& index_file) {
    json index;
    try {
        index = read_bounded_json_file(index_file, {std::size_t{16} << 20, 8}, "bundle index");
    } catch (const std::exception&) {
        return json::object();  // missing or damaged: it only costs a rebuild
    }
    return index.is_object() ? index : json::object();
}

void write_atomically(const fs::path& file, const std::string& text) {
    const fs::path temporary = file.string() + ".tmp-" + std::to_string(::getpid());
    {
        std::ofstream out(temporary, std::ios::trunc);
        out << text;
        if (!out.flush()) throw std::runtime_error("cannot write " + temporary.string());
    }
    fs::rename(temporary, file);
}

bool is_published(const fs::path& bundles, const std::string& hash) {
    std::error_code ec;
    return hash.size() == 64 && hash.find_first_not_of("0123456789abcdef") == std::string::npos &&
           fs::is_regular_file(bundles / hash / "root" / fs::path(kRunnerPath).relative_path(), ec);
}

// index.json: {"<input fingerprint>": {"hash": "<bundle hash>", "sources": {"<path>": "<stat line>"}}}
void remember(const fs::path& bundles, const std::string& fingerprint, const std::string& hash, const Plan& plan) {
    const fs::path index_file = bundles / "index.json";
    const json index = read_index(index_file);
    json kept = json::object();
    for (const auto& [key, entry] : index.items()) {  // forget bundles someone removed
        if (entry.is_object() && entry.value("hash", json()).is_string() && is_published(bundles, entry["hash"].get<std::string>()))
            kept[key] = entry;
    }
    json sources = json::object();
    for (const auto& [destination, source] : plan) sources[source.string()] = stat_line(source);
    kept[fingerprint] = {{"hash", hash}, {"sources", std::move(sources)}};
    write_atomically(index_file, kept.dump(2) + "\n");
}

std::optional<std::string> cached_hash(const fs::path& bundles, const std::string& fingerprint) {
    try {
        const json index = read_index(bundles / "index.json");
        auto entry = index.find(fingerprint);
        if (entry == index.end() || !entry->is_object()) return std::nullopt;
        const json& hash = entry->value("hash", json());
        const json& sources = entry->value("sources", json());
        if (!hash.is_string() || !sources.is_object() || !is_published(bundles, hash.get<std::string>()))
            return std::nullopt;
        for (const auto& [source, expected] : sources.items()) {
            if (!expected.is_string() || stat_line(source) != expected.get<std::string>()) return std::nullopt;
        }
        return hash.get<std::string>();
    } catch (const std::exception&) {  // a source is gone or unreadable: build again
        return std::nullopt;
    }
}

// ---- staging ----------------------------------------------------------------

// Removes the staging directory unless the build published it.
class StagingDir {
public:
    explicit StagingDir(const fs::path& bundles) {
        std::random_device random;
        const std::string suffix = std::to_string(::getpid()) + "-" + std::to_string(random()) + std::to_string(random());
        path_ = bundles / (kStagingPrefix + suffix);
        fs::create_directory(path_);
    }
    ~StagingDir() {
        std::error_code ec;
        if (!published_) fs::remove_all(path_, ec);
    }
    StagingDir(const StagingDir&) = delete;
    StagingDir& operator=(const StagingDir&) = delete;
    const fs::path& path() const { return path_; }
    void published() { published_ = true; }

private:
    fs::path path_;
    bool published_ = false;
};

// Staging directories of builds whose process is gone (killed, power loss).
void remove_abandoned_staging(const fs::path& bundles) {
    std::error_code ec;
    for (const fs::directory_entry& entry : fs::directory_iterator(bundles, ec)) {
        const std::string name = entry.path().filename().string();
        if (!name.starts_with(kStagingPrefix)) continue;
        const long pid = std::strtol(name.c_str() + std::char_traits<char>::length(kStagingPrefix), nullptr, 10);
        if (pid > 0 && ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH) fs::remove_all(entry.path(), ec);
    }
}

void make_dir(const fs::path& dir, fs::perms perms) {
    fs::create_directory(dir);
    fs::permissions(dir, perms);  // explicit, so the umask never changes the hash
}

void make_parent_dirs(const fs::path& root, const fs::path& relative_dir) {
    fs::path current = root;
    for (const fs::path& part : relative_dir) {
        current /= part;
        if (!fs::exists(current)) make_dir(current, static_cast<fs::perms>(0755));
    }
}

// The directories a root file system needs besides the files: mount points for
// /proc, /sys, /dev, scratch space in /tmp and /work for the workloads.
void make_skeleton(const fs::path& root) {
    make_dir(root, static_cast<fs::perms>(0755));
    for (const char* dir : {"proc", "sys"}) make_dir(root / dir, static_cast<fs::perms>(0555));
    for (const char* dir : {"dev", "etc", "usr"}) make_dir(root / dir, static_cast<fs::perms>(0755));
    for (const char* dir : {"tmp", "work"}) make_dir(root / dir, static_cast<fs::perms>(01777));
}

// Copies a file of the plan; one with debug sections (platbench's own, built
// with line tables) without them, unless that cannot be done (said in `notes`).
void copy_file_into(const fs::path& root, const std::string& destination, const fs::path& source,
                    std::vector<std::string>& notes) {
    const fs::path target = root / fs::path(destination).relative_path();
    make_parent_dirs(root, fs::path(destination).relative_path().parent_path());
    bool stripped = false;
    if (has_debug_sections(source)) {
        const std::string problem = copy_without_debug_sections(source, target);
        stripped = problem.empty();
        if (!stripped) notes.push_back("the bundle keeps the debug information of " + source.string() + ": " + problem);
    }
    if (!stripped) fs::copy_file(source, target, fs::copy_options::overwrite_existing);  // follows links: the real bytes
    const auto source_mode = static_cast<unsigned>(fs::status(source).permissions());
    fs::permissions(target, static_cast<fs::perms>((source_mode & 0755u) | 0444u));
}

std::string utc_now() {
    const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    std::tm tm{};
    gmtime_r(&now, &tm);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return text;
}

json host_facts() {
    struct utsname names {};
    if (::uname(&names) != 0) return json::object();
    return json{{"hostname", names.nodename}, {"kernel", names.release}, {"machine", names.machine}};
}

json manifest(const Plan& plan, const Inputs& inputs, const fs::path& root, const std::string& hash,
              const std::string& fingerprint) {
    json files = json::array();
    for (const auto& [destination, source] : plan) {
        const fs::path target = root / fs::path(destination).relative_path();
        files.push_back({{"path", destination},
                         {"source", source.string()},
                         {"size", fs::file_size(target)},
                         {"mode", static_cast<unsigned>(fs::status(target).permissions()) & 07777u}});
    }
    json programs = json::object();  // name -> path in the tree, or null when it was left out
    for (const Program& program : inputs.programs)
        programs[program.name] = program.source ? json((fs::path(kProgramDir) / program.name).string()) : json(nullptr);
    json program_files = json::array();
    for (const fs::path& file : inputs.program_files) program_files.push_back(file.string());
    return json{{"hash", hash},
                {"input_fingerprint", fingerprint},
                {"programs", std::move(programs)},
                {"program_files", std::move(program_files)},
                {"layout", kLayoutVersion},
                {"created", utc_now()},
                {"host", host_facts()},
                {"runner", kRunnerPath},
                {"plugin_dir", kPluginDir},
                {"files", std::move(files)}};
}

Bundle bundle_at(const fs::path& bundles, const std::string& hash) {
    return Bundle{bundles / hash / "root", hash, kRunnerPath, kPluginDir};
}

// Copies, hashes and publishes a new tree; returns its hash.
std::string stage_and_publish(const fs::path& bundles, const Plan& plan, const Inputs& inputs,
                              const std::string& fingerprint, BundleBuildInfo& info) {
    StagingDir staging(bundles);
    const fs::path root = staging.path() / "root";
    make_skeleton(root);
    for (const auto& [destination, source] : plan) {
        copy_file_into(root, destination, source, info.notes);
        ++info.files_copied;
    }
    const std::string hash = hash_tree(root);
    write_atomically(staging.path() / "bundle.json", manifest(plan, inputs, root, hash, fingerprint).dump(2) + "\n");

    const fs::path final_dir = bundles / hash;
    std::error_code ec;
    if (fs::is_directory(final_dir / "root", ec)) {
        info.reused = true;  // same bytes built before: keep the published copy
        return hash;
    }
    fs::rename(staging.path(), final_dir, ec);
    if (!ec) {
        staging.published();
    } else if (fs::is_directory(final_dir / "root")) {
        info.reused = true;  // a concurrent build published the same tree first
    } else {
        throw std::runtime_error("cannot move the bundle into place at " + final_dir.string() + ": " + ec.message());
    }
    return hash;
}

}  // namespace

BundleSources all_workloads_of(const HostRunner& host_runner) {
    return {host_runner.runner, list_plugins(host_runner.plugin_dir)};
}

Bundle build_bundle(const BundleSources& sources, const fs::path& cache_dir, BundleBuildInfo& info) {
    info = {};
    const fs::path bundles = cache_dir / "bundles";
    try {
        const Inputs inputs = find_inputs(sources);
        info.notes = inputs.notes;
        const std::string fingerprint = input_fingerprint(inputs);
        if (std::optional<std::string> hash = cached_hash(bundles, fingerprint)) {
            info.reused = true;
            return bundle_at(bundles, *hash);
        }
        const Plan plan = plan_bundle(inputs);
        fs::create_directories(bundles);
        remove_abandoned_staging(bundles);
        const std::string hash = stage_and_publish(bundles, plan, inputs, fingerprint, info);
        try {
            remember(bundles, fingerprint, hash, plan);
        } catch (const std::exception&) {
            // Without the index entry the next build re-copies and finds the same hash: slower, still right.
        }
        return bundle_at(bundles, hash);
    } catch (const fs::filesystem_error& e) {
        throw std::runtime_error(std::string("cannot build the runner bundle in ") + bundles.string() + ": " + e.what());
    }
}

Bundle build_bundle(const BundleSources& sources, const fs::path& cache_dir) {
    BundleBuildInfo info;
    return build_bundle(sources, cache_dir, info);
}

Bundle build_bundle(const HostRunner& host_runner, const fs::path& cache_dir, BundleBuildInfo& info) {
    return build_bundle(all_workloads_of(host_runner), cache_dir, info);
}

Bundle build_bundle(const HostRunner& host_runner, const fs::path& cache_dir) {
    BundleBuildInfo info;
    return build_bundle(all_workloads_of(host_runner), cache_dir, info);
}

fs::path default_cache_dir() {
    auto non_empty = [](const char* name) -> const char* {
        const char* value = std::getenv(name);
        return value != nullptr && *value != '\0' ? value : nullptr;
    };
    if (const char* dir = non_empty("PLATBENCH_CACHE_DIR")) return dir;
    if (const char* dir = non_empty("XDG_CACHE_HOME"); dir != nullptr && dir[0] == '/') return fs::path(dir) / "platbench";
    if (const char* home = non_empty("HOME")) return fs::path(home) / ".cache" / "platbench";
    if (const passwd* user = ::getpwuid(::getuid()); user != nullptr && user->pw_dir != nullptr && *user->pw_dir != '\0')
        return fs::path(user->pw_dir) / ".cache" / "platbench";
    return fs::temp_directory_path() / ("platbench-cache-" + std::to_string(::getuid()));
}

}  // namespace platbench
