// The "kvm" platform: one transient libvirt domain per run, booted straight from
// a host kernel into an initramfs made of the bundle, whose init starts the
// runner and reports back on a virtio-serial port. KVM where libvirt offers it,
// QEMU's TCG emulation otherwise (`accel:`).
#include <dlfcn.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>

#include "disk_image.hpp"
#include "guest_kernel.hpp"
#include "initramfs.hpp"
#include "owned_files.hpp"
#include "platbench/environment.hpp"
#include "platbench/plugin.hpp"
#include "local_network.hpp"
#include "platbench/hash.hpp"
#include "platbench/names.hpp"
#include "vm_run.hpp"

namespace {

using namespace platbench;
using namespace platbench::kvm;
namespace fs = std::filesystem;

constexpr const char* kGuestInitName = "platbench-guest-init";
constexpr const char* kKernelCommandLine = "console=ttyS0 quiet panic=-1";

// The guest init, installed beside the plugin directory (lib/platbench/).
fs::path guest_init_path() {
    Dl_info info{};
    if (::dladdr(reinterpret_cast<void*>(&guest_init_path), &info) == 0 || info.dli_fname == nullptr) return {};
    return fs::path(info.dli_fname).parent_path().parent_path() / kGuestInitName;
}

// QEMU may run as another user (libvirt-qemu): the VM's files live where it can
// read them, not in a private home directory.
fs::path image_dir_from(const ParamValues& settings) {
    if (settings.has("image_dir") && !settings.text("image_dir").empty()) return settings.text("image_dir");
    return fs::path("/var/tmp") / ("platbench-kvm-" + std::to_string(::getuid()));
}

std::optional<fs::path> kernel_from(const ParamValues& settings) {
    const std::string& kernel = settings.text("kernel");
    if (kernel == "auto") return newest_kernel();
    return fs::path(kernel);
}

struct Accelerator {
    std::string accel;        // kvm | tcg | test
    std::string domain_type;  // kvm | qemu | test
};

// Which domain types libvirt can start for x86_64 guests here.
std::optional<Accelerator> choose_accelerator(const std::string& wanted, const std::string& capabilities,
                                              std::string& problem) {
    const bool has_kvm = capabilities.find("<domain type='kvm'") != std::string::npos;
    const bool has_qemu = capabilities.find("<domain type='qemu'") != std::string::npos;
    if (capabilities.find("<domain type='test'") != std::string::npos) return Accelerator{"test", "test"};
    if (wanted == "kvm" || (wanted == "auto" && has_kvm)) {
        if (has_kvm) return Accelerator{"kvm", "kvm"};
        problem = "libvirt offers no KVM here (no /dev/kvm, or no access to it); use `accel: tcg` for emulation";
        return std::nullopt;
    }
    if (has_qemu) return Accelerator{"tcg", "qemu"};
    problem = "libvirt's driver offers no x86_64 QEMU guests here (is qemu-system-x86 installed?)";
    return std::nullopt;
}

std::string cpu_model_for(const ParamValues& settings, const std::string& accel) {
    const std::string& model = settings.text("cpu_model");
    if (model != "auto") return model;
    // KVM: the host's CPU as it is. TCG: every feature QEMU can emulate.
    return accel == "kvm" ? "host-passthrough" : "maximum";
}

DiskUse disk_use_from(const ParamValues& settings) {
    if (settings.text("disk") == "none") return DiskUse::None;
    return settings.text("disk_use") == "device" ? DiskUse::Device : DiskUse::Filesystem;
}

std::vector<std::string> guest_modules(const ParamValues& settings) {
    // virtio_net for a network workload's NIC: loaded in every guest, the NIC only in those runs.
    std::vector<std::string> modules{"virtio_pci", "virtio_console", "qemu_fw_cfg", "virtio_net"};
    const DiskUse use = disk_use_from(settings);
    if (use == DiskUse::None) return modules;
    if (settings.text("disk_bus") == "virtio-scsi") modules.insert(modules.end(), {"virtio_scsi", "sd_mod"});
    else modules.push_back("virtio_blk");
    // ext4 asks the crypto API for crc32c, which a guest without modprobe cannot load on demand.
    if (use == DiskUse::Filesystem) modules.insert(modules.end(), {"crc32c_generic", "ext4"});
    return modules;
}

std::optional<std::uint64_t> free_huge_page_bytes() {
    std::ostringstream meminfo;
    meminfo << std::ifstream("/proc/meminfo").rdbuf();
    const std::optional<std::uint64_t> free_pages = meminfo_field(meminfo.str(), "HugePages_Free");
    if (!free_pages) return std::nullopt;
    return *free_pages * meminfo_field(meminfo.str(), "Hugepagesize").value_or(0);
}

// The kernel QEMU boots: the bzImage's uncompressed ELF when it has a PVH entry
// (cached by the bzImage's hash), which boots several seconds faster under TCG.
fs::path boot_kernel_for(const fs::path& bzimage, const fs::path& image_dir, std::string& form) {
    const fs::path kernels = image_dir / "kernels";
    const fs::path cached = kernels / ("vmlinux-" + sha256_file_hex(bzimage).substr(0, 16));
    const fs::path not_pvh = cached.string() + ".not-pvh";
    std::error_code ec;
    if (fs::is_regular_file(cached, ec)) {
        form = "pvh";
        return cached;
    }
    if (!fs::exists(not_pvh, ec)) {
        fs::create_directories(kernels);
        const std::optional<std::string> elf = extract_pvh_kernel(bzimage);
        const fs::path staging = cached.string() + ".tmp-" + std::to_string(::getpid());
        std::ofstream out(staging, std::ios::binary | std::ios::trunc);
        if (elf) out << *elf;
        out.close();
        if (!out) throw std::runtime_error("cannot write " + staging.string());
        fs::permissions(staging, fs::perms(0644));
        fs::rename(staging, elf ? cached : not_pvh);
        if (elf) {
            form = "pvh";
            return cached;
        }
    }
    form = "bzimage";
    return bzimage;
}

class KvmPlatform : public Platform {
public:
    ~KvmPlatform() override {
        std::error_code ec;
        if (disk_) fs::remove(disk_->path, ec);
    }

    std::vector<std::string> validate(const ParamValues& settings) const override {
        std::vector<std::string> errors;
        const std::string& model = settings.text("cpu_model");
        if (settings.text("accel") == "tcg" && (model == "host-passthrough" || model == "host-model"))
            errors.push_back("cpu_model " + model + " needs KVM; with accel: tcg use auto, maximum or a named model");
        const std::string& cache = settings.text("disk_cache");
        if (settings.text("disk_io") == "native" && cache != "none" && cache != "directsync")
            errors.push_back("disk_io native needs disk_cache none or directsync (QEMU's rule); use disk_io threads "
                             "with disk_cache " + cache);
        if (const std::string& kernel = settings.text("kernel"); kernel != "auto" && !fs::is_regular_file(kernel))
            errors.push_back("kernel " + kernel + " is not a file; give a bzImage such as /boot/vmlinuz-<release>, or auto");
        return errors;
    }

    ProbeResult probe(const ParamValues& settings) override {
        ProbeResult result;
        auto decline = [&](std::string reason, Availability availability = Availability::Declined) {
            result.availability = availability;
            result.reason = std::move(reason);
            return result;
        };
        const std::optional<fs::path> kernel = kernel_from(settings);
        if (!kernel) return decline("no kernel in /boot (vmlinuz-*) to boot the VM with: install linux-image-amd64 "
                                    "(scripts/setup.sh does), or set `kernel:`");
        if (guest_init_path().empty() || !fs::is_regular_file(guest_init_path()))
            return decline("the guest init " + guest_init_path().string() + " is missing: reinstall platbench",
                           Availability::Broken);
        const std::string uri = settings.text("uri");
        if (::geteuid() != 0 && uri.rfind("qemu:///system", 0) == 0)
            return decline("as a user other than root, libvirtd (qemu:///system) makes the VM's results file root's, "
                           "which platbench cannot read back: set `uri: qemu:///session` (QEMU then runs as you) or run "
                           "platbench as root");
        std::optional<Connection> connection;
        try {
            connection.emplace(uri);
        } catch (const LibvirtError& e) {
            return decline(std::string(e.what()) + "; install libvirt-daemon-system and start libvirtd (scripts/setup.sh "
                                                   "does both), or set `uri:`");
        }
        std::string release;
        try {
            const std::optional<std::string> found = bzimage_release(*kernel);
            if (!found) return decline(kernel->string() + " is not a Linux bzImage", Availability::Broken);
            release = *found;
            std::string problem;
            const std::optional<Accelerator> accelerator =
                choose_accelerator(settings.text("accel"), connection->capabilities(), problem);
            if (!accelerator) return decline(problem);
            result.metadata = {{"uri", connection->uri()},
                               {"libvirt_version", connection->library_version()},
                               {"hypervisor", connection->driver_type() + " " + connection->hypervisor_version()},
                               {"accel", accelerator->accel},
                               {"domain_type", accelerator->domain_type},
                               {"guest_kernel", kernel->string()},
                               {"guest_kernel_release", release},
                               {"cpu_model", cpu_model_for(settings, accelerator->accel)}};
            if (accelerator->accel == "tcg")
                result.caveats.push_back({Caveat::Kind::Emulation,
                                          "TCG: QEMU emulates the CPU; these figures are not KVM performance; compare "
                                          "KVM figures only from `accel: kvm`"});
            host_cpus_ = connection->host_cpus();
        } catch (const std::exception& e) {
            return decline(e.what(), Availability::Broken);
        }
        if (!fs::is_regular_file(fs::path("/lib/modules") / release / "modules.dep"))
            return decline("the modules of the guest kernel " + release + " are not in /lib/modules/" + release +
                           ": install its linux-image package, or pick another `kernel:`");
        if (std::string problem = cpu_problem(settings); !problem.empty()) return decline(problem);
        if (settings.boolean("hugepages")) {
            const std::optional<std::uint64_t> free_bytes = free_huge_page_bytes();
            const auto wanted = static_cast<std::uint64_t>(settings.integer("memory"));
            if (!free_bytes || *free_bytes < wanted)
                return decline("hugepages: true needs " + std::to_string(wanted >> 20) + " MiB of free huge pages, the host has " +
                               std::to_string(free_bytes.value_or(0) >> 20) +
                               " MiB; reserve them (sysctl vm.nr_hugepages=...) and mount hugetlbfs");
        }
        return result;
    }

    void prepare(const PlatformPrepareRequest& request) override {
        if (request.bundle == nullptr) throw std::runtime_error("the kvm platform needs the runner bundle");
        const ParamValues& settings = request.settings;
        image_dir_ = image_dir_from(settings);
        ensure_private_dir(image_dir_, "image_dir");
        connection_.emplace(settings.text("uri"));
        std::string problem;
        const std::optional<Accelerator> accelerator =
            choose_accelerator(settings.text("accel"), connection_->capabilities(), problem);
        if (!accelerator) throw std::runtime_error(problem);
        const fs::path kernel = *kernel_from(settings);
        const std::string release = bzimage_release(kernel).value_or("");
        const fs::path modules_dir = fs::path("/lib/modules") / release;

        VmSettings& vm = vm_;
        vm.accel = accelerator->accel;
        vm.runner_path = request.bundle->runner_path;
        vm.plugin_dir = request.bundle->plugin_dir;
        vm.boot_timeout_seconds = settings.real("boot_timeout");
        vm.runs_dir = image_dir_ / "runs";
        vm.disk_use = disk_use_from(settings);
        DomainSpec& domain = vm.domain;
        domain.domain_type = accelerator->domain_type;
        domain.memory_bytes = static_cast<std::uint64_t>(settings.integer("memory"));
        domain.cpu_model = cpu_model_for(settings, vm.accel);
        domain.hugepages = settings.boolean("hugepages");
        if (settings.has("cpuset")) domain.vcpu_pins = *expand_cpu_list(settings.text("cpuset"));
        domain.vcpus = static_cast<int>(settings.integer("vcpus"));
        if (domain.vcpus == 0) domain.vcpus = domain.vcpu_pins.empty() ? host_cpus_or_connection() : static_cast<int>(domain.vcpu_pins.size());
        domain.cmdline = kKernelCommandLine;
        domain.kernel = boot_kernel_for(kernel, image_dir_, kernel_form_).string();

        const InitramfsOutcome initramfs = ensure_initramfs(
            {*request.bundle, guest_init_path(), modules_dir, resolve_modules(modules_dir, guest_modules(settings))},
            image_dir_);
        domain.initrd = initramfs.path.string();
        initramfs_note_ = (initramfs.reused ? "reused, found in " : "built in ") + std::to_string(initramfs.seconds) + " s";
        if (vm.disk_use != DiskUse::None) {
            DiskSpec disk;
            disk.format = settings.text("disk");
            disk.bus = settings.text("disk_bus");
            disk.cache = settings.text("disk_cache");
            disk.io = settings.text("disk_io");
            domain.disk = disk;   // the image itself is made for the first run that uses a work directory
            disk_size_ = static_cast<std::uint64_t>(settings.integer("disk_size"));
        }
    }

    PlatformRunOutcome run(const PlatformRunRequest& request) override {
        PlatformRunOutcome outcome;
        if (!connection_) {
            outcome.failure = "the kvm platform was not prepared";
            return outcome;
        }
        if (!request.work_dir.empty() && vm_.domain.disk && !disk_) {
            try {
                make_disk();
            } catch (const std::exception& e) {
                outcome.failure = std::string("cannot make the VM's disk: ") + e.what();
                return outcome;
            }
        }
        outcome = run_in_vm(*connection_, request, vm_);
        outcome.metadata["initramfs"] = initramfs_note_;
        outcome.metadata["boot_kernel"] = kernel_form_;
        outcome.metadata["vcpus"] = std::to_string(vm_.domain.vcpus);
        if (disk_ && vm_.domain.disk && !request.work_dir.empty()) outcome.metadata["disk"] = disk_note_;
        return outcome;
    }

    // bridge: a bridge of the run's with the host's address; the VM's virtio-net
    // NIC on a tap that libvirt attaches to it, its address set by the guest init.
    NetworkPath open_network(const NetworkPathRequest& request) override {
        NetworkPath path = paths_.open_bridge(request.settings.text("network"));
        const bool vhost = fs::exists("/dev/vhost-net");
        const std::string index = path.name.substr(std::string("pbbr").size());
        path.metadata["network_interfaces"] = "virtio-net, tap, bridge";
        path.metadata["network_tap"] = "pbt" + index;
        path.metadata["network_guest_address"] = "10.249." + index + ".2/24";
        path.metadata["network_vhost"] = vhost ? "yes" : "no";
        if (!vhost) path.metadata["network_vhost_why_not"] = "no /dev/vhost-net on this host: QEMU's own virtio-net";
        return path;
    }

    void close_network(const NetworkPath& path) noexcept override { paths_.close(path); }

    std::vector<std::string> clean(bool including_images) override {
        std::vector<std::string> removed = local_network::remove_leftovers();
        try {
            const char* uri = std::getenv("LIBVIRT_DEFAULT_URI");
            const Connection connection(uri != nullptr && *uri != '\0' ? uri : "qemu:///system");
            for (const Domain& domain : connection.all_domains()) {
                // A running experiment's VM is not a leftover: its process is still there.
                if (!domain.metadata(kMetadataUri) || object_owner_alive(domain.name())) continue;
                domain.destroy();
                removed.push_back("domain " + domain.name());
            }
        } catch (const std::exception&) {
            // No libvirt here: no domain of ours can be running in it.
        }
        const fs::path dir = image_dir_from(ParamValues());
        remove_leftover_entries(dir / "runs", removed);
        remove_leftover_entries(dir / "disks", removed);
        if (including_images) {
            std::error_code ec;
            for (const auto& entry : fs::directory_iterator(dir, ec)) {
                const std::string name = entry.path().filename().string();
                if (name.rfind("initramfs-", 0) == 0 || name == "kernels") {
                    fs::remove_all(entry.path(), ec);
                    removed.push_back("image " + entry.path().string());
                }
            }
        }
        return removed;
    }

private:
    local_network::OpenPaths paths_;
    int host_cpus_or_connection() {
        if (host_cpus_ == 0) host_cpus_ = connection_->host_cpus();
        return host_cpus_;
    }

    std::string cpu_problem(const ParamValues& settings) const {
        if (!settings.has("cpuset") || host_cpus_ == 0) return {};
        for (int cpu : expand_cpu_list(settings.text("cpuset")).value_or(std::vector<int>{}))
            if (cpu >= host_cpus_)
                return "cpuset " + settings.text("cpuset") + " names CPU " + std::to_string(cpu) + " but the host has " +
                       std::to_string(host_cpus_) + " CPUs";
        return {};
    }

    void make_disk() {
        static std::atomic<unsigned> counter{0};
        const fs::path disks = image_dir_ / "disks";
        fs::create_directories(disks);
        DiskImageSpec spec;
        spec.format = vm_.domain.disk->format;
        spec.path = disks / ("disk-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) + "." + spec.format);
        spec.size_bytes = disk_size_;
        spec.filesystem = vm_.disk_use == DiskUse::Filesystem;
        const auto start = std::chrono::steady_clock::now();
        create_disk_image(spec);
        disk_ = spec;
        vm_.domain.disk->path = spec.path.string();
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        disk_note_ = spec.format + " " + std::to_string(spec.size_bytes >> 20) + " MiB" +
                     (spec.filesystem ? " ext4" : " raw device") + ", made in " + std::to_string(seconds) + " s";
    }

    std::optional<Connection> connection_;
    VmSettings vm_;
    fs::path image_dir_;
    std::string kernel_form_;
    std::string initramfs_note_;
    std::uint64_t disk_size_ = 0;
    std::optional<DiskImageSpec> disk_;
    std::string disk_note_;
    int host_cpus_ = 0;
};

PluginDescriptor make_kvm_descriptor() {
    PluginDescriptor d;
    d.kind = PluginKind::Platform;
    d.name = "kvm";
    d.description = "Virtual machines (KVM, or QEMU's TCG emulation) through libvirt, booted straight into the runner";
    d.flags = kPlatformNeedsBundle | kPlatformVirtualMachine;
    d.fingerprint_metadata = {"libvirt_version", "hypervisor", "accel", "domain_type", "guest_kernel",
                              "guest_kernel_release", "cpu_model", "network_interfaces", "network_mtu",
                              "network_vhost"};
    ParamSpec boot_timeout = ParamSpec{
        .name = "boot_timeout",
        .type = ParamType::Duration,
        .default_value = "60",
        .unit = "s",
        .help = "destroy a guest that has not started the runner after this long",
        .real_min = 1,
        .real_max = 3600};
    d.params = {
        ParamSpec{
            .name = "uri",
            .type = ParamType::String,
            .default_value = "qemu:///system",
            .help = "libvirt connection URI (qemu:///session runs the VM as your own user)"},
        ParamSpec{
            .name = "accel",
            .type = ParamType::Choice,
            .default_value = "auto",
            .help = "kvm: hardware virtualisation; tcg: QEMU's emulation (slow, not KVM performance); auto: kvm where "
                   "libvirt offers it, else tcg",
            .choices = {"auto", "kvm", "tcg"}},
        ParamSpec{
            .name = "kernel",
            .type = ParamType::String,
            .default_value = "auto",
            .help = "the guest's kernel, a bzImage with its modules in /lib/modules (auto: the newest /boot/vmlinuz-*)"},
        ParamSpec{
            .name = "vcpus",
            .type = ParamType::Integer,
            .default_value = "0",
            .unit = "CPUs",
            .help = "virtual CPUs (0: one per cpuset CPU, or as many as the host has)",
            .min = 0,
            .max = 1024},
        ParamSpec{
            .name = "memory",
            .type = ParamType::Size,
            .default_value = "2GiB",
            .unit = "bytes",
            .help = "the VM's memory",
            .min = 64 * 1024 * 1024},
        ParamSpec{
            .name = "cpu_model",
            .type = ParamType::String,
            .default_value = "auto",
            .help = "host-passthrough, host-model, maximum or a QEMU model name (auto: host-passthrough with KVM, "
                   "maximum with TCG)"},
        ParamSpec{
            .name = "cpuset",
            .type = ParamType::CpuList,
            .unit = "CPUs",
            .help = "host CPUs to pin the vCPUs to, vCPU i on the i-th CPU listed (default: not pinned)",
            .min = 0,
            .max = 65535},
        network_param({"bridge"}, "bridge",
                      "a network workload's path to its peer: bridge (a virtio-net NIC on a tap that libvirt attaches "
                      "to a bridge the run creates, the guest's address set by its init, vhost-net where the host has "
                      "/dev/vhost-net)"),
        ParamSpec{
            .name = "hugepages",
            .type = ParamType::Bool,
            .default_value = "false",
            .help = "back the VM's memory with huge pages (reserved beforehand: vm.nr_hugepages)"},
        ParamSpec{
            .name = "disk",
            .type = ParamType::Choice,
            .default_value = "raw",
            .help = "the disk image for the work directory, made once per experiment (none: the work directory is in "
                   "the guest's memory)",
            .choices = {"raw", "qcow2", "none"}},
        ParamSpec{
            .name = "disk_size",
            .type = ParamType::Size,
            .default_value = "8GiB",
            .unit = "bytes",
            .help = "size of the disk image (sparse: only what is written takes space)",
            .min = 64 * 1024 * 1024},
        ParamSpec{
            .name = "disk_bus",
            .type = ParamType::Choice,
            .default_value = "virtio-blk",
            .help = "how the disk is attached",
            .choices = {"virtio-blk", "virtio-scsi"},
            .fingerprint = true},
        ParamSpec{
            .name = "disk_cache",
            .type = ParamType::Choice,
            .default_value = "none",
            .help = "QEMU's cache mode for the disk (none: O_DIRECT on the host, as in IBM's 2014 study)",
            .choices = {"none", "writethrough", "writeback", "directsync", "unsafe"},
            .fingerprint = true},
        ParamSpec{
            .name = "disk_io",
            .type = ParamType::Choice,
            .default_value = "native",
            .help = "QEMU's I/O mode for the disk (native: Linux AIO)",
            .choices = {"native", "threads", "io_uring"},
            .fingerprint = true},
        ParamSpec{
            .name = "disk_use",
            .type = ParamType::Choice,
            .default_value = "filesystem",
            .help = "filesystem: ext4 mounted as the work directory; device: the bare disk as /dev/platbench-disk "
                   "(give it to blockio as device:)",
            .choices = {"filesystem", "device"}},
        boot_timeout,
        ParamSpec{
            .name = "image_dir",
            .type = ParamType::String,
            .help = "directory for the boot files, disks and run files, readable by QEMU (default: "
                   "/var/tmp/platbench-kvm-<uid>)"},
    };
    d.create_platform = [] { return std::unique_ptr<Platform>(new KvmPlatform()); };
    return d;
}

}  // namespace

PLATBENCH_PLUGIN(make_kvm_descriptor)
