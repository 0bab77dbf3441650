// skeleton_local: a documented, minimal platform plugin to copy when writing your own.
//
// A platform never measures anything itself: it starts platbench-runner where its
// runs should happen (here: a child process of the host, under a niceness of the
// experiment's choice) and hands back what the runner printed. The engine decodes
// the result line, stores the run and compares it with the baseline.
//
// Its hooks, in the order the engine calls them (platbench/platform.hpp):
//   validate()  Not required. Cross-setting checks when the experiment is validated,
//               on the host, before anything runs; each string is one error.
//   probe()     Required. Once per platform instance: can it run here, with these
//               settings? Available, Declined (its runs are skipped, saying why) or
//               Broken (its runs fail, saying why), with metadata recorded with every
//               run and caveats the reader must know.
//   prepare()   Not required. Once per instance before its first run: build an image,
//               create a parent object. Throwing fails the instance's runs.
//   run()       Required. One run: start the runner with the request's arguments, wait
//               for it (or its timeout, or Ctrl-C), and return what it printed. Never
//               throws for a failed run: say what happened in the outcome.
//   clean()     Not required. `platbench clean`, and the start of every run after a
//               crash: remove the leftovers of runs whose platbench process is gone.
//
// Only the SDK's public headers are used (find_package(platbench), platbench::sdk).
#include <string>

#include "platbench/plugin.hpp"
#include "platbench/process.hpp"

namespace {

using namespace platbench;

class SkeletonPlatform : public Platform {
public:
    std::vector<std::string> validate(const ParamValues& settings) const override {
        if (settings.integer("niceness") < 0 && settings.boolean("polite"))
            return {"a negative niceness is not polite: give niceness 0-19, or polite: false"};
        return {};
    }

    ProbeResult probe(const ParamValues& settings) override {
        ProbeResult result;
        if (!find_program("nice")) {
            result.availability = Availability::Declined;
            result.reason = "the program nice (Debian package coreutils) is not on PATH";
            return result;
        }
        result.metadata["niceness"] = std::to_string(settings.integer("niceness"));
        return result;
    }

    PlatformRunOutcome run(const PlatformRunRequest& request) override {
        // The runner's command line (platbench/platform.hpp): the runner, the engine's
        // arguments unchanged, then where the workload plugins are.
        ChildRequest child;
        child.argv = {"nice", "-n", std::to_string(request.settings.integer("niceness")),
                      request.host_runner.runner.string()};
        child.argv.insert(child.argv.end(), request.runner_args.begin(), request.runner_args.end());
        child.argv.insert(child.argv.end(), {"--plugin-dir", request.host_runner.plugin_dir.string()});
        // The workload's directory is the runner's working directory.
        if (!request.work_dir.empty()) child.working_directory = request.work_dir;
        child.timeout = request.timeout;
        child.cancel = &request.cancel;  // Ctrl-C: run_child stops the runner
        PlatformRunOutcome outcome = platform_outcome_of(run_child(child));
        outcome.metadata["started_with"] = "nice -n " + std::to_string(request.settings.integer("niceness"));
        return outcome;
    }
};

PluginDescriptor make_skeleton_platform_descriptor() {
    PluginDescriptor d;
    d.kind = PluginKind::Platform;
    d.name = "skeleton_local";  // what experiment files write after `plugin:`
    d.description = "Example platform: the runner as a child process under nice (copy me)";
    // Flags say what the engine cannot guess (platbench/plugin.hpp): kPlatformNeedsBundle
    // for a platform that runs the runner from the bundle (an image, a VM),
    // kPlatformVirtualMachine, kPlatformBaseline. This one needs none.
    d.flags = kNoFlags;
    // One row per setting, its members in declaration order (platbench/params.hpp):
    // integer bounds as .min/.max, real ones as .real_min/.real_max. .fingerprint marks
    // a setting that changes what the platform is (platbench compare names it).
    d.params = {
        ParamSpec{
            .name = "niceness",
            .type = ParamType::Integer,
            .default_value = "0",
            .help = "the runner's niceness (nice -n): higher yields the CPU to others",
            .min = -20,
            .max = 19,
            .fingerprint = true},
        ParamSpec{
            .name = "polite",
            .type = ParamType::Bool,
            .default_value = "true",
            .help = "refuse a negative niceness (an example of validate())"},
    };
    // Metadata keys that identify the platform's software; none here.
    d.fingerprint_metadata = {};
    d.create_platform = [] { return std::unique_ptr<Platform>(new SkeletonPlatform()); };
    return d;
}

}  // namespace

PLATBENCH_PLUGIN(make_skeleton_platform_descriptor)
