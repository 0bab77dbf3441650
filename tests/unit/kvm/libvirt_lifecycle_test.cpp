// The VM lifecycle against libvirt's in-process test driver (test:///default):
// domains are created, found by their metadata, and destroyed; a guest that never
// reports is destroyed at the boot timeout or on Ctrl-C. No QEMU involved: fast.
#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <thread>

#include "temp_dir.hpp"
#include "vm_run.hpp"

namespace fs = std::filesystem;
using namespace platbench::kvm;

namespace {

constexpr const char* kTestUri = "test:///default";

// The test driver has no x86_64 "qemu" guests: its own domain type and a
// kernel path it does not open.
VmSettings test_driver_settings(const fs::path& runs_dir) {
    VmSettings settings;
    settings.domain.domain_type = "test";
    settings.domain.memory_bytes = 256ull << 20;
    settings.domain.vcpus = 1;
    settings.domain.kernel = "/nonexistent/vmlinuz";
    settings.domain.initrd = "/nonexistent/initrd";
    settings.domain.cmdline = "console=ttyS0";
    settings.runner_path = "/usr/bin/platbench-runner";
    settings.plugin_dir = "/usr/lib/platbench/plugins";
    settings.boot_timeout_seconds = 0.3;
    settings.runs_dir = runs_dir;
    settings.accel = "tcg";
    return settings;
}

bool domain_exists(const Connection& connection, const std::string& name) {
    for (const Domain& domain : connection.all_domains())
        if (domain.name() == name && domain.active()) return true;
    return false;
}

struct Run {
    std::atomic<bool> cancel{false};
    platbench::ParamValues settings;
    platbench::HostRunner host;
    std::vector<std::string> args{"--workload", "echo"};
    platbench::PlatformRunRequest request{settings, host, nullptr, args, {}, std::chrono::duration<double>(30),
                                          {{"platbench", "1"}, {"platbench.run", "lifecycle"}}, cancel};
};

}  // namespace

TEST_CASE("a transient domain carries platbench's metadata and is gone once destroyed") {
    const Connection connection(kTestUri);
    CHECK(connection.capabilities().find("<domain type='test'") != std::string::npos);
    CHECK_FALSE(connection.library_version().empty());
    DomainSpec spec = test_driver_settings("/tmp").domain;
    spec.name = "platbench-lifecycle-test-0";
    spec.request_file = spec.console_log = spec.results_file = "/nonexistent/file";
    spec.labels = {{"platbench", "1"}, {"platbench.run", "r0"}};
    const Domain domain = connection.create_transient(domain_xml(spec));
    CHECK(domain.active());
    CHECK(domain_exists(connection, spec.name));
    const std::optional<std::string> metadata = domain.metadata(kMetadataUri);
    REQUIRE(metadata);
    CHECK(metadata->find("platbench.run") != std::string::npos);
    CHECK_FALSE(domain.metadata("urn:someone-else"));
    domain.destroy();
    CHECK_FALSE(domain.active());
    CHECK_FALSE(domain_exists(connection, spec.name));
    CHECK_NOTHROW(domain.destroy());  // destroying twice is fine
}

TEST_CASE("libvirt's own message reaches the user when it refuses a domain or a connection") {
    const Connection connection(kTestUri);
    CHECK_THROWS_WITH_AS(connection.create_transient("<domain type='test'><name>x</name></domain>"),
                         doctest::Contains("libvirt refused to start the VM: "), LibvirtError);
    CHECK_THROWS_WITH_AS(Connection("nosuchdriver:///nowhere"), doctest::Contains("cannot connect to libvirt"),
                         LibvirtError);
}

TEST_CASE("a guest that never reaches the runner is destroyed at the boot timeout, leaving nothing") {
    test::TempDir runs;
    const Connection connection(kTestUri);
    Run run;
    const auto before = connection.all_domains().size();
    const platbench::PlatformRunOutcome outcome = run_in_vm(connection, run.request, test_driver_settings(runs.path()));
    CHECK_FALSE(outcome.started);
    CHECK(outcome.failure.find("did not reach the runner within 0.300 s (boot_timeout)") != std::string::npos);
    CHECK(outcome.failure.find("console stayed empty") != std::string::npos);
    CHECK(outcome.metadata.at("domain_xml").find("<domain type='test'>") == 0);
    CHECK(connection.all_domains().size() == before);
    CHECK(runs.empty());
}

TEST_CASE("with KVM the boot-timeout message suggests accel: tcg") {
    test::TempDir runs;
    const Connection connection(kTestUri);
    Run run;
    VmSettings settings = test_driver_settings(runs.path());
    settings.accel = "kvm";
    const platbench::PlatformRunOutcome outcome = run_in_vm(connection, run.request, settings);
    CHECK(outcome.failure.find("try `accel: tcg`") != std::string::npos);
}

TEST_CASE("Ctrl-C while the guest boots destroys it at once") {
    test::TempDir runs;
    const Connection connection(kTestUri);
    Run run;
    VmSettings settings = test_driver_settings(runs.path());
    settings.boot_timeout_seconds = 60;
    std::thread press([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        run.cancel = true;
    });
    const auto start = std::chrono::steady_clock::now();
    const platbench::PlatformRunOutcome outcome = run_in_vm(connection, run.request, settings);
    press.join();
    CHECK(outcome.cancelled);
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(10));
    const std::string name = outcome.metadata.at("domain");
    CHECK_FALSE(domain_exists(connection, name));
    CHECK(runs.empty());
}

TEST_CASE("the guest's request carries the runner, its arguments, the plugin and work directories and the disk use") {
    Run run;
    fs::path work = "/host/work";
    platbench::PlatformRunRequest with_work{run.settings, run.host, nullptr, run.args, work,
                                            std::chrono::duration<double>(30), {}, run.cancel};
    VmSettings settings = test_driver_settings("/tmp");
    settings.domain.disk = DiskSpec{};
    settings.disk_use = DiskUse::Device;
    const RunRequest request = guest_request_for(with_work, settings);
    CHECK(request.runner == "/usr/bin/platbench-runner");
    const std::vector<std::string> expected{"--workload", "echo", "--plugin-dir", "/usr/lib/platbench/plugins",
                                            "--work-dir", "/work"};
    CHECK(request.args == expected);
    CHECK(request.disk == "device");
    CHECK(guest_request_for(run.request, settings).disk == "none");  // no work directory: no disk
}
