// The libvirt domain XML of one run's VM: a pure function of its spec, so the
// exact XML is reviewed in golden files (tests/data/kvm).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace platbench::kvm {

// The namespace of platbench's <metadata> element: `platbench clean` destroys
// only domains that carry it.
inline constexpr const char* kMetadataUri = "urn:platbench:domain:1";
inline constexpr const char* kMetadataPrefix = "platbench";

struct DiskSpec {
    std::string path;
    std::string format = "raw";        // raw | qcow2
    std::string bus = "virtio-blk";    // virtio-blk | virtio-scsi
    std::string cache = "none";        // none | writethrough | writeback | directsync | unsafe
    std::string io = "native";         // native | threads | io_uring
};

// A virtio-net NIC on a tap that libvirt creates and attaches to `bridge`.
struct NicSpec {
    std::string bridge;                // "pbbr7": the run's bridge
    std::string tap;                   // "pbt7": the tap's name on the host
    bool vhost = false;                // in-kernel vhost-net; false: QEMU's own virtio-net
};

struct DomainSpec {
    std::string name;
    std::string domain_type = "qemu";  // kvm | qemu (TCG) | test (libvirt's test driver)
    std::uint64_t memory_bytes = 0;
    int vcpus = 1;
    std::vector<int> vcpu_pins;        // vCPU i runs on host CPU vcpu_pins[i]; empty: not pinned
    std::string cpu_model = "maximum"; // host-passthrough | host-model | maximum | a named QEMU model
    bool hugepages = false;
    std::string kernel;
    std::string initrd;
    std::string cmdline;
    std::string request_file;          // the run request, given to the guest through fw_cfg
    std::string console_log;           // the serial console: kernel messages
    std::string results_file;          // the virtio-serial results port
    std::optional<DiskSpec> disk;
    std::optional<NicSpec> nic;        // only for a network workload's run
    std::map<std::string, std::string> labels;  // platbench=1, platbench.run=..., in <metadata>
};

std::string domain_xml(const DomainSpec& spec);

// `text` with &, <, >, ' and " as XML entities; control characters other than tab,
// newline and carriage return (which XML cannot carry) as '?'.
std::string xml_escaped(const std::string& text);

// The guest device names a disk on `bus` gets ("vda" / "sda").
std::string disk_target(const std::string& bus);

}  // namespace platbench::kvm
