// What the docker and podman integration tests share: their platform plugin run
// against a real daemon, the daemon's own view of what a run left behind, and the
// checks both platforms must pass, written once.
#pragma once

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <map>
#include <sstream>
#include <string>
#include <utility>

#include "bundle_image.hpp"
#include "container_run.hpp"
#include "engine_client.hpp"
#include "engine_platform.hpp"
#include "platform_run.hpp"
#include "temp_dir.hpp"

namespace test {

// Where the flavour's daemon is for these tests: as the platform finds it without a setting.
inline std::string engine_socket(const platbench::engine_api::EngineFlavour& flavour) {
    return platbench::engine_api::resolve_endpoint("", flavour.endpoint).socket_path;
}

// Empty when a daemon answers on `socket_path`; otherwise why not. Asked once per socket.
inline std::string engine_daemon_problem(const std::string& socket_path) {
    static std::map<std::string, std::string> problems;
    if (auto known = problems.find(socket_path); known != problems.end()) return known->second;
    std::string problem;
    try {
        platbench::engine_api::EngineClient(socket_path).ping(platbench::engine_api::within(10));
    } catch (const std::exception& e) {
        problem = e.what();
    }
    return problems[socket_path] = problem;
}

struct EnginePlatformRun : PlatformRun {
    std::string socket_path;

    EnginePlatformRun(const std::string& name, std::string socket,
                      const std::map<std::string, platbench::ParamValue>& values)
        : PlatformRun(name, {}, values), socket_path(std::move(socket)) {}

    platbench::engine_api::EngineClient client() const { return platbench::engine_api::EngineClient(socket_path); }

    // Containers and volumes still carrying this run's label.
    std::size_t leftovers() const {
        using platbench::engine_api::within;
        return client().labelled_containers("platbench.run=" + run_label, within(30)).size() +
               client().labelled_volumes("platbench.run=" + run_label, within(30)).size();
    }
};

// stream in a container pinned to CPU 0 under a memory limit: the runner sees both,
// and the daemon's name is what it observes as its container.
inline void check_stream_sees_limits(EnginePlatformRun& engine, const std::string& container) {
    REQUIRE(engine.probe().availability == platbench::Availability::Available);
    engine.prepare(workload_bundle());
    engine.runner_args = {"--workload", "stream", "--param", "array_size=1000000", "--param", "ntimes=3"};
    const platbench::PlatformRunOutcome outcome = engine.run();
    const platbench::RunnerReport report = ok_report(outcome);
    CHECK(report.environment["affinity"] == nlohmann::json::array({0}));
    CHECK(report.environment["memory_limit_bytes"] == (std::int64_t{512} << 20));
    CHECK(report.environment["container"] == container);
    // The engine's overhead (the run's wall time less the runner's life) is there to see.
    REQUIRE(report.runner_seconds.has_value());
    CHECK(engine.last_run_seconds > *report.runner_seconds);
    CHECK(outcome.metadata.at("image") == platbench::engine_api::bundle_image_reference(workload_bundle()));
    CHECK(engine.leftovers() == 0);
}

// The soft and hard value of a /proc/<pid>/limits line ("Max processes"), as written there.
inline std::pair<std::string, std::string> proc_limit(const std::string& limits_text, const std::string& name) {
    std::istringstream lines(limits_text);
    for (std::string line; std::getline(lines, line);) {
        if (line.rfind(name, 0) != 0) continue;
        std::istringstream values(line.substr(name.size()));
        std::string soft, hard;
        values >> soft >> hard;
        return {soft, hard};
    }
    return {};
}

// The runner's process limits in the container are the same on every engine: no
// pids cgroup limit (whatever the daemon's default), nproc as on the host but at most
// pid_max, open files as on the host; and a CPU bandwidth limit is seen.
inline void check_process_limits(EnginePlatformRun& engine) {
    const platbench::ProbeResult probed = engine.probe();
    REQUIRE(probed.availability == platbench::Availability::Available);
    const bool cgroup_v1 = probed.metadata.at("cgroup_version") == "1";
    engine.prepare(echo_bundle());
    engine.run_echo({std::string("read_path=") + (cgroup_v1 ? "/sys/fs/cgroup/pids/pids.max" : "/sys/fs/cgroup/pids.max")});
    const platbench::RunnerReport pids = ok_report(engine.run());
    CHECK(pids.info.at("read_text") == "max\n");
    CHECK(pids.environment["cpu_quota"].get<double>() == doctest::Approx(0.5));

    engine.run_echo({"read_path=/proc/self/limits"});
    const std::string limits = ok_report(engine.run()).info.at("read_text");
    rlimit open_files{}, processes{};
    REQUIRE(::getrlimit(RLIMIT_NOFILE, &open_files) == 0);
    REQUIRE(::getrlimit(RLIMIT_NPROC, &processes) == 0);
    const auto wanted = platbench::engine_api::container_rlimits(open_files, processes,
                                                                 platbench::engine_api::kernel_pid_max());
    for (const auto& [name, line] : {std::pair{"nproc", "Max processes"}, std::pair{"nofile", "Max open files"}}) {
        CAPTURE(name);
        if (wanted.count(name) == 0) continue;
        CHECK(proc_limit(limits, line) == std::pair{std::to_string(wanted.at(name).first),
                                                    std::to_string(wanted.at(name).second)});
    }
    CHECK(engine.leftovers() == 0);
}

// blockio on a named volume, a bind-mounted host directory and the container's own
// layer; the volume goes with the run. `make_run(storage)` gives the platform to run.
template <typename MakeRun>
void check_storage_kinds(MakeRun make_run) {
    for (const char* storage : {"volume", "bind", "container"}) {
        CAPTURE(storage);
        auto engine = make_run(storage);
        engine.prepare(workload_bundle());
        TempDir work{"platbench-engine-work", "/var/tmp"};
        engine.work_dir = work.path();
        engine.runner_args = {"--workload", "blockio", "--param", "file_size=8MiB", "--param", "runtime=0.5s"};
        const platbench::PlatformRunOutcome outcome = engine.run();
        const platbench::RunnerReport report = ok_report(outcome);
        CHECK(outcome.metadata.at("storage") == storage);
        CHECK(std::any_of(report.metrics.begin(), report.metrics.end(),
                          [](const platbench::Metric& m) { return m.name == "read_iops" && m.value > 0; }));
        CHECK(engine.leftovers() == 0);
    }
}

// `clean` removes the containers and volumes of a platbench that is gone, found by
// label, and leaves those of one still running (this process) and the image.
inline void check_clean_spares_running(EnginePlatformRun& engine) {
    using namespace platbench::engine_api;
    const EngineClient client = engine.client();
    ensure_bundle_image(client, echo_bundle());
    ContainerSpec spec;
    spec.image = bundle_image_reference(echo_bundle());
    spec.command = {"/usr/bin/platbench-runner", "--version"};
    spec.labels = engine.labels;
    // Named as platbench names them: by a process that is gone, and by this one (still running).
    const std::string gone = "platbench-" + engine.run_label + "-999999999-0";
    const std::string running = "platbench-" + engine.run_label + "-" + std::to_string(::getpid()) + "-0";
    const std::string id = client.create_container(gone, spec, within(30));
    client.create_volume(volume_name_for(gone), engine.labels, within(30));
    const std::string running_id = client.create_container(running, spec, within(30));
    client.create_volume(volume_name_for(running), engine.labels, within(30));
    REQUIRE(engine.leftovers() == 4);

    const std::vector<std::string> removed = engine.platform->clean(false);
    CHECK(std::find(removed.begin(), removed.end(), "container " + id.substr(0, 12)) != removed.end());
    CHECK(std::find(removed.begin(), removed.end(), "volume " + volume_name_for(gone)) != removed.end());
    CHECK(engine.leftovers() == 2);  // the running experiment's container and volume stay
    CHECK(client.image_exists(spec.image, within(30)));  // images only with --images
    client.remove_container(running_id, within(30));
    client.remove_volume(volume_name_for(running), within(30));
    CHECK(engine.leftovers() == 0);
}

}  // namespace test
