// The docker platform against a real Docker daemon: real images, containers,
// volumes, limits, timeouts and clean-up (the checks podman shares are in
// tests/support/engine_platform_run.hpp). Needs a daemon at $DOCKER_HOST or
// /var/run/docker.sock (scripts/setup.sh test starts one). Without one the tests
// are reported as skipped, except under CI=true, where a missing daemon fails them.
#include <doctest/doctest.h>

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <iostream>
#include <thread>

#include "bundle/bundle.hpp"
#include "bundle_image.hpp"
#include "docker_flavour.hpp"
#include "engine_client.hpp"
#include "engine_platform_run.hpp"
#include "integration.hpp"
#include "plugin/registry.hpp"
#include "platbench/runner_protocol.hpp"
#include "temp_dir.hpp"

using namespace platbench;
using namespace platbench::engine_api;
namespace fs = std::filesystem;
using test::echo_bundle;
using test::ok_report;
using test::unique_label;
using test::workload_bundle;

namespace {

std::string daemon_socket() { return test::engine_socket(platbench::docker::docker_flavour()); }

#define REQUIRE_DOCKER_DAEMON() \
    PLATBENCH_REQUIRE_PLATFORM(test::engine_daemon_problem(daemon_socket()), "Docker (no daemon answers)")

struct DockerRun : test::EnginePlatformRun {
    explicit DockerRun(const std::map<std::string, ParamValue>& values = {})
        : EnginePlatformRun("docker", daemon_socket(), values) {}
};

}  // namespace

TEST_CASE("probe records the daemon's version, storage driver and cgroup version") {
    REQUIRE_DOCKER_DAEMON();
    DockerRun docker;
    const ProbeResult probe = docker.probe();
    CHECK(probe.availability == Availability::Available);
    CHECK_FALSE(probe.metadata.at("docker_server_version").empty());
    CHECK_FALSE(probe.metadata.at("storage_driver").empty());
    CHECK((probe.metadata.at("cgroup_version") == "1" || probe.metadata.at("cgroup_version") == "2"));
    CHECK(compare_api_versions(probe.metadata.at("docker_api_version"), "1.41") >= 0);
}

TEST_CASE("probe declines CPUs the daemon's machine does not have") {
    REQUIRE_DOCKER_DAEMON();
    DockerRun docker({{"cpuset", std::string("4095")}});
    const ProbeResult probe = docker.probe();
    CHECK(probe.availability == Availability::Declined);
    CHECK(probe.reason.find("4095") != std::string::npos);
}

TEST_CASE("the image is imported once and reused while the bundle is unchanged") {
    REQUIRE_DOCKER_DAEMON();
    const EngineClient client(daemon_socket());
    const Bundle& bundle = workload_bundle();
    ensure_bundle_image(client, bundle);  // whatever state the daemon was in
    const ImageOutcome again = ensure_bundle_image(client, bundle);
    CHECK_FALSE(again.imported);
    CHECK(again.reference == bundle_image_reference(bundle));
    CHECK(client.image_exists(again.reference, within(30)));
}

TEST_CASE("stream runs in a container and sees the cpuset and the memory limit it was given") {
    REQUIRE_DOCKER_DAEMON();
    DockerRun docker({{"cpuset", std::string("0")}, {"memory", std::int64_t{512} << 20}});
    test::check_stream_sees_limits(docker, "docker");
}

TEST_CASE("a CPU bandwidth limit is seen inside the container") {
    REQUIRE_DOCKER_DAEMON();
    DockerRun docker({{"cpus", 0.5}});
    docker.prepare(workload_bundle());
    docker.runner_args = {"--workload", "stream", "--param", "array_size=100000", "--param", "ntimes=2"};
    const RunnerReport report = ok_report(docker.run());
    CHECK(report.environment["cpu_quota"].get<double>() == doctest::Approx(0.5));
}

TEST_CASE("the runner's process limits: no pids limit, nproc at most pid_max, the host's open files") {
    REQUIRE_DOCKER_DAEMON();
    DockerRun docker({{"cpus", 0.5}});
    test::check_process_limits(docker);
}

TEST_CASE("blockio runs on every storage kind, and its volume goes with the run") {
    REQUIRE_DOCKER_DAEMON();
    test::check_storage_kinds([](const char* storage) { return DockerRun({{"storage", std::string(storage)}}); });
}

TEST_CASE("a run past its timeout is killed and its container removed") {
    REQUIRE_DOCKER_DAEMON();
    DockerRun docker;
    docker.prepare(echo_bundle());
    docker.runner_args = {"--workload", "echo", "--param", "sleep=60"};
    docker.timeout = std::chrono::duration<double>(2.0);
    const auto start = std::chrono::steady_clock::now();
    const PlatformRunOutcome outcome = docker.run();
    CHECK(outcome.timed_out);
    CHECK(interpret_outcome(outcome).reason.find("timed out") != std::string::npos);
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(30));
    CHECK(docker.leftovers() == 0);
}

TEST_CASE("cancelling (Ctrl-C) stops the container and removes it") {
    REQUIRE_DOCKER_DAEMON();
    DockerRun docker;
    docker.prepare(echo_bundle());
    docker.runner_args = {"--workload", "echo", "--param", "sleep=60"};
    std::thread interrupter([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(1500));
        docker.cancel = true;
    });
    const PlatformRunOutcome outcome = docker.run();
    interrupter.join();
    CHECK(outcome.cancelled);
    CHECK(docker.leftovers() == 0);
}

TEST_CASE("a container killed for exceeding its memory limit is a failed run that says so") {
    REQUIRE_DOCKER_DAEMON();
    DockerRun docker({{"memory", std::int64_t{32} << 20}});
    docker.prepare(echo_bundle());
    docker.runner_args = {"--workload", "echo", "--param", "allocate=512MiB"};
    const PlatformRunOutcome outcome = docker.run();
    const RunInterpretation result = interpret_outcome(outcome);
    CHECK(result.status == RunStatus::Failed);
    CHECK(outcome.term_signal == 9);
    CHECK(result.reason.find("ran out of memory") != std::string::npos);
    CHECK(docker.leftovers() == 0);
}

TEST_CASE("a workload that fails or crashes in the container is a failed run with the reason") {
    REQUIRE_DOCKER_DAEMON();
    DockerRun docker;
    docker.prepare(echo_bundle());
    docker.runner_args = {"--workload", "echo", "--param", "fail=true", "--param", "message=disk on fire"};
    const RunInterpretation failed = interpret_outcome(docker.run());
    CHECK(failed.status == RunStatus::Failed);
    CHECK(failed.reason.find("disk on fire") != std::string::npos);

    docker.runner_args = {"--workload", "echo", "--param", "abort=true"};
    const PlatformRunOutcome aborted = docker.run();
    CHECK(aborted.term_signal == 6);
    CHECK(interpret_outcome(aborted).reason.find("SIGABRT") != std::string::npos);
    CHECK(docker.leftovers() == 0);
}

TEST_CASE("the container has no network unless asked") {
    REQUIRE_DOCKER_DAEMON();
    DockerRun docker;
    docker.prepare(echo_bundle());
    docker.runner_args = {"--workload", "echo"};
    ok_report(docker.run());
    // Seen from the daemon: a run's container is created with NetworkMode none (checked on a kept one).
    const EngineClient client(daemon_socket());
    ContainerSpec spec;
    spec.image = bundle_image_reference(echo_bundle());
    spec.command = {"/usr/bin/platbench-runner", "--version"};
    spec.labels = {{"platbench", "1"}, {"platbench.run", docker.run_label}};
    const std::string id = client.create_container("platbench-" + docker.run_label, spec, within(30));
    HttpRequest inspect{"GET", api("/containers/" + id + "/json"), "", std::nullopt, "application/json"};
    const HttpResponse answer = UnixHttpClient(daemon_socket()).send(inspect, within(30));
    client.remove_container(id, within(30));
    const auto description = nlohmann::json::parse(answer.body);
    CHECK(description["HostConfig"]["NetworkMode"] == "none");
    CHECK(description["Config"]["NetworkDisabled"] == true);
    // Nor host devices, privileges or a writable image.
    CHECK(description["HostConfig"]["Privileged"] == false);
    CHECK((description["HostConfig"]["Devices"].is_null() || description["HostConfig"]["Devices"].empty()));
    CHECK(description["HostConfig"]["CapDrop"] == nlohmann::json::array({"ALL"}));
    CHECK(description["HostConfig"]["ReadonlyRootfs"] == true);
}

TEST_CASE("the container's root filesystem is read-only, its work directory writable, and it holds no privileges") {
    REQUIRE_DOCKER_DAEMON();
    DockerRun docker;
    docker.prepare(echo_bundle());
    test::TempDir work{"platbench-docker-work", "/var/tmp"};
    docker.work_dir = work.path();
    test::check_confined(docker, "written-in-the-work-dir");
    CHECK(docker.leftovers() == 0);
}

TEST_CASE("clean removes leftover platbench containers and volumes, found by label, not those of a running platbench") {
    REQUIRE_DOCKER_DAEMON();
    DockerRun docker;
    test::check_clean_spares_running(docker);
}
