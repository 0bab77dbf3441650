// Platform "scripted": answers every run with the canned outcome named by `mode`.
#include <stdexcept>

#include "platbench/plugin.hpp"
#include "platbench/runner_protocol.hpp"

namespace {

using namespace platbench;

// What the platform claims its overhead to be: never stored (tests check that).
constexpr double kIgnoredOverheadSeconds = 1000;

RunnerReport valid_report() {
    RunnerReport report;
    report.ok = true;
    report.workload = "echo";
    report.metrics.push_back({"echo_value", 42.0, "units", Better::Higher});
    report.runner_seconds = 0.0;  // the whole run() is the platform's overhead
    return report;
}

class ScriptedPlatform : public Platform {
public:
    ProbeResult probe(const ParamValues& settings) override {
        const std::string& mode = settings.text("mode");
        if (mode == "declined") return {Availability::Declined, "scripted to decline", {}, {}};
        if (mode == "broken") return {Availability::Broken, "scripted to be broken", {}, {}};
        return {Availability::Available, "", {{"scripted_mode", mode}}, {}};
    }

    PlatformRunOutcome run(const PlatformRunRequest& request) override {
        const std::string& mode = request.settings.text("mode");
        PlatformRunOutcome outcome;
        outcome.started = true;
        outcome.exit_code = 0;
        outcome.overhead_seconds = kIgnoredOverheadSeconds;  // the engine computes the overhead, not the platform
        const std::string line = encode_result_line(valid_report());
        if (mode == "ok") {
            outcome.stdout_text = "guest chatter\n" + line;
        } else if (mode == "garbage") {
            outcome.stdout_text = std::string("\x01\xff garbage {\"ok\": tru", 22) + "\n@@platbench-result v1 zz\n";
        } else if (mode == "flood") {
            outcome.stdout_text = std::string(20 * 1024 * 1024, 'z') + "\n" + line;  // past the decoder's 16 MiB
        } else if (mode == "truncated") {
            outcome.stdout_text = line.substr(0, line.size() / 2);
        } else if (mode == "crash") {
            outcome.exit_code = -1;
            outcome.term_signal = 11;
            outcome.stderr_text = "Segmentation fault";
        } else if (mode == "exit3") {
            outcome.exit_code = 3;
            outcome.stderr_text = "platbench-runner: no workload plugin named 'x'";
        } else if (mode == "throw") {
            throw std::runtime_error("scripted exception in run()");
        } else if (mode == "unstarted") {
            outcome.started = false;
            outcome.failure = "scripted start failure";
        }
        return outcome;
    }
};

PluginDescriptor make_scripted_descriptor() {
    PluginDescriptor d;
    d.kind = PluginKind::Platform;
    d.name = "scripted";
    d.description = "Test platform: canned outcomes, runs nothing";
    ParamSpec mode;
    mode.name = "mode";
    mode.type = ParamType::Choice;
    mode.default_value = "ok";
    mode.choices = {"ok", "garbage", "flood", "truncated", "crash", "exit3", "throw", "unstarted", "declined", "broken"};
    mode.help = "the outcome every run gets";
    d.params.push_back(mode);
    d.create_platform = [] { return std::unique_ptr<Platform>(new ScriptedPlatform()); };
    return d;
}

}  // namespace

PLATBENCH_PLUGIN(make_scripted_descriptor)
