// A platform plugin over an Engine API daemon: the runner bundle as an image, one
// container per run, spoken to on the daemon's unix socket (no CLI). docker and
// podman are this platform with their own EngineFlavour; their plugin files hold
// little more than it.
#pragma once

#include <memory>
#include <string>

#include "engine_endpoint.hpp"
#include "platbench/plugin.hpp"

namespace platbench::engine_api {

// What tells one daemon from another, to the user and in the results.
struct EngineFlavour {
    std::string name;              // "podman": the plugin's name, a failure's prefix, metadata keys' prefix
    std::string product;           // "Podman", in sentences
    EndpointSource endpoint;       // where its socket is
    std::string install_hint;      // what to do when no daemon answers
    std::string permission_hint;   // ... when its socket refuses this user
    std::string minimum_product;   // the oldest release speaking the API version platbench needs
    // How a network workload's container reaches its peer besides `host`: a bridge
    // network the daemon makes (Docker), or a namespace of the run's on a bridge,
    // joined with NetworkMode "ns:<path>" (Podman, whose bridge exists only once a
    // container starts, too late for the peer to listen on it).
    bool namespace_network = false;
};

// The metadata key of a daemon fact, prefixed with the flavour's name: "podman_server_version".
std::string flavoured_key(const EngineFlavour& flavour, const std::string& fact);

// The descriptor of the flavour's platform plugin: its name, `description`, the bundle
// flag, the fingerprint metadata and the parameter table (endpoint, storage, network,
// cpuset, cpus, memory). create_platform is the plugin's to set (a plain function
// pointer cannot carry the flavour): to one returning make_engine_platform(flavour).
PluginDescriptor engine_platform_descriptor(const EngineFlavour& flavour, std::string description);

std::unique_ptr<Platform> make_engine_platform(EngineFlavour flavour);

}  // namespace platbench::engine_api
