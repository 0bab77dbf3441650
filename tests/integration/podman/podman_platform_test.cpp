// The podman platform against a real Podman service: the checks docker passes
// (tests/support/engine_platform_run.hpp), few and small, since the platform is
// docker's code with Podman's flavour. Needs Podman's service at $CONTAINER_HOST
// (unix://) or /run/podman/podman.sock (scripts/setup.sh test starts one). Without
// one the tests are reported as skipped, except under CI=true, where a missing
// service fails them.
#include <doctest/doctest.h>

#include "engine_platform_run.hpp"
#include "integration.hpp"
#include "podman_flavour.hpp"

using namespace platbench;
using namespace platbench::engine_api;

namespace {

std::string service_socket() { return test::engine_socket(podman::podman_flavour()); }

#define REQUIRE_PODMAN_SERVICE() \
    PLATBENCH_REQUIRE_PLATFORM(test::engine_daemon_problem(service_socket()), "Podman (no service answers)")

struct PodmanRun : test::EnginePlatformRun {
    explicit PodmanRun(const std::map<std::string, ParamValue>& values = {})
        : EnginePlatformRun("podman", service_socket(), values) {}
};

}  // namespace

TEST_CASE("probe records Podman's version, and stream runs in a container and sees the cpuset and the memory limit") {
    REQUIRE_PODMAN_SERVICE();
    PodmanRun podman({{"cpuset", std::string("0")}, {"memory", std::int64_t{512} << 20}});
    const ProbeResult probe = podman.probe();
    CHECK_FALSE(probe.metadata.at("podman_server_version").empty());
    CHECK(compare_api_versions(probe.metadata.at("podman_api_version"), "1.41") >= 0);
    CHECK_FALSE(probe.metadata.at("storage_driver").empty());
    test::check_stream_sees_limits(podman, "podman");
}

TEST_CASE("the runner's process limits are docker's: no pids limit, nproc at most pid_max, the host's open files") {
    REQUIRE_PODMAN_SERVICE();
    PodmanRun podman({{"cpus", 0.5}});
    test::check_process_limits(podman);
}

TEST_CASE("blockio runs on every storage kind, and its volume goes with the run") {
    REQUIRE_PODMAN_SERVICE();
    test::check_storage_kinds([](const char* storage) { return PodmanRun({{"storage", std::string(storage)}}); });
}

TEST_CASE("clean removes leftover platbench containers and volumes, found by label, not those of a running platbench") {
    REQUIRE_PODMAN_SERVICE();
    PodmanRun podman;
    test::check_clean_spares_running(podman);
}
