// Network paths that stay on this machine: a bridge with a private subnet, and
// optionally a network namespace joined to it by a veth pair. Platforms build
// their `network:` paths from these (native and singularity: a namespace on a
// bridge; kvm: a bridge for the VM's tap; docker: a slot whose subnet its own
// bridge network uses).
//
// Safety: every path takes one /24 ("slot") of kSubnet, which platbench must
// have to itself: before a slot is taken, the host's addresses and routes are
// read, and anything of another owner inside kSubnet refuses the path. Nothing
// routes out: the host side has an address on the bridge, the inside has only
// the link's own route (no default route), so packets for any other address have
// nowhere to go. Names carry "pb" (interfaces: 15 characters at most) or
// "platbench-" (namespaces), and each slot has a file in kStateDir naming its
// owner's pid, so that `platbench clean` removes what a killed run left.
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "platbench/platform.hpp"

namespace platbench::local_network {

inline constexpr const char* kSubnet = "10.249.0.0/16";
inline constexpr const char* kStateDir = "/run/platbench-net";

// One slot: 10.249.<index>.0/24, the host side .1 and the inside .2.
struct Slot {
    int index = 0;                // 1..254
    std::string host_address() const;    // "10.249.7.1"
    std::string inside_address() const;  // "10.249.7.2"
    std::string subnet() const;          // "10.249.7.0/24"
    std::string bridge() const;          // "pbbr7"
    std::string host_veth() const;       // "pbh7": the bridge's end
    std::string inside_veth() const;     // "pbn7": the namespace's end
    std::string tap() const;             // "pbt7": a VM's
};

// What an address or route on this host is, as `ip -o -4 addr/route` print it.
struct HostRoute {
    std::string prefix;     // "10.249.3.0/24", "default", "10.249.3.1/24" (an address)
    std::string interface;  // "pbbr3", "eth0"
};

// The problem with using kSubnet here, or "": an address or route of another
// owner (an interface not named "pb...") inside it. Pure, for tests.
std::string subnet_conflict(const std::vector<HostRoute>& routes);

// Parses `ip -o -4 addr show` and `ip -o -4 route show table all` output. Pure.
std::vector<HostRoute> parse_addresses(const std::string& ip_output);
std::vector<HostRoute> parse_routes(const std::string& ip_output);

// Takes a free slot (after the safety check) and records it as this process's.
// Throws std::runtime_error saying why not (kSubnet in use, no `ip`, not root).
Slot take_slot();
// Gives the slot back: removes its interfaces, namespace and state file. Never throws.
void release_slot(const Slot& slot) noexcept;

// A bridge on the slot with the host address. Throws std::runtime_error.
void make_bridge(const Slot& slot);
// A namespace ("platbench-net<index>-<pid>-0") joined to the slot's bridge by a
// veth pair, its end holding the inside address, loopback up, no default route.
// Returns the namespace's name. Throws std::runtime_error.
std::string make_namespace(const Slot& slot);
// The namespace make_namespace() gave the slot.
std::string namespace_name(const Slot& slot);
// The MTU of an interface on the host, or "" when it cannot be read.
std::string mtu_of(const std::string& interface);

// Removes slots whose owner is gone: their interfaces, namespaces and state
// files; interfaces and namespaces named like platbench's with no live owner too.
// One line per object removed.
std::vector<std::string> remove_leftovers();

// The host's own loopback: the peer on 127.0.0.1 (native, host networks).
NetworkPath loopback_path(const std::string& setting);

// The paths of one platform instance that are open, so that each is closed
// once, and all of them when the platform goes.
class OpenPaths {
public:
    OpenPaths() = default;
    ~OpenPaths();
    OpenPaths(const OpenPaths&) = delete;
    OpenPaths& operator=(const OpenPaths&) = delete;

    // A namespace on a bridge of its own (NetworkPath::name: the namespace).
    NetworkPath open_namespace(const std::string& setting);
    // A bridge alone, for a VM's tap (NetworkPath::name: the bridge).
    NetworkPath open_bridge(const std::string& setting);
    // A slot for a bridge another program makes (a container engine's network),
    // the path's name made from it by `name_of`.
    Slot open_slot(const std::function<std::string(const Slot&)>& name_of, std::string& name);
    void close(const NetworkPath& path) noexcept;

private:
    std::mutex mutex_;
    std::map<std::string, Slot> open_;  // by NetworkPath::name
};

}  // namespace platbench::local_network
