#include "vm_run.hpp"

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "platbench/names.hpp"

namespace platbench::kvm {
namespace fs = std::filesystem;
namespace {

using Clock = std::chrono::steady_clock;

constexpr auto kPollInterval = std::chrono::milliseconds(20);
constexpr double kShutdownGraceSeconds = 30;   // from the guest's "end" to the domain gone
constexpr std::size_t kOutputCap = 16u << 20;

double seconds_between(Clock::time_point from, Clock::time_point to) {
    return std::chrono::duration<double>(to - from).count();
}

std::string seconds_text(double seconds) {
    std::ostringstream text;
    text.precision(3);
    text << std::fixed << seconds;
    return text.str();
}

// The run's own directory: the request the guest reads, the console log, the
// results port. Readable by QEMU, which libvirt may run as another user; removed
// with everything in it when the run ends.
class RunFiles {
public:
    explicit RunFiles(fs::path dir) : dir_(std::move(dir)) {
        fs::create_directories(dir_);
        fs::permissions(dir_, fs::perms(0755));
    }
    RunFiles(const RunFiles&) = delete;
    RunFiles& operator=(const RunFiles&) = delete;
    ~RunFiles() {
        std::error_code ec;
        fs::remove_all(dir_, ec);
    }
    fs::path request() const { return dir_ / "request"; }
    fs::path console() const { return dir_ / "console.log"; }
    fs::path results() const { return dir_ / "results"; }

private:
    fs::path dir_;
};

// Destroys the domain however the run ends (also on Ctrl-C and on exceptions).
class DomainGuard {
public:
    DomainGuard() = default;
    DomainGuard(const DomainGuard&) = delete;
    DomainGuard& operator=(const DomainGuard&) = delete;
    ~DomainGuard() { destroy_quietly(); }
    void hold(Domain domain) { domain_.emplace(std::move(domain)); }
    const Domain& domain() const { return *domain_; }
    void destroy_quietly() {
        if (!domain_) return;
        try {
            domain_->destroy();
        } catch (const std::exception&) {
            // Left for `platbench clean`, which finds it by its metadata.
        }
    }

private:
    std::optional<Domain> domain_;
};

// What the guest wrote so far, decoded again whenever the file grew.
class ReportWatcher {
public:
    explicit ReportWatcher(fs::path file) : file_(std::move(file)) {}
    const GuestReport& refresh() {
        std::error_code ec;
        const auto size = fs::file_size(file_, ec);
        if (ec || size == seen_size_) return report_;
        std::ifstream in(file_, std::ios::binary);
        std::ostringstream bytes;
        bytes << in.rdbuf();
        seen_size_ = size;
        report_ = decode_guest_report(bytes.str());
        return report_;
    }
    const GuestReport& report() const { return report_; }

private:
    fs::path file_;
    std::uintmax_t seen_size_ = static_cast<std::uintmax_t>(-1);
    GuestReport report_;
};

void write_file(const fs::path& path, const std::string& bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << bytes;
    if (!out) throw std::runtime_error("cannot write " + path.string());
    out.close();
    fs::permissions(path, fs::perms(0644));
}

std::string boot_failure(const VmSettings& settings, const fs::path& console) {
    std::string message = "the guest did not reach the runner within " + seconds_text(settings.boot_timeout_seconds) +
                          " s (boot_timeout)";
    if (settings.accel == "kvm")
        message += "; KVM guests hang at kernel entry where nested virtualisation does not work: try `accel: tcg`";
    else
        message += "; raise boot_timeout if the host is slow, or check the kernel";
    const std::string tail = console_tail(console);
    return message + (tail.empty() ? "; the console stayed empty" : "; console: " + tail);
}

struct Watch {
    std::optional<Clock::time_point> ready_at;
    std::optional<Clock::time_point> reported_at;
};

// Follows the guest from boot to its report; destroys it on any deadline, on
// Ctrl-C and on a malformed report.
Watch watch_guest(const DomainGuard& guard, ReportWatcher& watcher, const PlatformRunRequest& request,
                  const VmSettings& settings, const RunFiles& files, Clock::time_point begin,
                  PlatformRunOutcome& outcome) {
    Watch watch;
    for (;;) {
        const bool alive = guard.domain().active();
        const GuestReport& report = watcher.refresh();
        const auto now = Clock::now();
        if (!report.problem.empty()) {
            guard.domain().destroy();
            outcome.failure = "the guest's report is malformed, so none of it is used: " + report.problem;
            return watch;
        }
        if (report.ready() && !watch.ready_at) {
            watch.ready_at = now;
            outcome.started = true;
        }
        if (report.complete) {
            watch.reported_at = now;
            return watch;
        }
        if (!alive) {
            outcome.failure = "the VM stopped before the guest reported its results";
            if (const std::string tail = console_tail(files.console()); !tail.empty()) outcome.failure += "; console: " + tail;
            return watch;
        }
        if (request.cancel.load()) {
            guard.domain().destroy();
            outcome.cancelled = true;
            return watch;
        }
        if (!watch.ready_at && seconds_between(begin, now) > settings.boot_timeout_seconds) {
            guard.domain().destroy();
            outcome.failure = boot_failure(settings, files.console());
            return watch;
        }
        if (watch.ready_at && seconds_between(*watch.ready_at, now) > request.timeout.count()) {
            guard.domain().destroy();
            outcome.timed_out = true;
            outcome.term_signal = 9;
            return watch;
        }
        std::this_thread::sleep_for(kPollInterval);
    }
}

// After the guest's "end": it powers off by itself; give it a while, then destroy it.
double wait_for_power_off(const DomainGuard& guard, Clock::time_point reported_at, PlatformRunOutcome& outcome) {
    while (guard.domain().active()) {
        if (seconds_between(reported_at, Clock::now()) > kShutdownGraceSeconds) {
            guard.domain().destroy();
            outcome.metadata["shutdown_note"] = "the guest did not power off within 30 s and was destroyed";
            break;
        }
        std::this_thread::sleep_for(kPollInterval);
    }
    return seconds_between(reported_at, Clock::now());
}

void take_report(const GuestReport& report, PlatformRunOutcome& outcome) {
    if (report.kernel) outcome.metadata["guest_kernel"] = with_safe_name_characters(*report.kernel);
    if (report.ready_uptime) outcome.metadata["guest_uptime_at_runner_start_seconds"] = seconds_text(*report.ready_uptime);
    if (report.init_error) {
        outcome.failure = "the guest could not run the runner: " + *report.init_error;
        return;
    }
    if (report.stdout_text) outcome.stdout_text = *report.stdout_text;
    if (report.stderr_text) outcome.stderr_text = *report.stderr_text;
    if (report.exit) {
        outcome.exit_code = report.exit->exit_code;
        outcome.term_signal = report.exit->term_signal;
    }
}

// The run's NIC on the bridge open_network() made; vhost-net where the host has it.
NicSpec nic_for(const NetworkPath& path) {
    NicSpec nic;
    nic.bridge = path.name;
    nic.tap = path.metadata.at("network_tap");
    nic.vhost = path.metadata.at("network_vhost") == "yes";
    return nic;
}

void run_steps(const Connection& connection, const PlatformRunRequest& request, const VmSettings& settings,
               PlatformRunOutcome& outcome) {
    const std::string name = unique_object_name(request.labels);
    const RunFiles files(settings.runs_dir / name);
    write_file(files.request(), encode_request(guest_request_for(request, settings)));

    DomainSpec spec = settings.domain;
    spec.name = name;
    spec.labels = request.labels;
    spec.request_file = files.request().string();
    spec.console_log = files.console().string();
    spec.results_file = files.results().string();
    if (request.work_dir.empty() || settings.disk_use == DiskUse::None) spec.disk.reset();
    if (request.network) spec.nic = nic_for(*request.network);
    const std::string xml = domain_xml(spec);
    outcome.metadata["domain"] = name;
    outcome.metadata["domain_xml"] = xml;

    const auto begin = Clock::now();
    DomainGuard guard;
    try {
        guard.hold(connection.create_transient(xml));
    } catch (const LibvirtError& e) {
        const std::string what = e.what();
        if (what.find("Permission denied") == std::string::npos) throw;
        throw std::runtime_error(what + "; QEMU may run as another user (libvirt-qemu under qemu:///system): keep "
                                        "image_dir where that user can read, e.g. the default under /var/tmp");
    }
    outcome.metadata["create_seconds"] = seconds_text(seconds_between(begin, Clock::now()));

    ReportWatcher watcher(files.results());
    const Watch watch = watch_guest(guard, watcher, request, settings, files, begin, outcome);
    if (watch.ready_at) outcome.metadata["boot_seconds"] = seconds_text(seconds_between(begin, *watch.ready_at));
    if (!watch.reported_at) return;  // the guard destroys what is left
    outcome.metadata["shutdown_seconds"] = seconds_text(wait_for_power_off(guard, *watch.reported_at, outcome));
    const GuestReport& report = watcher.report();
    take_report(report, outcome);
    // The runner's lifetime as the guest's init saw it; the engine computes the
    // overhead (boot, shutdown) from its own clock and the runner's result line.
    if (report.exit) outcome.metadata["runner_seconds"] = seconds_text(report.exit->runner_seconds);
}

}  // namespace

RunRequest guest_request_for(const PlatformRunRequest& request, const VmSettings& settings) {
    RunRequest guest;
    guest.runner = settings.runner_path;
    guest.args = request.runner_args;
    guest.args.insert(guest.args.end(), {"--plugin-dir", settings.plugin_dir});
    if (!request.work_dir.empty()) {
        guest.args.insert(guest.args.end(), {"--work-dir", kGuestWorkDir});
        if (settings.domain.disk) guest.disk = disk_use_word(settings.disk_use);
    }
    guest.output_cap = kOutputCap;
    if (request.network) guest.address = request.network->metadata.at("network_guest_address");
    return guest;
}

PlatformRunOutcome run_in_vm(const Connection& connection, const PlatformRunRequest& request,
                             const VmSettings& settings) {
    PlatformRunOutcome outcome;
    outcome.metadata["accel"] = settings.accel;
    try {
        run_steps(connection, request, settings, outcome);
    } catch (const std::exception& e) {
        if (outcome.failure.empty()) outcome.failure = e.what();
    }
    return outcome;
}

std::string console_tail(const fs::path& console_log, std::size_t max_bytes) {
    std::ifstream in(console_log, std::ios::binary);
    if (!in) return {};
    in.seekg(0, std::ios::end);
    const std::streamoff size = in.tellg();
    const std::streamoff start = size > static_cast<std::streamoff>(max_bytes) ? size - static_cast<std::streamoff>(max_bytes) : 0;
    in.seekg(start);
    std::string text(static_cast<std::size_t>(size - start), '\0');
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    // Kernel messages from an untrusted guest: printable ASCII and line breaks only.
    std::string clean;
    for (char c : text) {
        if (c == '\r') continue;
        clean += (c == '\n' || (c >= 0x20 && c < 0x7f)) ? c : '?';
    }
    while (!clean.empty() && (clean.back() == '\n' || clean.back() == ' ')) clean.pop_back();
    const std::size_t first = clean.find_first_not_of('\n');
    return first == std::string::npos ? std::string() : clean.substr(first);
}

}  // namespace platbench::kvm
