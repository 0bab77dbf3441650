// The net workload on every platform's network paths, through the real
// executable, runner, plugins and daemons (kvm under TCG): each mode runs, each
// run records its path, and nothing of the paths is left behind; a killed run's
// bridge and namespace are reaped by `platbench clean`.
#include <doctest/doctest.h>

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <thread>

#include "command.hpp"
#include "skip.hpp"
#include "stored_runs.hpp"

using platbench::RunStatus;
using test::contains;
namespace fs = std::filesystem;

namespace net_paths_test {

const std::string kConfig = PLATBENCH_TEST_DATA_DIR + "/configs/net_every_platform.yaml";

bool platform_unavailable(const platbench::RunRecord& run) {
    for (const char* why : {"no Docker daemon answers", "no Podman daemon answers", "cannot connect to libvirt", "no kernel in /boot",
                            "neither apptainer nor singularity is installed"})
        if (contains(run.reason, why)) return true;
    return false;
}

std::string metadata(const platbench::RunRecord& run, const std::string& key) {
    auto it = run.platform_metadata.find(key);
    return it == run.platform_metadata.end() || !it->is_string() ? "" : it->get<std::string>();
}

// Interfaces and namespaces that network paths make, as they are named.
std::vector<std::string> path_objects() {
    std::vector<std::string> found;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator("/sys/class/net", ec)) {
        const std::string name = entry.path().filename().string();
        for (const char* prefix : {"pbbr", "pbh", "pbt"})
            if (name.rfind(prefix, 0) == 0) found.push_back(name);
    }
    for (const auto& entry : fs::directory_iterator("/run/netns", ec)) {
        const std::string name = entry.path().filename().string();
        if (name.rfind("platbench-net", 0) == 0) found.push_back(name);
    }
    return found;
}

bool has_namespace() {
    for (const std::string& name : path_objects())
        if (name.rfind("platbench-net", 0) == 0) return true;
    return false;
}

// Processes serving as a net peer (`platbench-runner ... --serve net ...`).
int peer_processes() {
    int count = 0;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator("/proc", ec)) {
        std::ifstream in(entry.path() / "cmdline", std::ios::binary);
        std::string cmdline((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        if (cmdline.find(std::string("--serve\0net\0", 12)) != std::string::npos) ++count;
    }
    return count;
}

}  // namespace net_paths_test

TEST_CASE("net runs tcp_stream, tcp_rr and udp_rr on every platform's network paths, records each path and leaves none") {
    if (::geteuid() != 0) {
        PLATBENCH_SKIP("not-root", "network paths make bridges and namespaces");
        return;
    }
    const fs::path dir = test::scratch("net");
    const auto run = test::run_cli({"run", net_paths_test::kConfig, "--output", (dir / "results").string()}, dir);
    INFO(run.out, run.err);
    REQUIRE(run.exit_code == 0);
    CHECK(contains(run.out, "0 failed"));

    std::string unavailable;
    std::map<std::string, int> runs_of;
    for (const auto& r : test::stored_runs(dir / "results")) {
        INFO(r.platform_instance, "/", r.workload_instance, " ", r.workload_params.dump(), ": ", r.reason);
        if (r.status == RunStatus::Skipped && net_paths_test::platform_unavailable(r)) {
            unavailable += " " + r.platform_plugin;
            continue;
        }
        REQUIRE(r.status == RunStatus::Ok);
        const std::string network = net_paths_test::metadata(r, "network");
        ++runs_of[r.platform_plugin + "/" + network];
        CHECK_FALSE(net_paths_test::metadata(r, "network_peer").empty());
        CHECK(net_paths_test::metadata(r, "network_nat") == "no");
        CHECK_FALSE(net_paths_test::metadata(r, "network_mtu").empty());
        const std::string interfaces = net_paths_test::metadata(r, "network_interfaces");
        if (network == "loopback" || network == "host") {
            CHECK(net_paths_test::metadata(r, "network_peer").rfind("127.0.0.1:", 0) == 0);
        } else {
            CHECK(net_paths_test::metadata(r, "network_peer").rfind("10.249.", 0) == 0);
            CHECK(contains(interfaces, "bridge"));
            CHECK(contains(interfaces, r.platform_plugin == "kvm" ? "virtio-net, tap" : "veth"));
        }
        if (r.platform_plugin == "kvm") CHECK_FALSE(net_paths_test::metadata(r, "network_vhost").empty());
        if (r.workload_params.value("mode", "") == "tcp_stream") {
            CHECK(test::stored_metric(r, "throughput_gbit") > 0);
        } else {
            CHECK(test::stored_metric(r, "transactions_per_s") > 0);
            CHECK(test::stored_metric(r, "lat_p50") <= test::stored_metric(r, "lat_p99"));
        }
    }
    for (const char* path : {"native/loopback", "native/namespace", "docker/bridge", "docker/host", "podman/namespace",
                             "podman/host", "kvm/bridge", "singularity/host", "singularity/namespace"}) {
        CAPTURE(path);
        const std::string platform = std::string(path).substr(0, std::string(path).find('/'));
        if (contains(unavailable, platform)) continue;
        CHECK(runs_of[path] == 3);
    }
    CHECK(net_paths_test::path_objects().empty());
    if (!unavailable.empty()) PLATBENCH_SKIP("no-daemon", "runs on" << unavailable << " were skipped here");
}

TEST_CASE("platbench clean reaps the bridge and namespace of a run that was killed") {
    if (::geteuid() != 0) {
        PLATBENCH_SKIP("not-root", "network paths make bridges and namespaces");
        return;
    }
    const fs::path dir = test::scratch("net-killed");
    const fs::path config = dir / "long.yaml";
    test::write_file(config,
                     "experiment: net-killed\nrepetitions: 1\nwarmup: 0\n"
                     "platforms:\n  - plugin: native\n    network: namespace\n"
                     "workloads:\n  - plugin: net\n    mode: tcp_rr\n    runtime: 20s\n    ramp_time: 0s\n");
    const std::vector<std::string> before = net_paths_test::path_objects();
    test::Started child({PLATBENCH_CLI, "run", config.string(), "--output", (dir / "results").string()}, dir / "io");
    // Wait until the run's namespace exists and its peer serves, then kill platbench outright.
    bool made = false;
    for (int waited = 0; waited < 600 && !made; ++waited) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        made = net_paths_test::has_namespace() && net_paths_test::peer_processes() > 0;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(500));  // the runner is measuring
    child.signal(SIGKILL);
    child.wait();
    REQUIRE(made);
    // The peer ends with platbench (PR_SET_PDEATHSIG); the runner inside the
    // namespace runs out its 20 s, and clean does not need it gone.
    for (int waited = 0; waited < 50 && net_paths_test::peer_processes() > 0; ++waited)
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    CHECK(net_paths_test::peer_processes() == 0);
    const std::vector<std::string> left = net_paths_test::path_objects();
    const auto clean = test::run_cli({"clean"}, dir);
    INFO(clean.out, clean.err);
    CHECK(clean.exit_code == 0);
    // Any `platbench run` reaps leftovers before its first run too: one that another
    // test started meanwhile may have come first. Either way nothing is left.
    if (left.size() > before.size()) CHECK(contains(clean.out, "network namespace platbench-net"));
    CHECK(net_paths_test::path_objects() == before);
}

TEST_CASE("Ctrl-C during a network run removes its bridge and namespace and stops its peer, with no clean needed") {
    if (::geteuid() != 0) {
        PLATBENCH_SKIP("not-root", "network paths make bridges and namespaces");
        return;
    }
    const fs::path dir = test::scratch("net-interrupted");
    const fs::path config = dir / "long.yaml";
    test::write_file(config,
                     "experiment: net-interrupted\nrepetitions: 1\nwarmup: 0\n"
                     "platforms:\n  - plugin: native\n    network: namespace\n"
                     "workloads:\n  - plugin: net\n    mode: tcp_stream\n    runtime: 20s\n    ramp_time: 0s\n");
    const std::vector<std::string> before = net_paths_test::path_objects();
    test::Started child({PLATBENCH_CLI, "run", config.string(), "--output", (dir / "results").string()}, dir / "io");
    bool made = false;
    for (int waited = 0; waited < 600 && !made; ++waited) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        made = net_paths_test::has_namespace() && net_paths_test::peer_processes() > 0;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(500));  // the runner is measuring
    child.signal(SIGINT);
    const auto finished = child.wait_for(std::chrono::seconds(60));
    INFO(finished.out, finished.err);
    REQUIRE(made);
    CHECK_FALSE(finished.killed_at_deadline);
    CHECK(net_paths_test::path_objects() == before);
    CHECK(net_paths_test::peer_processes() == 0);
}
