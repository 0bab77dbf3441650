// One run in one VM: write the request, start a transient domain, wait for the
// guest to report (boot timeout, then run timeout), collect what it sent, and
// make sure the domain and the run's files are gone however the run ends.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "domain_xml.hpp"
#include "guest/run_request.hpp"
#include "guest_report.hpp"
#include "libvirt_handle.hpp"
#include "platbench/platform.hpp"

namespace platbench::kvm {

// Where the runner and its work directory are inside the guest.
inline constexpr const char* kGuestWorkDir = "/work";

// Everything about the VM that is the same for every run of a platform instance.
struct VmSettings {
    DomainSpec domain;                   // name, labels and per-run files are filled in per run
    DiskUse disk_use = DiskUse::None;    // how the guest uses domain.disk, when a run has a work directory
    std::string runner_path;             // inside the guest
    std::string plugin_dir;              // inside the guest
    double boot_timeout_seconds = 60;
    std::filesystem::path runs_dir;      // per-run files (request, console, results) go below it
    std::string accel;                   // "kvm" or "tcg", for the messages
};

// The request the guest gets for `request` under `settings`.
RunRequest guest_request_for(const PlatformRunRequest& request, const VmSettings& settings);

// Never throws: every failure becomes a field of the outcome.
PlatformRunOutcome run_in_vm(const Connection& connection, const PlatformRunRequest& request,
                             const VmSettings& settings);

// The last `max_bytes` of a console log, as printable text, for a failure message.
std::string console_tail(const std::filesystem::path& console_log, std::size_t max_bytes = 1500);

}  // namespace platbench::kvm
