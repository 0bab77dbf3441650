// The kvm platform against a real libvirtd and QEMU: real VMs booted from the
// host's kernel, workloads run inside them, timeouts, Ctrl-C, hostile guests and
// clean-up. Uses TCG emulation (`accel: tcg`): it works on every machine, KVM
// only where nested virtualisation does. Needs libvirtd at qemu:///system
// (scripts/setup.sh test starts it). Without it the tests are reported as
// skipped, except under CI=true, where they fail.
#include <doctest/doctest.h>

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>
#include <thread>

#include "bundle/bundle.hpp"
#include "domain_xml.hpp"
#include "guest_kernel.hpp"
#include "initramfs.hpp"
#include "libvirt_handle.hpp"
#include "plugin/registry.hpp"
#include "integration.hpp"
#include "platform_run.hpp"
#include "platbench/runner_protocol.hpp"
#include "temp_dir.hpp"
#include "vm_run.hpp"

using namespace platbench;
using namespace platbench::kvm;
namespace fs = std::filesystem;
using test::echo_bundle;
using test::ok_report;
using test::unique_label;
using test::workload_bundle;

namespace {

constexpr const char* kUri = "qemu:///system";

// Empty when libvirt answers with a QEMU driver and a kernel is there to boot; otherwise why not.
std::string libvirt_problem() {
    static const std::string problem = [] {
        if (::geteuid() != 0) return std::string("the tests use qemu:///system, whose files only root can read back");
        try {
            const Connection connection(kUri);
            if (connection.capabilities().find("<domain type='qemu'") == std::string::npos)
                return std::string("libvirt offers no QEMU guests");
        } catch (const std::exception& e) {
            return std::string(e.what());
        }
        for (const auto& entry : fs::directory_iterator("/boot"))
            if (entry.path().filename().string().rfind("vmlinuz-", 0) == 0) return std::string();
        return std::string("no /boot/vmlinuz-* to boot");
    }();
    return problem;
}

#define REQUIRE_LIBVIRT() PLATBENCH_REQUIRE_PLATFORM(libvirt_problem(), "libvirt+QEMU")

// One image directory for the whole test process (boot files are cached there),
// on disk and readable by QEMU's user.
const fs::path& image_dir() {
    static test::TempDir dir{"platbench-kvm-images", "/var/tmp"};
    fs::permissions(dir.path(), fs::perms(0755));  // QEMU may run as another user
    return dir.path();
}

// Domains of this libvirt that carry a run label.
std::size_t domains_labelled(const std::string& run_label) {
    std::size_t count = 0;
    for (const Domain& domain : Connection(kUri).all_domains()) {
        const std::optional<std::string> metadata = domain.metadata(kMetadataUri);
        if (metadata && metadata->find(run_label) != std::string::npos && domain.active()) ++count;
    }
    return count;
}

// A kvm platform under test: TCG, one vCPU, a small VM, the shared image directory.
struct VmRun : test::PlatformRun {
    explicit VmRun(const std::map<std::string, ParamValue>& values = {})
        : PlatformRun("kvm",
                      {{"accel", std::string("tcg")},
                       {"vcpus", std::int64_t{1}},
                       // 1 GiB: the guest unpacks its initramfs (the bundle: ~160 MB with the
                       // libraries' debug info and fio's) into memory, and 512 MiB no longer sufficed.
                       {"memory", std::int64_t{1} << 30},
                       {"image_dir", image_dir().string()}},
                      values) {
        timeout = std::chrono::duration<double>(300.0);
    }

    bool runs_dir_empty() const {
        std::error_code ec;
        return fs::is_empty(image_dir() / "runs", ec) || !fs::exists(image_dir() / "runs");
    }
};

double metadata_seconds(const PlatformRunOutcome& outcome, const std::string& key) {
    INFO("metadata " << key);
    REQUIRE(outcome.metadata.count(key) == 1);
    return std::stod(outcome.metadata.at(key));
}

}  // namespace

TEST_CASE("probe records libvirt, QEMU, the accelerator and the guest kernel, marking TCG as emulation") {
    REQUIRE_LIBVIRT();
    VmRun vm;
    const ProbeResult probe = vm.probe();
    INFO(probe.reason);
    REQUIRE(probe.availability == Availability::Available);
    CHECK(probe.metadata.at("accel") == "tcg");
    CHECK(probe.metadata.at("domain_type") == "qemu");
    CHECK(probe.metadata.at("hypervisor").rfind("QEMU ", 0) == 0);
    CHECK_FALSE(probe.metadata.at("libvirt_version").empty());
    CHECK(fs::exists(fs::path("/lib/modules") / probe.metadata.at("guest_kernel_release")));
    REQUIRE(probe.caveats.size() == 1);
    CHECK(probe.caveats[0].kind == Caveat::Kind::Emulation);
    CHECK(probe.caveats[0].text.find("not KVM performance") != std::string::npos);
    CHECK(probe.metadata.at("cpu_model") == "maximum");
}

TEST_CASE("probe refuses a file that is not a kernel, and declines CPUs the host lacks") {
    REQUIRE_LIBVIRT();
    test::TempDir dir;
    std::ofstream(dir.path() / "vmlinuz-fake") << "not a kernel";
    VmRun not_kernel({{"kernel", (dir.path() / "vmlinuz-fake").string()}});
    const ProbeResult broken = not_kernel.probe();
    CHECK(broken.availability == Availability::Broken);
    CHECK(broken.reason.find("not a Linux bzImage") != std::string::npos);
    VmRun far_cpu({{"cpuset", std::string("4095")}});
    const ProbeResult declined = far_cpu.probe();
    CHECK(declined.availability == Availability::Declined);
    CHECK(declined.reason.find("4095") != std::string::npos);
    VmRun too_many_huge_pages({{"hugepages", true}, {"memory", std::int64_t{1} << 40}});
    const ProbeResult no_pages = too_many_huge_pages.probe();
    CHECK(no_pages.availability == Availability::Declined);
    CHECK(no_pages.reason.find("vm.nr_hugepages") != std::string::npos);
    CHECK(test::platform_plugin("kvm").descriptor->create_platform()->validate(not_kernel.settings).empty());
    VmRun missing({{"kernel", std::string("/nonexistent/vmlinuz")}});
    CHECK(missing.platform->validate(missing.settings).at(0).find("is not a file") != std::string::npos);
}

TEST_CASE("stream runs in a VM that boots from the host kernel, and the guest sees its vCPU and memory") {
    REQUIRE_LIBVIRT();
    VmRun vm;
    vm.prepare(workload_bundle());
    vm.runner_args = {"--workload", "stream", "--param", "array_size=200000", "--param", "ntimes=3"};
    const PlatformRunOutcome outcome = vm.run();
    const RunnerReport report = ok_report(outcome);
    const nlohmann::json& seen = report.environment;
    CHECK(seen["online_cpus"] == 1);
    CHECK(seen["affinity"] == nlohmann::json::array({0}));
    CHECK(seen["memory_total_bytes"].get<std::uint64_t>() < (1024ull << 20));
    CHECK(seen["memory_total_bytes"].get<std::uint64_t>() > (700ull << 20));
    CHECK(seen["virtualization"] == "vm");
    CHECK(seen["container"] == "none");
    CHECK(outcome.metadata.at("guest_kernel") == seen["kernel"]);
    CHECK(metadata_seconds(outcome, "boot_seconds") > 0);
    CHECK(metadata_seconds(outcome, "shutdown_seconds") > 0);
    CHECK(metadata_seconds(outcome, "runner_seconds") > 0);
    // The overhead the engine computes holds the boot.
    REQUIRE(report.runner_seconds.has_value());
    CHECK(vm.last_run_seconds - *report.runner_seconds > metadata_seconds(outcome, "boot_seconds") * 0.9);
    CHECK(outcome.metadata.at("domain_xml").find("<domain type='qemu'>") == 0);
    CHECK(outcome.metadata.at("domain_xml").find("<interface") == std::string::npos);  // no network
    CHECK(outcome.metadata.at("boot_kernel") == "pvh");
    CHECK(domains_labelled(vm.run_label) == 0);
    CHECK(vm.runs_dir_empty());
    MESSAGE("boot " << outcome.metadata.at("boot_seconds") << " s, shutdown " << outcome.metadata.at("shutdown_seconds")
                    << " s, initramfs " << outcome.metadata.at("initramfs"));
}

namespace {

// The CPUs every thread of the QEMU process running `run_label`'s domain may use,
// as "Cpus_allowed_list" values; empty while no such process exists.
std::set<std::string> qemu_thread_cpus(const std::string& run_label) {
    std::set<std::string> lists;
    std::error_code ec;
    for (const auto& pidfile : fs::directory_iterator("/run/libvirt/qemu", ec)) {
        const std::string name = pidfile.path().filename().string();
        if (pidfile.path().extension() != ".pid" || name.find(run_label) == std::string::npos) continue;
        std::string pid;
        std::ifstream(pidfile.path()) >> pid;
        for (const auto& task : fs::directory_iterator(fs::path("/proc") / pid / "task", ec)) {
            std::ifstream status(task.path() / "status");
            for (std::string line; std::getline(status, line);)
                if (line.rfind("Cpus_allowed_list:", 0) == 0) lists.insert(line.substr(line.find_last_of(" \t") + 1));
        }
    }
    return lists;
}

}  // namespace

TEST_CASE("cpuset pins every vCPU and QEMU's own threads to the CPUs listed") {
    REQUIRE_LIBVIRT();
    VmRun vm({{"cpuset", std::string("1")}});
    vm.prepare(echo_bundle());
    vm.run_echo({"sleep=4"});
    std::atomic<bool> done{false};
    std::set<std::string> seen;
    std::thread watch([&] {
        while (!done) {
            for (const std::string& list : qemu_thread_cpus(vm.run_label)) seen.insert(list);
            std::this_thread::sleep_for(std::chrono::milliseconds(200));
        }
    });
    const PlatformRunOutcome outcome = vm.run();
    done = true;
    watch.join();
    const RunnerReport report = ok_report(outcome);
    CHECK(report.environment["online_cpus"] == 1);  // vcpus: 1
    CHECK(seen == std::set<std::string>{"1"});
    CHECK(outcome.metadata.at("domain_xml").find("<vcpupin vcpu='0' cpuset='1'/>") != std::string::npos);
}

TEST_CASE("blockio runs on an ext4 filesystem on a virtio-blk raw disk, twice on the same disk") {
    REQUIRE_LIBVIRT();
    test::TempDir host_work;
    VmRun vm;
    vm.prepare(workload_bundle());
    vm.work_dir = host_work.path();
    vm.runner_args = {"--workload", "blockio", "--param", "pattern=randrw", "--param", "file_size=8MiB",
                      "--param", "runtime=0.5"};
    for (int repetition = 0; repetition < 2; ++repetition) {
        const PlatformRunOutcome outcome = vm.run();
        const RunnerReport report = ok_report(outcome);
        CHECK(report.info.at("target").find("/work") != std::string::npos);
        CHECK(outcome.metadata.at("disk").find("raw") == 0);
        CHECK(outcome.metadata.at("domain_xml").find("cache='none' io='native'") != std::string::npos);
    }
    CHECK(domains_labelled(vm.run_label) == 0);
}

TEST_CASE("blockio uses the bare disk as a device, laid out before its reads: qcow2 on virtio-scsi") {
    REQUIRE_LIBVIRT();
    test::TempDir host_work;
    VmRun vm({{"disk", std::string("qcow2")}, {"disk_bus", std::string("virtio-scsi")}, {"disk_use", std::string("device")},
              {"disk_size", std::int64_t{256} << 20}});
    vm.prepare(workload_bundle());
    vm.work_dir = host_work.path();
    vm.runner_args = {"--workload", "blockio", "--param", "pattern=randread", "--param", "file_size=16MiB",
                      "--param", "runtime=0.5", "--param", "device=/dev/platbench-disk"};
    const PlatformRunOutcome outcome = vm.run();
    const RunnerReport report = ok_report(outcome);
    CHECK(report.info.at("target").find("/dev/platbench-disk") != std::string::npos);
    // The fresh qcow2 holds nothing: the guest wrote the region before its reads were measured.
    CHECK(report.info.at("layout") == "laid out");
    CHECK(std::stod(report.info.at("layout_seconds")) > 0);
    CHECK(report.warnings.empty());
    CHECK(outcome.metadata.at("disk").find("qcow2") == 0);
    CHECK(outcome.metadata.at("domain_xml").find("model='virtio-scsi'") != std::string::npos);
}

namespace {

std::uint64_t meminfo_value(const std::string& key) {
    std::ifstream meminfo("/proc/meminfo");
    for (std::string line; std::getline(meminfo, line);) {
        std::istringstream fields(line);
        std::string name;
        std::uint64_t value = 0;
        if (fields >> name >> value && name == key + ":") return value;
    }
    return 0;
}

bool hugetlbfs_mounted() {
    std::ifstream mounts("/proc/mounts");
    for (std::string line; std::getline(mounts, line);)
        if (line.find(" hugetlbfs ") != std::string::npos) return true;
    return false;
}

}  // namespace

TEST_CASE("hugepages: the VM's memory really comes from reserved huge pages") {
    REQUIRE_LIBVIRT();
    // Huge pages are the host's to give: the test reserves them itself (as root, with the
    // hugetlbfs mount scripts/setup.sh makes); where they cannot be reserved (not root, no
    // hugetlbfs, a container's read-only /proc/sys, fragmented memory) it is skipped, which
    // fails the suite under CI=true (tests/support/skip.hpp).
    const fs::path reserve = "/proc/sys/vm/nr_hugepages";
    const std::uint64_t page_kib = meminfo_value("Hugepagesize");
    std::uint64_t before = 0;
    std::ifstream(reserve) >> before;
    const std::uint64_t pages = page_kib == 0 ? 0 : (576ull << 10) / page_kib;  // a 512 MiB guest and QEMU's extras
    if (::geteuid() == 0 && hugetlbfs_mounted() && pages > 0) std::ofstream(reserve) << before + pages;
    struct Restore {
        fs::path file;
        std::uint64_t pages;
        ~Restore() { std::ofstream(file) << pages; }
    } restore{reserve, before};
    if (pages == 0 || !hugetlbfs_mounted() || meminfo_value("HugePages_Free") < pages) {
        PLATBENCH_SKIP(::geteuid() == 0 ? "no-huge-pages" : "not-root",
                       "huge pages cannot be reserved here (root and a hugetlbfs mount are needed; scripts/setup.sh "
                       "mounts one)");
    }

    VmRun vm({{"hugepages", true}, {"memory", std::int64_t{512} << 20}});
    vm.prepare(echo_bundle());
    vm.run_echo({"sleep=3"});
    const std::uint64_t free_before = meminfo_value("HugePages_Free");
    std::atomic<bool> done{false};
    std::uint64_t fewest_free = free_before;
    std::thread watch([&] {
        while (!done) {
            fewest_free = std::min(fewest_free, meminfo_value("HugePages_Free"));
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
    });
    const PlatformRunOutcome outcome = vm.run();
    done = true;
    watch.join();
    ok_report(outcome);
    CHECK(outcome.metadata.at("domain_xml").find("<hugepages/>") != std::string::npos);
    CHECK(free_before - fewest_free >= (512ull << 10) / page_kib);  // the whole guest memory in huge pages
}

TEST_CASE("a guest that does not reach the runner in time is destroyed and the run says why") {
    REQUIRE_LIBVIRT();
    VmRun vm({{"boot_timeout", 1.0}});
    vm.prepare(echo_bundle());
    vm.host_runner.plugin_dir = PLATBENCH_TEST_PLUGIN_DIR;
    vm.run_echo({});
    const PlatformRunOutcome outcome = vm.run();
    const RunInterpretation result = interpret_outcome(outcome);
    CHECK(result.status == RunStatus::Failed);
    CHECK(result.reason.find("did not reach the runner within 1.000 s (boot_timeout)") != std::string::npos);
    CHECK(domains_labelled(vm.run_label) == 0);
    CHECK(vm.runs_dir_empty());
}

TEST_CASE("a workload cannot write into the results channel: the guest init holds it") {
    REQUIRE_LIBVIRT();
    VmRun vm;
    vm.prepare(echo_bundle());
    vm.run_echo({"write_path=/dev/virtio-ports/org.platbench.results",
                 "write_text=@@platbench-result v1 forged\nexit 0 0 1.0\nend\n"});
    const RunInterpretation result = interpret_outcome(vm.run());
    CHECK(result.status == RunStatus::Failed);
    CHECK(result.reason.find("cannot open /dev/virtio-ports/org.platbench.results") != std::string::npos);
    CHECK(domains_labelled(vm.run_label) == 0);
}

TEST_CASE("a guest that sends garbage is rejected with what was wrong, and destroyed") {
    REQUIRE_LIBVIRT();
    // A real VM whose init is the hostile one; booted from the bzImage as it is.
    const fs::path kernel = *newest_kernel();
    const std::string release = *bzimage_release(kernel);
    const fs::path modules_dir = fs::path("/lib/modules") / release;
    const InitramfsOutcome initramfs = ensure_initramfs(
        {echo_bundle(), PLATBENCH_HOSTILE_GUEST_INIT, modules_dir,
         resolve_modules(modules_dir, {"virtio_pci", "virtio_console", "qemu_fw_cfg"})},
        image_dir());
    VmSettings settings;
    settings.domain.domain_type = "qemu";
    settings.domain.memory_bytes = 512ull << 20;
    settings.domain.kernel = kernel.string();
    settings.domain.initrd = initramfs.path.string();
    settings.domain.cmdline = "console=ttyS0 quiet panic=-1";
    settings.runner_path = "/usr/bin/platbench-runner";
    settings.plugin_dir = "/usr/lib/platbench/plugins";
    settings.boot_timeout_seconds = 120;
    settings.runs_dir = image_dir() / "runs";
    settings.accel = "tcg";
    VmRun vm;
    const PlatformRunRequest request{vm.settings, vm.host_runner, nullptr, {"--workload", "echo"}, {},
                                     std::chrono::duration<double>(120), vm.labels, vm.cancel};
    const PlatformRunOutcome outcome = run_in_vm(Connection(kUri), request, settings);
    const RunInterpretation result = interpret_outcome(outcome);
    INFO("reason: " << result.reason);
    CHECK(result.status == RunStatus::Failed);
    CHECK(result.reason.find("the guest's report is malformed, so none of it is used: unexpected bytes") !=
          std::string::npos);
    CHECK(result.reason.find("\\x1b") != std::string::npos);  // shown escaped, not sent to the terminal
    CHECK(outcome.stdout_text.empty());
    CHECK(domains_labelled(vm.run_label) == 0);
    CHECK(vm.runs_dir_empty());
}

TEST_CASE("a failing workload's message and an aborting runner's signal come back from the guest") {
    REQUIRE_LIBVIRT();
    VmRun vm;
    vm.prepare(echo_bundle());
    vm.run_echo({"fail=true", "message=no such thing in this VM"});
    const RunInterpretation failed = interpret_outcome(vm.run());
    CHECK(failed.status == RunStatus::Failed);
    CHECK(failed.reason == "no such thing in this VM");
    vm.run_echo({"abort=true"});
    const PlatformRunOutcome aborted = vm.run();
    CHECK(aborted.term_signal == SIGABRT);
    CHECK(interpret_outcome(aborted).reason.find("SIGABRT") != std::string::npos);
}

TEST_CASE("a run past the timeout and a run stopped by Ctrl-C destroy the VM") {
    REQUIRE_LIBVIRT();
    VmRun vm;
    vm.prepare(echo_bundle());
    vm.run_echo({"sleep=120"});
    vm.timeout = std::chrono::duration<double>(2.0);
    const PlatformRunOutcome timed_out = vm.run();
    CHECK(timed_out.timed_out);
    CHECK(timed_out.started);
    CHECK(domains_labelled(vm.run_label) == 0);

    vm.timeout = std::chrono::duration<double>(300.0);
    std::thread press([&] {
        std::this_thread::sleep_for(std::chrono::seconds(3));
        vm.cancel = true;
    });
    const auto start = std::chrono::steady_clock::now();
    const PlatformRunOutcome cancelled = vm.run();
    press.join();
    CHECK(cancelled.cancelled);
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(60));
    CHECK(domains_labelled(vm.run_label) == 0);
    CHECK(vm.runs_dir_empty());
}

TEST_CASE("clean destroys a leftover domain of platbench's and removes a dead run's files, not those of a running platbench nor others") {
    REQUIRE_LIBVIRT();
    // A domain with platbench's metadata that never ends by itself: no kernel, no boot disk.
    const std::string label = unique_label("leftover");
    const std::string name = "platbench-leftover-999999999-0";  // its process is gone
    const std::string xml = "<domain type='qemu'><name>" + name + "</name><metadata><platbench:labels xmlns:platbench='" +
                            kMetadataUri + "'><platbench:label name='platbench.run' value='" + label +
                            "'/></platbench:labels></metadata><memory unit='MiB'>64</memory><os><type arch='x86_64'>hvm"
                            "</type></os><devices><memballoon model='none'/></devices></domain>";
    const std::string other_name = "not-platbench-" + label;
    // A VM of a platbench process that is still running (this one) is not a leftover either.
    const std::string running_name = "platbench-" + label + "-" + std::to_string(::getpid()) + "-0";
    const std::string running_xml = std::string(xml).replace(xml.find(name), name.size(), running_name);
    const std::string other_xml = "<domain type='qemu'><name>" + other_name + "</name><memory unit='MiB'>64</memory><os>"
                                  "<type arch='x86_64'>hvm</type></os><devices><memballoon model='none'/></devices></domain>";
    const Connection connection(kUri);
    const Domain leftover = connection.create_transient(xml);
    const Domain other = connection.create_transient(other_xml);
    const Domain running = connection.create_transient(running_xml);
    // The default image directory: a run directory whose process is gone.
    const fs::path default_runs = fs::path("/var/tmp") / ("platbench-kvm-" + std::to_string(::getuid())) / "runs";
    fs::create_directories(default_runs);
    const fs::path dead_run = default_runs / "platbench-e1-r0-999999999-0";
    fs::create_directories(dead_run);
    const fs::path live_run = default_runs / ("platbench-e1-r0-" + std::to_string(::getpid()) + "-0");
    fs::create_directories(live_run);

    const std::vector<std::string> removed = test::platform_plugin("kvm").descriptor->create_platform()->clean(false);
    CHECK(std::find(removed.begin(), removed.end(), "domain " + name) != removed.end());
    CHECK_FALSE(leftover.active());
    CHECK(other.active());
    CHECK(running.active());
    CHECK_FALSE(fs::exists(dead_run));
    CHECK(fs::exists(live_run));
    other.destroy();
    running.destroy();
    fs::remove_all(live_run);
}
