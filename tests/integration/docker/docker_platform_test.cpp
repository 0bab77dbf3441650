// The docker platform against a real Docker daemon: real images, containers,
// volumes, limits, timeouts and clean-up. Needs a daemon at $DOCKER_HOST or
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
#include "docker_client.hpp"
#include "docker_endpoint.hpp"
#include "integration.hpp"
#include "platform_run.hpp"
#include "plugin/registry.hpp"
#include "platbench/runner_protocol.hpp"
#include "temp_dir.hpp"

using namespace platbench;
using namespace platbench::docker;
namespace fs = std::filesystem;
using test::echo_bundle;
using test::ok_report;
using test::unique_label;
using test::workload_bundle;

namespace {

std::string daemon_socket() { return resolve_endpoint("", std::getenv("DOCKER_HOST")).socket_path; }

// Empty when a daemon answers; otherwise why not.
std::string daemon_problem() {
    static const std::string problem = [] {
        try {
            DockerClient(daemon_socket()).ping(within(10));
            return std::string();
        } catch (const std::exception& e) {
            return std::string(e.what());
        }
    }();
    return problem;
}

#define REQUIRE_DOCKER_DAEMON() PLATBENCH_REQUIRE_PLATFORM(daemon_problem(), "Docker (no daemon answers)")

struct DockerRun : test::PlatformRun {
    explicit DockerRun(const std::map<std::string, ParamValue>& values = {}) : PlatformRun("docker", {}, values) {}

    // Containers and volumes still carrying this run's label.
    std::size_t leftovers() const {
        const DockerClient client(daemon_socket());
        return client.labelled_containers("platbench.run=" + run_label, within(30)).size() +
               client.labelled_volumes("platbench.run=" + run_label, within(30)).size();
    }
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
    const DockerClient client(daemon_socket());
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
    REQUIRE(docker.probe().availability == Availability::Available);
    docker.prepare(workload_bundle());
    docker.runner_args = {"--workload", "stream", "--param", "array_size=1000000", "--param", "ntimes=3"};
    const PlatformRunOutcome outcome = docker.run();
    const RunnerReport report = ok_report(outcome);
    CHECK(report.environment["affinity"] == nlohmann::json::array({0}));
    CHECK(report.environment["memory_limit_bytes"] == (std::int64_t{512} << 20));
    CHECK(report.environment["container"] == "docker");
    CHECK(outcome.overhead_seconds > 0);
    CHECK(outcome.metadata.at("image") == bundle_image_reference(workload_bundle()));
    CHECK(docker.leftovers() == 0);
}

TEST_CASE("a CPU bandwidth limit is seen inside the container") {
    REQUIRE_DOCKER_DAEMON();
    DockerRun docker({{"cpus", 0.5}});
    docker.prepare(workload_bundle());
    docker.runner_args = {"--workload", "stream", "--param", "array_size=100000", "--param", "ntimes=2"};
    const RunnerReport report = ok_report(docker.run());
    CHECK(report.environment["cpu_quota"].get<double>() == doctest::Approx(0.5));
}

TEST_CASE("blockio runs on every storage kind, and its volume goes with the run") {
    REQUIRE_DOCKER_DAEMON();
    for (const char* storage : {"volume", "bind", "container"}) {
        CAPTURE(storage);
        DockerRun docker({{"storage", std::string(storage)}});
        docker.prepare(workload_bundle());
        test::TempDir work{"platbench-docker-work", "/var/tmp"};
        docker.work_dir = work.path();
        docker.runner_args = {"--workload", "blockio", "--param", "file_size=8MiB", "--param", "runtime=0.5s"};
        const PlatformRunOutcome outcome = docker.run();
        const RunnerReport report = ok_report(outcome);
        CHECK(outcome.metadata.at("storage") == storage);
        CHECK(std::any_of(report.metrics.begin(), report.metrics.end(),
                          [](const Metric& m) { return m.name == "read_iops" && m.value > 0; }));
        CHECK(docker.leftovers() == 0);
    }
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
    CHECK(result.status == "failed");
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
    CHECK(failed.status == "failed");
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
    const DockerClient client(daemon_socket());
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
    const DockerClient client(daemon_socket());
    ensure_bundle_image(client, echo_bundle());
    ContainerSpec spec;
    spec.image = bundle_image_reference(echo_bundle());
    spec.command = {"/usr/bin/platbench-runner", "--version"};
    spec.labels = docker.labels;
    // Named as platbench names them: by a process that is gone, and by this one (still running).
    const std::string gone = "platbench-" + docker.run_label + "-999999999-0";
    const std::string running = "platbench-" + docker.run_label + "-" + std::to_string(::getpid()) + "-0";
    const std::string id = client.create_container(gone, spec, within(30));
    client.create_volume(gone, docker.labels, within(30));
    const std::string running_id = client.create_container(running, spec, within(30));
    client.create_volume(running, docker.labels, within(30));
    REQUIRE(docker.leftovers() == 4);

    const std::vector<std::string> removed = docker.platform->clean(false);
    CHECK(std::find(removed.begin(), removed.end(), "container " + id.substr(0, 12)) != removed.end());
    CHECK(std::find(removed.begin(), removed.end(), "volume " + gone) != removed.end());
    CHECK(docker.leftovers() == 2);  // the running experiment's container and volume stay
    CHECK(client.image_exists(spec.image, within(30)));  // images only with --images
    client.remove_container(running_id, within(30));
    client.remove_volume(running, within(30));
    CHECK(docker.leftovers() == 0);
}
