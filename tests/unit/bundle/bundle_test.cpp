// The bundle: contents, caching, content hash, and that the tree is self-contained.
#include <doctest/doctest.h>

#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "skip.hpp"
#include "../runner/child_capture.hpp"
#include "bundle/bundle.hpp"
#include "bundle/debug_info.hpp"
#include "bundle/shared_libraries.hpp"
#include "bundle/tree_hash.hpp"
#include "platbench/environment.hpp"
#include "platbench/process.hpp"
#include "platbench/runner_protocol.hpp"
#include "temp_dir.hpp"

namespace {

namespace fs = std::filesystem;
using ::test::TempDir;
using nlohmann::json;


// A private copy of the build tree's runner, core library and echo plugin, laid
// out like the build tree (bin/, lib/, tests/plugins/) so every RUNPATH still
// resolves, and so a test may change any of them.
platbench::HostRunner make_host_tree(const fs::path& base) {
    const fs::path build_lib = fs::path(PLATBENCH_RUNNER).parent_path().parent_path() / "lib";
    fs::create_directories(base / "bin");
    fs::create_directories(base / "lib");
    fs::create_directories(base / "tests" / "plugins");
    fs::copy_file(PLATBENCH_RUNNER, base / "bin" / "platbench-runner");
    fs::copy_file(build_lib / "libplatbench-sdk.so", base / "lib" / "libplatbench-sdk.so");
    fs::copy_file(fs::path(PLATBENCH_TEST_PLUGIN_DIR) / "workload_echo.so", base / "tests" / "plugins" / "workload_echo.so");
    return {base / "bin" / "platbench-runner", base / "tests" / "plugins"};
}

// Changes an ELF file where it counts: a section of its own, which the bundle
// keeps (bytes appended after the sections, or debug sections, it would not).
void change_elf(const fs::path& file) {
    const fs::path content = file.string() + ".section";
    std::ofstream(content) << "changed";
    // Written beside it and renamed over it: the process has the old file mapped (dlopen).
    const fs::path changed = file.string() + ".changed";
    platbench::ChildRequest objcopy;
    objcopy.argv = {"/usr/bin/objcopy", "--add-section", ".platbench_test=" + content.string(), file.string(),
                    changed.string()};
    REQUIRE(platbench::run_child(objcopy).exit_code == 0);
    fs::rename(changed, file);
    fs::remove(content);
}

std::string read_file(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

bool is_in_bundle(const platbench::Bundle& bundle, const std::string& path) {
    return fs::is_regular_file(bundle.root / fs::path(path).relative_path());
}

struct Fixture {
    TempDir temp;
    fs::path cache = temp.path() / "cache";
    platbench::HostRunner host = make_host_tree(temp.path() / "src");
};

// The loader the runner was linked against, as the loader itself reports it.
fs::path host_loader() {
    const auto deps = platbench::resolve_dependencies(PLATBENCH_RUNNER);
    REQUIRE(deps.loader.has_value());
    return *deps.loader;
}

}  // namespace

TEST_CASE("ldd output is parsed defensively") {
    const auto deps = platbench::parse_ldd_output(
        "\tlinux-vdso.so.1 (0x00007ffc)\n"
        "\tlibplatbench-sdk.so => /opt/pb/bin/../lib/libplatbench-sdk.so (0x00007f01)\n"
        "\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f02)\n"
        "\tlibgone.so.2 => not found\n"
        "\t/opt/abs/libabs.so (0x00007f03)\n"
        "\t/lib64/ld-linux-x86-64.so.2 (0x00007f04)\n"
        "garbage without structure\n"
        "\tstatically linked\n"
        " => \n");
    REQUIRE(deps.libraries.size() == 3);
    CHECK(deps.libraries[0].name == "libplatbench-sdk.so");
    CHECK(deps.libraries[0].path == "/opt/pb/bin/../lib/libplatbench-sdk.so");
    CHECK(deps.libraries[1].path == "/lib/x86_64-linux-gnu/libc.so.6");
    CHECK(deps.libraries[2].name == "libabs.so");
    REQUIRE(deps.loader.has_value());
    CHECK(*deps.loader == "/lib64/ld-linux-x86-64.so.2");
    CHECK(deps.missing == std::vector<std::string>{"libgone.so.2"});
    CHECK(platbench::parse_ldd_output("").libraries.empty());
}

TEST_CASE("platform plugins stay out of the bundle: the runner loads workloads only") {
    Fixture f;
    // Any file named like a platform plugin: the bundle must not even read it.
    std::ofstream(f.host.plugin_dir / "platform_big.so") << "not loaded by the runner";
    const platbench::Bundle bundle = platbench::build_bundle(f.host, f.cache);
    CHECK(is_in_bundle(bundle, "/usr/lib/platbench/plugins/workload_echo.so"));
    CHECK_FALSE(fs::exists(bundle.root / "usr/lib/platbench/plugins/platform_big.so"));
}

TEST_CASE("the bundle holds the runner, the plugins, their libraries and the loader") {
    Fixture f;
    platbench::BundleBuildInfo info;
    const platbench::Bundle bundle = platbench::build_bundle(f.host, f.cache, info);
    CHECK_FALSE(info.reused);
    CHECK(info.files_copied > 3);
    CHECK(bundle.runner_path == "/usr/bin/platbench-runner");
    CHECK(bundle.plugin_dir == "/usr/lib/platbench/plugins");
    CHECK(bundle.content_hash.size() == 64);
    CHECK(bundle.root == f.cache / "bundles" / bundle.content_hash / "root");

    // platbench's own files come without their debug sections (line tables stay on the host).
    const fs::path bundled_runner = bundle.root / "usr/bin/platbench-runner";
    CHECK_FALSE(platbench::has_debug_sections(bundled_runner));
    CHECK_FALSE(platbench::has_debug_sections(bundle.root / "usr/lib/libplatbench-sdk.so"));
    if (platbench::has_debug_sections(f.host.runner)) CHECK(fs::file_size(bundled_runner) < fs::file_size(f.host.runner));
    else CHECK(read_file(bundled_runner) == read_file(f.host.runner));
    CHECK(info.notes.empty());
    CHECK(is_in_bundle(bundle, "/usr/lib/platbench/plugins/workload_echo.so"));
    CHECK(is_in_bundle(bundle, "/usr/lib/libplatbench-sdk.so"));
    // System libraries at their host paths, as real files with the real bytes.
    for (const platbench::SharedLibrary& library : platbench::resolve_dependencies(PLATBENCH_RUNNER).libraries) {
        if (library.name == "libplatbench-sdk.so") continue;
        CAPTURE(library.path);
        CHECK(is_in_bundle(bundle, library.path.lexically_normal().string()));
        CHECK(fs::file_size(bundle.root / library.path.lexically_normal().relative_path()) == fs::file_size(library.path));
    }
    const fs::path loader = host_loader();
    CHECK(is_in_bundle(bundle, loader.string()));
    CHECK(is_in_bundle(bundle, fs::canonical(loader).string()));
    for (const char* dir : {"tmp", "proc", "sys", "dev", "etc", "work"}) CHECK(fs::is_directory(bundle.root / dir));
    CHECK((fs::status(bundle.root / "tmp").permissions() & fs::perms::sticky_bit) != fs::perms::none);
    // Nothing in the tree is a link: every platform copies plain files.
    for (const auto& entry : fs::recursive_directory_iterator(bundle.root)) CHECK_FALSE(entry.is_symlink());

    // The manifest lies beside the tree and the hash covers exactly the tree.
    const json manifest = json::parse(read_file(bundle.root.parent_path() / "bundle.json"));
    CHECK(manifest["hash"] == bundle.content_hash);
    CHECK(manifest["files"].size() == info.files_copied);
    CHECK(platbench::hash_tree(bundle.root) == bundle.content_hash);
    // No staging directory is left behind.
    for (const auto& entry : fs::directory_iterator(f.cache / "bundles"))
        CHECK_FALSE(entry.path().filename().string().starts_with(".staging-"));
}

TEST_CASE("an unchanged bundle is reused without copying, with the same hash") {
    Fixture f;
    const platbench::Bundle first = platbench::build_bundle(f.host, f.cache);
    platbench::BundleBuildInfo info;
    const platbench::Bundle second = platbench::build_bundle(f.host, f.cache, info);
    CHECK(info.reused);
    CHECK(info.files_copied == 0);
    CHECK(second.content_hash == first.content_hash);
    CHECK(second.root == first.root);

    // Without the index the tree is built again and comes out identical.
    fs::remove(f.cache / "bundles" / "index.json");
    const platbench::Bundle third = platbench::build_bundle(f.host, f.cache, info);
    CHECK(info.reused);
    CHECK(info.files_copied > 0);
    CHECK(third.content_hash == first.content_hash);
}

TEST_CASE("a changed plugin gives a new bundle with a new hash") {
    Fixture f;
    const platbench::Bundle before = platbench::build_bundle(f.host, f.cache);
    change_elf(f.host.plugin_dir / "workload_echo.so");
    platbench::BundleBuildInfo info;
    const platbench::Bundle after = platbench::build_bundle(f.host, f.cache, info);
    CHECK_FALSE(info.reused);
    CHECK(after.content_hash != before.content_hash);
    CHECK(fs::is_directory(before.root));  // the old one stays for runs still using it
}

TEST_CASE("a changed library, not only a changed plugin, gives a new bundle") {
    Fixture f;
    const platbench::Bundle before = platbench::build_bundle(f.host, f.cache);
    change_elf(f.host.runner.parent_path().parent_path() / "lib" / "libplatbench-sdk.so");
    platbench::BundleBuildInfo info;
    const platbench::Bundle after = platbench::build_bundle(f.host, f.cache, info);
    CHECK_FALSE(info.reused);
    CHECK(info.files_copied > 0);
    CHECK(after.content_hash != before.content_hash);
}

TEST_CASE("missing inputs fail clearly and leave no staging directory") {
    Fixture f;
    platbench::HostRunner no_runner{f.temp.path() / "no-runner", f.host.plugin_dir};
    CHECK_THROWS_WITH_AS(platbench::build_bundle(no_runner, f.cache), doctest::Contains("platbench-runner not found"),
                         std::runtime_error);
    platbench::HostRunner no_plugins{PLATBENCH_RUNNER, f.temp.path() / "empty"};
    fs::create_directory(no_plugins.plugin_dir);
    CHECK_THROWS_WITH_AS(platbench::build_bundle(no_plugins, f.cache), doctest::Contains("no plugins"),
                         std::runtime_error);
    // A file that is not ELF cannot be resolved: refused, naming it.
    std::ofstream(f.host.plugin_dir / "workload_junk.so") << "not a library";
    CHECK_THROWS_WITH_AS(platbench::build_bundle(f.host, f.cache), doctest::Contains("workload_junk.so"),
                         std::runtime_error);
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(f.cache / "bundles", ec))
        CHECK_FALSE(entry.path().filename().string().starts_with(".staging-"));
}

TEST_CASE("the runner runs from the bundle alone") {
    Fixture f;
    const platbench::Bundle bundle = platbench::build_bundle(f.host, f.cache);
    const std::vector<std::string> describe = {"--plugin-dir", bundle.plugin_dir, "--describe", "echo"};

    // Through the bundle's own loader and libraries: works without privileges.
    const fs::path root = bundle.root;
    const std::string library_path = (root / "usr/lib").string() + ":" + (root / "lib/x86_64-linux-gnu").string() +
                                     ":" + (root / "usr/lib/x86_64-linux-gnu").string();
    const std::string loader = (root / host_loader().relative_path()).string();
    const auto via_loader = platbench::test::run_program(
        {loader, "--library-path", library_path, (root / "usr/bin/platbench-runner").string(), "--version"});
    CHECK(via_loader.exit_code == 0);
    CHECK(via_loader.out.starts_with("platbench-runner"));

    if (::geteuid() != 0) PLATBENCH_SKIP("not-root", "the chroot check needs root");
    // chroot: nothing of the host is visible, so the tree alone must suffice.
    const platbench::test::SpawnOptions in_bundle{root};
    const auto version = platbench::test::run_program({bundle.runner_path, "--version"}, in_bundle);
    CAPTURE(version.err);
    CHECK(version.exit_code == 0);
    CHECK(version.out.starts_with("platbench-runner"));

    std::vector<std::string> args = {bundle.runner_path};
    args.insert(args.end(), describe.begin(), describe.end());
    const auto described = platbench::test::run_program(args, in_bundle);
    CAPTURE(described.err);
    CHECK(described.exit_code == 0);  // the plugin and libplatbench-sdk load inside the tree
    CHECK(json::parse(described.out)["name"] == "echo");

    const auto ran = platbench::test::run_program(
        {bundle.runner_path, "--plugin-dir", bundle.plugin_dir, "--workload", "echo", "--param", "value=7",
         "--work-dir", "/work"}, in_bundle);
    CAPTURE(ran.err);
    CHECK(ran.exit_code == 0);
    std::string failure;
    const auto report = platbench::decode_runner_output(ran.out, failure);
    REQUIRE_MESSAGE(report.has_value(), failure);
    CHECK(report->metrics.at(0).value == 7.0);
}

TEST_CASE("default_cache_dir follows PLATBENCH_CACHE_DIR, XDG_CACHE_HOME, HOME") {
    auto saved = [](const char* name) -> std::optional<std::string> {
        const char* value = std::getenv(name);
        return value ? std::optional<std::string>(value) : std::nullopt;
    };
    const auto cache = saved("PLATBENCH_CACHE_DIR"), xdg = saved("XDG_CACHE_HOME"), home = saved("HOME");
    ::setenv("PLATBENCH_CACHE_DIR", "/srv/pb-cache", 1);
    ::setenv("XDG_CACHE_HOME", "/xdg", 1);
    ::setenv("HOME", "/home/u", 1);
    CHECK(platbench::default_cache_dir() == "/srv/pb-cache");
    ::unsetenv("PLATBENCH_CACHE_DIR");
    CHECK(platbench::default_cache_dir() == "/xdg/platbench");
    ::setenv("XDG_CACHE_HOME", "", 1);
    CHECK(platbench::default_cache_dir() == "/home/u/.cache/platbench");
    auto restore = [](const char* name, const std::optional<std::string>& value) {
        if (value) ::setenv(name, value->c_str(), 1); else ::unsetenv(name);
    };
    restore("PLATBENCH_CACHE_DIR", cache);
    restore("XDG_CACHE_HOME", xdg);
    restore("HOME", home);
}

// ---- programs the plugins declare (PluginDescriptor::programs) ----------------

namespace {

// A host tree laid out like an install (bin/, lib/, lib/platbench/plugins/) with
// the fio plugin, whose RUNPATH ($ORIGIN/../..) finds lib/libplatbench-sdk.so.
platbench::HostRunner make_fio_host_tree(const fs::path& base) {
    const fs::path build_lib = fs::path(PLATBENCH_RUNNER).parent_path().parent_path() / "lib";
    fs::create_directories(base / "bin");
    fs::create_directories(base / "lib" / "platbench" / "plugins");
    fs::copy_file(PLATBENCH_RUNNER, base / "bin" / "platbench-runner");
    fs::copy_file(build_lib / "libplatbench-sdk.so", base / "lib" / "libplatbench-sdk.so");
    fs::copy_file(fs::path(PLATBENCH_PLUGIN_DIR) / "workload_fio.so", base / "lib" / "platbench" / "plugins" / "workload_fio.so");
    return {base / "bin" / "platbench-runner", base / "lib" / "platbench" / "plugins"};
}

std::optional<fs::path> fio_on_path() {
    const char* path = std::getenv("PATH");
    std::string dirs = path != nullptr ? path : "";
    for (std::size_t start = 0; start <= dirs.size();) {
        std::size_t end = dirs.find(':', start);
        if (end == std::string::npos) end = dirs.size();
        const fs::path candidate = fs::path(dirs.substr(start, end - start)) / "fio";
        if (end > start && fs::is_regular_file(candidate) && ::access(candidate.c_str(), X_OK) == 0) return candidate;
        start = end + 1;
    }
    return std::nullopt;
}

// Where the bundle puts a library: its host path in the loader's default directories, else /usr/lib.
std::string bundled_library_path(const platbench::SharedLibrary& library) {
    const fs::path dir = library.path.parent_path().lexically_normal();
    const std::string text = dir.string();
    const std::string parent = dir.parent_path().string();
    const bool default_dir = text == "/lib" || text == "/usr/lib" || text == "/lib64" || text == "/usr/lib64" ||
                             ((parent == "/lib" || parent == "/usr/lib") && text.find("-linux-") != std::string::npos);
    return default_dir ? (dir / library.path.filename()).string() : "/usr/lib/" + library.name;
}

class ScopedPath {
public:
    explicit ScopedPath(const std::string& value) {
        if (const char* old = std::getenv("PATH")) old_ = old;
        ::setenv("PATH", value.c_str(), 1);
    }
    ~ScopedPath() { ::setenv("PATH", old_.c_str(), 1); }

private:
    std::string old_;
};

}  // namespace

TEST_CASE("a declared program is bundled at /usr/bin with its libraries, and runs from the tree") {
    const std::optional<fs::path> fio = fio_on_path();
    if (!fio) PLATBENCH_SKIP("no-program", "fio is not installed (apt install fio)");
    TempDir temp;
    const platbench::HostRunner host = make_fio_host_tree(temp.path() / "src");
    platbench::BundleBuildInfo info;
    const platbench::Bundle bundle = platbench::build_bundle(host, temp.path() / "cache", info);
    CHECK(info.notes.empty());
    CHECK(read_file(bundle.root / "usr/bin/fio") == read_file(*fio));
    CHECK(is_in_bundle(bundle, "/usr/lib/platbench/plugins/workload_fio.so"));
    for (const platbench::SharedLibrary& library : platbench::resolve_dependencies(*fio).libraries) {
        CAPTURE(library.path);
        CHECK(is_in_bundle(bundle, bundled_library_path(library)));
    }
    const json manifest = json::parse(read_file(bundle.root.parent_path() / "bundle.json"));
    CHECK(manifest["programs"] == json{{"fio", "/usr/bin/fio"}});
    CHECK(platbench::hash_tree(bundle.root) == bundle.content_hash);  // the program is inside the hash

    // fio from the tree, through the bundle's loader and libraries alone.
    const fs::path root = bundle.root;
    const std::string library_path = (root / "usr/lib").string() + ":" + (root / "lib/x86_64-linux-gnu").string() +
                                     ":" + (root / "usr/lib/x86_64-linux-gnu").string();
    const std::string loader = (root / host_loader().relative_path()).string();
    const auto version = platbench::test::run_program(
        {loader, "--inhibit-cache", "--library-path", library_path, (root / "usr/bin/fio").string(), "--version"});
    CAPTURE(version.err);
    CHECK(version.exit_code == 0);
    CHECK(version.out.starts_with("fio-"));

    if (::geteuid() != 0) PLATBENCH_SKIP("not-root", "the chroot check needs root");
    // chroot: the bundled runner finds the bundled fio beside it and measures. Every
    // platform gives the tree a /dev with /dev/null (run_child needs it); a bare chroot has none.
    REQUIRE(::mknod((root / "dev/null").c_str(), S_IFCHR | 0666, ::makedev(1, 3)) == 0);
    struct RemoveDevNull {
        fs::path file;
        ~RemoveDevNull() {
            std::error_code ec;
            fs::remove(file, ec);
        }
    } remove_dev_null{root / "dev/null"};
    const auto ran = platbench::test::run_program(
        {bundle.runner_path, "--plugin-dir", bundle.plugin_dir, "--workload", "fio", "--param", "file_size=1MiB",
         "--param", "direct=false", "--work-dir", "/work"},
        platbench::test::SpawnOptions{root});
    CAPTURE(ran.err);
    std::string failure;
    const auto report = platbench::decode_runner_output(ran.out, failure);
    REQUIRE_MESSAGE(report.has_value(), failure);
    CHECK_MESSAGE(report->ok, report->error);
    CHECK(report->info.count("fio_path") == 1);
    if (report->info.count("fio_path") == 1) CHECK(report->info.at("fio_path") == "/usr/bin/fio");
    CHECK(fs::is_empty(root / "work"));
}

TEST_CASE("declared program files (hpcc's Open MPI runtime) are bundled at their paths, with the libraries of their ELF files") {
    if (!platbench::find_program("hpcc") || !platbench::find_program("orted"))
        PLATBENCH_SKIP("no-program", "hpcc is not installed (apt install hpcc)");
    TempDir temp;
    platbench::HostRunner host = make_fio_host_tree(temp.path() / "src");
    fs::remove(host.plugin_dir / "workload_fio.so");
    fs::copy_file(fs::path(PLATBENCH_PLUGIN_DIR) / "workload_hpcc.so", host.plugin_dir / "workload_hpcc.so");
    platbench::BundleBuildInfo info;
    const platbench::Bundle bundle = platbench::build_bundle(host, temp.path() / "cache", info);
    const json manifest = json::parse(read_file(bundle.root.parent_path() / "bundle.json"));
    CHECK(manifest["programs"] == json{{"hpcc", "/usr/bin/hpcc"}, {"orted", "/usr/bin/orted"}});
    REQUIRE(manifest["program_files"].is_array());
    std::size_t components = 0;
    for (const json& entry : manifest["program_files"]) {
        const fs::path file = entry.get<std::string>();
        CAPTURE(file);
        REQUIRE(is_in_bundle(bundle, file.string()));
        CHECK(read_file(bundle.root / file.relative_path()) == read_file(file));
        if (file.filename().string().rfind("mca_", 0) == 0 && file.extension() == ".so") {
            ++components;
            for (const platbench::SharedLibrary& library : platbench::resolve_dependencies(file).libraries) {
                CAPTURE(library.path);
                CHECK(is_in_bundle(bundle, bundled_library_path(library)));
            }
        }
    }
    CHECK(components > 10);  // Open MPI's components, loaded at run time: no ldd of hpcc shows them
    CHECK(platbench::hash_tree(bundle.root) == bundle.content_hash);
}

TEST_CASE("a declared program missing on PATH is left out with a note, installing it gives a new bundle") {
    if (!fio_on_path()) PLATBENCH_SKIP("no-program", "fio is not installed (apt install fio)");
    TempDir temp;
    const platbench::HostRunner host = make_fio_host_tree(temp.path() / "src");
    fs::create_directory(temp.path() / "empty-bin");
    platbench::BundleBuildInfo info;
    std::optional<platbench::Bundle> without;
    {
        const ScopedPath no_fio((temp.path() / "empty-bin").string());
        without = platbench::build_bundle(host, temp.path() / "cache", info);
    }
    REQUIRE(info.notes.size() == 1);
    CHECK(info.notes[0].find("program 'fio' (needed by workload_fio.so) is not on PATH") != std::string::npos);
    CHECK_FALSE(fs::exists(without->root / "usr/bin/fio"));
    CHECK(is_in_bundle(*without, "/usr/lib/platbench/plugins/workload_fio.so"));
    const json manifest = json::parse(read_file(without->root.parent_path() / "bundle.json"));
    CHECK(manifest["programs"]["fio"].is_null());

    // fio "installed" since (back on PATH): the cached bundle must not be reused.
    const platbench::Bundle with = platbench::build_bundle(host, temp.path() / "cache", info);
    CHECK(info.notes.empty());
    CHECK_FALSE(info.reused);
    CHECK(with.content_hash != without->content_hash);
    CHECK(is_in_bundle(with, "/usr/bin/fio"));
}

TEST_CASE("a bundle carries only the workload plugins it is given, and the programs those declare") {
    if (!fio_on_path()) PLATBENCH_SKIP("no-program", "fio is not installed (apt install fio)");
    Fixture f;
    // fio's plugin where its RUNPATH ($ORIGIN/../..) finds the tree's lib/.
    const fs::path fio_plugin = f.temp.path() / "src" / "lib" / "platbench" / "plugins" / "workload_fio.so";
    fs::create_directories(fio_plugin.parent_path());
    fs::copy_file(fs::path(PLATBENCH_PLUGIN_DIR) / "workload_fio.so", fio_plugin);
    const fs::path echo = f.host.plugin_dir / "workload_echo.so";

    // An experiment of echo runs: fio's plugin, fio and fio's libraries stay out.
    const platbench::Bundle only_echo = platbench::build_bundle(platbench::BundleSources{f.host.runner, {echo}}, f.cache);
    CHECK(is_in_bundle(only_echo, "/usr/lib/platbench/plugins/workload_echo.so"));
    CHECK_FALSE(fs::exists(only_echo.root / "usr/lib/platbench/plugins/workload_fio.so"));
    CHECK_FALSE(fs::exists(only_echo.root / "usr/bin/fio"));

    // Both (an experiment of echo and fio runs) has fio too, and is another bundle.
    const platbench::Bundle everything =
        platbench::build_bundle(platbench::BundleSources{f.host.runner, {echo, fio_plugin}}, f.cache);
    CHECK(is_in_bundle(everything, "/usr/lib/platbench/plugins/workload_fio.so"));
    CHECK(is_in_bundle(everything, "/usr/bin/fio"));
    CHECK(everything.content_hash != only_echo.content_hash);
}

TEST_CASE("two workload plugins with one file name cannot share the bundle's plugin directory") {
    Fixture f;
    const fs::path other_dir = f.temp.path() / "elsewhere";
    fs::create_directories(other_dir);
    fs::copy_file(f.host.plugin_dir / "workload_echo.so", other_dir / "workload_echo.so");
    const platbench::BundleSources sources{f.host.runner,
                                           {f.host.plugin_dir / "workload_echo.so", other_dir / "workload_echo.so"}};
    CHECK_THROWS_WITH(platbench::build_bundle(sources, f.cache),
                      doctest::Contains("two workload plugins named workload_echo.so"));
    CHECK_THROWS_WITH(platbench::build_bundle(platbench::BundleSources{f.host.runner, {}}, f.cache),
                      doctest::Contains("no workload plugin to bundle"));
}

TEST_CASE("debug sections are found in platbench's own ELF files only, and never in a file that is not ELF") {
    const test::TempDir dir("debug-sections");
    if (platbench::has_debug_sections(PLATBENCH_RUNNER)) {  // built with line tables (-g1 by default)
        const fs::path stripped = dir.path() / "runner";
        CHECK(platbench::copy_without_debug_sections(PLATBENCH_RUNNER, stripped).empty());
        CHECK_FALSE(platbench::has_debug_sections(stripped));
    }
    const fs::path text = dir.path() / "text", truncated = dir.path() / "truncated";
    std::ofstream(text) << "#!/bin/sh\necho .debug_info\n";
    CHECK_FALSE(platbench::has_debug_sections(text));
    CHECK_FALSE(platbench::has_debug_sections(dir.path() / "missing"));
    const std::string runner = read_file(PLATBENCH_RUNNER);
    std::ofstream(truncated, std::ios::binary) << runner.substr(0, 100);  // the header, no section table
    CHECK_FALSE(platbench::has_debug_sections(truncated));
    // The loader is stripped by Debian: nothing to strip, copied as it is.
    CHECK_FALSE(platbench::has_debug_sections(fs::canonical(host_loader())));
}
