// The "singularity" platform: the runner bundle as an Apptainer (or SingularityCE)
// image, one `apptainer exec --containall` per run, driven through the command
// line with argument vectors. Tested with Apptainer 1.4.
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <optional>

#include "bundle_image.hpp"
#include "container_run.hpp"
#include "owned_files.hpp"
#include "platbench/plugin.hpp"
#include "local_network.hpp"
#include "platbench/process.hpp"

namespace {

using namespace platbench;
using namespace platbench::singularity;
namespace fs = std::filesystem;

constexpr std::chrono::seconds kVersionTimeout{20};

ProbeResult answer(Availability availability, std::string reason, ProbeResult result = {}) {
    result.availability = availability;
    result.reason = std::move(reason);
    return result;
}

// The setting, else $PLATBENCH_APPTAINER_IMAGE_DIR (which `platbench clean`, knowing
// no settings, also reads), else a per-user directory in /var/tmp.
fs::path image_dir_from(const ParamValues& settings) {
    if (settings.has("image_dir") && !settings.text("image_dir").empty()) return settings.text("image_dir");
    if (const char* dir = std::getenv("PLATBENCH_APPTAINER_IMAGE_DIR"); dir != nullptr && *dir != '\0') return dir;
    return fs::path("/var/tmp") / ("platbench-apptainer-" + std::to_string(::getuid()));
}

ImageFormat format_from(const ParamValues& settings) {
    return settings.text("image_format") == "sandbox" ? ImageFormat::Sandbox : ImageFormat::Sif;
}

std::string not_installed_reason(const std::string& setting) {
    if (!setting.empty()) return "the program `" + setting + "` given as `program:` is not found or not executable";
    return "neither apptainer nor singularity is installed (none in PATH); on Debian 12, "
           "scripts/install-apptainer.sh installs Apptainer (scripts/setup.sh runs it); on a cluster, load its "
           "module or set `program:`";
}

// `program --version`: proves the program runs at all (a relocated build with a
// broken C library fails here, not in every run) and names what was measured.
ProbeResult probe_program(const fs::path& program) {
    ChildRequest request;
    request.argv = {program.string(), "--version"};
    request.timeout = kVersionTimeout;
    const ChildOutcome outcome = run_child(request);
    ProbeResult result;
    result.metadata["apptainer_program"] = program.string();
    if (!outcome.started || outcome.exit_code != 0) {
        const std::string said = outcome.started ? outcome.stderr_text + outcome.stdout_text : outcome.failure;
        return answer(Availability::Broken, program.string() + " --version fails: " + said.substr(0, 1000),
                      std::move(result));
    }
    const std::optional<ProgramVersion> version = parse_version_output(outcome.stdout_text);
    if (!version)
        return answer(Availability::Broken,
                      program.string() + " --version does not name apptainer or singularity: " +
                          outcome.stdout_text.substr(0, 200),
                      std::move(result));
    result.metadata["apptainer_product"] = version->product;
    result.metadata["apptainer_version"] = version->version;
    return result;
}

class SingularityPlatform : public Platform {
public:
    std::vector<std::string> validate(const ParamValues& settings) const override {
        std::vector<std::string> errors;
        for (const char* name : {"image_dir", "scratch_dir"})
            if (settings.has(name) && settings.text(name).find_first_of(",:") != std::string::npos)
                errors.push_back(std::string(name) + " holds ',' or ':', which apptainer's --bind cannot carry");
        return errors;
    }

    ProbeResult probe(const ParamValues& settings) override {
        const std::string setting = settings.has("program") ? settings.text("program") : std::string();
        const std::optional<fs::path> program = locate_program(setting);
        if (!program) return answer(Availability::Declined, not_installed_reason(setting));
        return probe_program(*program);
    }

    void prepare(const PlatformPrepareRequest& request) override {
        if (request.bundle == nullptr) throw std::runtime_error("the singularity platform needs the runner bundle");
        const ParamValues& settings = request.settings;
        const std::string program_setting = settings.has("program") ? settings.text("program") : std::string();
        const std::optional<fs::path> program = locate_program(program_setting);
        if (!program) throw std::runtime_error(not_installed_reason(program_setting));
        const fs::path image_dir = image_dir_from(settings);
        ensure_private_dir(image_dir, "image_dir");
        remove_leftovers_in_configured_dirs(settings, image_dir);
        const ImageOutcome image =
            ensure_bundle_image({*program, format_from(settings), image_dir, *request.bundle});
        settings_.program = *program;
        settings_.image = image.path;
        settings_.drop_privileges = settings.boolean("no_privs");
        settings_.show_cgroups = settings.boolean("show_cgroups");
        if (settings.has("scratch_dir") && !settings.text("scratch_dir").empty()) {
            settings_.scratch_dir = settings.text("scratch_dir");
            fs::create_directories(settings_.scratch_dir);
        }
        settings_.runner_path = request.bundle->runner_path;
        settings_.plugin_dir = request.bundle->plugin_dir;
        image_note_ = image.built ? "built in " + std::to_string(image.seconds) + " s" : "reused";
        prepared_ = true;
    }

    PlatformRunOutcome run(const PlatformRunRequest& request) override {
        if (!prepared_) {
            PlatformRunOutcome outcome;
            outcome.failure = "the singularity platform was not prepared (no image)";
            return outcome;
        }
        PlatformRunOutcome outcome = run_in_container(request, settings_);
        outcome.metadata["image_build"] = image_note_;
        if (leftovers_removed_ != 0) {
            outcome.metadata["leftovers_removed"] = std::to_string(leftovers_removed_) + " of killed runs, before this run";
            leftovers_removed_ = 0;
        }
        outcome.metadata["image_format"] = request.settings.text("image_format");
        return outcome;
    }

    // Builds of a platbench process that died; with images, the cached images too.
    // (Directories given by settings, image_dir: and scratch_dir:, are not known
    // here; prepare() cleans those when the next experiment with them starts.)
    // host: the host's network, the peer on loopback; namespace: a namespace of
    // the run's on a bridge, entered before apptainer starts.
    NetworkPath open_network(const NetworkPathRequest& request) override {
        const std::string setting = request.settings.text("network");
        if (setting == "host") return local_network::loopback_path(setting);
        return paths_.open_namespace(setting);
    }

    void close_network(const NetworkPath& path) noexcept override { paths_.close(path); }

    std::vector<std::string> clean(bool including_images) override {
        std::vector<std::string> removed = local_network::remove_leftovers();
        const fs::path dir = image_dir_from(ParamValues());
        remove_leftover_entries(dir, removed, "building-");
        if (!including_images) return removed;
        std::error_code ec;
        for (const auto& entry : fs::directory_iterator(dir, ec)) {
            if (!is_cached_image_name(entry.path().filename().string())) continue;
            fs::remove_all(entry.path(), ec);
            removed.push_back("image " + entry.path().string());
        }
        return removed;
    }

private:
    local_network::OpenPaths paths_;
    // Builds and run directories of killed platbench processes in the directories
    // this experiment's settings name, which `platbench clean` cannot know.
    void remove_leftovers_in_configured_dirs(const ParamValues& settings, const fs::path& image_dir) {
        std::vector<std::string> removed;
        remove_leftover_entries(image_dir, removed, "building-");
        if (settings.has("scratch_dir") && !settings.text("scratch_dir").empty())
            remove_leftover_entries(settings.text("scratch_dir"), removed, "platbench-");
        leftovers_removed_ = removed.size();
    }

    bool prepared_ = false;
    std::size_t leftovers_removed_ = 0;  // by prepare(), recorded with the first run
    ContainerSettings settings_;
    std::string image_note_;
};

PluginDescriptor make_singularity_descriptor() {
    PluginDescriptor d;
    d.kind = PluginKind::Platform;
    d.name = "singularity";
    d.description = "Apptainer / Singularity containers through the apptainer command line";
    d.flags = kPlatformNeedsBundle;
    d.fingerprint_metadata = {"apptainer_product", "apptainer_version", "image", "image_format", "network_interfaces",
                              "network_mtu"};
    d.params = {
        ParamSpec{
            .name = "program",
            .type = ParamType::String,
            .help = "the apptainer or singularity program, a name in PATH or a path (default: apptainer, else "
                   "singularity)"},
        ParamSpec{
            .name = "image_format",
            .type = ParamType::Choice,
            .default_value = "sif",
            .help = "run the bundle as a SIF file (squashfs, as HPC sites do) or as a sandbox directory",
            .choices = {"sif", "sandbox"},
            .fingerprint = true},
        ParamSpec{
            .name = "image_dir",
            .type = ParamType::String,
            .help = "where images are built and cached by bundle content (default: $PLATBENCH_APPTAINER_IMAGE_DIR, else "
                   "/var/tmp/platbench-apptainer-<uid>)"},
        ParamSpec{
            .name = "scratch_dir",
            .type = ParamType::String,
            .help = "host directory in which each run gets its working directory, bound at /work, e.g. a node's "
                   "local scratch (default: the run's directory under the output directory)"},
        ParamSpec{
            .name = "no_privs",
            .type = ParamType::Bool,
            .default_value = "true",
            .help = "drop all capabilities in the container (--no-privs): the workload needs none, and as root "
                   "apptainer may refuse to start without it"},
        network_param({"host", "namespace"}, "host",
                      "a network workload's path to its peer: host (the host's network, apptainer's default; the peer "
                      "on loopback), or namespace (a network namespace joined by a veth pair to a bridge that the run "
                      "creates, which the container shares). Other runs get a namespace with loopback only"),
        ParamSpec{
            .name = "show_cgroups",
            .type = ParamType::Bool,
            .default_value = "true",
            .help = "bind the host's /sys/fs/cgroup read-only, so the workload sees and records its limits"},
        cpuset_param(),
        cpus_param(),
        memory_param(),
    };
    d.create_platform = [] { return std::unique_ptr<Platform>(new SingularityPlatform()); };
    return d;
}

}  // namespace

PLATBENCH_PLUGIN(make_singularity_descriptor)
