// A platform plugin from the build tree with everything one run request refers
// to: what the platform integration tests (docker, kvm, singularity) share.
#pragma once

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "integration.hpp"
#include "plugin/registry.hpp"
#include "platbench/environment.hpp"
#include "platbench/runner_protocol.hpp"

namespace test {

// The platform plugin `name` (platform_<name>.so), loaded once per test process.
inline const platbench::LoadedPlugin& platform_plugin(const std::string& name) {
    static std::map<std::string, std::unique_ptr<platbench::LoadedPlugin>> plugins;
    auto& plugin = plugins[name];
    if (!plugin) plugin = platbench::load_plugin_file(std::string(PLATBENCH_PLUGIN_DIR) + "/platform_" + name + ".so");
    return *plugin;
}

struct PlatformRun {
    const platbench::LoadedPlugin& plugin;
    platbench::ParamValues settings;
    std::unique_ptr<platbench::Platform> platform = plugin.descriptor->create_platform();
    platbench::HostRunner host_runner{PLATBENCH_RUNNER, PLATBENCH_PLUGIN_DIR};
    std::vector<std::string> runner_args;
    std::map<std::string, std::string> labels;
    std::atomic<bool> cancel{false};
    std::chrono::duration<double> timeout{120.0};
    std::filesystem::path work_dir;
    std::string run_label = unique_label("run");
    double last_run_seconds = 0;  // the wall time of the last run(), as the engine measures it
    const platbench::NetworkPath* network = nullptr;  // open_network()'s path, for a network workload's run

    // `values` override `base` (the test file's own defaults); the table's defaults fill the rest.
    PlatformRun(const std::string& name, const std::map<std::string, platbench::ParamValue>& base,
                const std::map<std::string, platbench::ParamValue>& values)
        : plugin(platform_plugin(name)) {
        for (const auto* layer : {&base, &values})
            for (const auto& [setting, value] : *layer) settings.set(setting, value);
        platbench::apply_defaults(plugin.descriptor->params, settings);
        labels = {{"platbench", "1"}, {"platbench.experiment", name + "-integration"}, {"platbench.run", run_label}};
    }

    platbench::ProbeResult probe() { return platform->probe(settings); }

    void prepare(const platbench::Bundle& bundle) {
        const platbench::ProbeResult probed = probe();
        INFO("probe: " << probed.reason);
        REQUIRE(probed.availability == platbench::Availability::Available);
        platform->prepare({settings, &bundle});
    }

    platbench::PlatformRunOutcome run() {
        const platbench::PlatformRunRequest request{settings, host_runner, nullptr, runner_args, work_dir,
                                                    timeout,  labels,      cancel,  network};
        const auto start = std::chrono::steady_clock::now();
        platbench::PlatformRunOutcome outcome = platform->run(request);
        last_run_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        return outcome;
    }

    // The echo test workload with these "name=value" parameters, as the next run.
    void run_echo(std::vector<std::string> params) {
        runner_args = {"--workload", "echo"};
        for (std::string& param : params) runner_args.insert(runner_args.end(), {"--param", std::move(param)});
    }
};

// The runner's report of a run that must have succeeded; says why when it did not.
inline platbench::RunnerReport ok_report(const platbench::PlatformRunOutcome& outcome) {
    const platbench::RunInterpretation result = platbench::interpret_outcome(outcome);
    INFO("reason: " << result.reason << "; stderr: " << outcome.stderr_text << "; failure: " << outcome.failure);
    REQUIRE(result.status == platbench::RunStatus::Ok);
    return *result.report;
}

// The platform keeps its runner confined: a write outside the work directory
// fails, a write to `writable_path` (in the work directory) succeeds, and the
// runner holds no capabilities and cannot gain any.
inline void check_confined(PlatformRun& platform, const std::string& writable_path) {
    platform.run_echo({"write_path=/etc/platbench-was-here", "write_text=x"});
    const platbench::RunInterpretation refused = platbench::interpret_outcome(platform.run());
    CHECK(refused.status == platbench::RunStatus::Failed);
    CHECK(refused.reason.find("cannot open /etc/platbench-was-here for writing") != std::string::npos);
    platform.run_echo({"write_path=" + writable_path, "write_text=x", "read_path=/proc/self/status"});
    const platbench::RunnerReport report = ok_report(platform.run());
    CHECK(platbench::proc_field(report.info.at("read_text"), "CapEff") == "0000000000000000");
    CHECK(platbench::proc_field(report.info.at("read_text"), "NoNewPrivs") == "1");
}

}  // namespace test
