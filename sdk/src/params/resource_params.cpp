// Support for platform.hpp: the resource settings shared by platforms, declared
// once so that "cpuset", "cpus" and "memory" mean the same thing on every
// platform; the spelling of caveat kinds.
#include "platbench/platform.hpp"

namespace platbench {

ParamSpec cpuset_param() {
    return ParamSpec{
        .name = "cpuset",
        .type = ParamType::CpuList,
        .unit = "CPUs",
        .help = "CPUs the run may use, e.g. 0-3 (default: all the host allows)",
        .min = 0,
        .max = 65535};
}

ParamSpec cpus_param() {
    return ParamSpec{
        .name = "cpus",
        .type = ParamType::Real,
        .unit = "CPUs",
        .help = "CPU bandwidth limit in CPUs, e.g. 1.5 (default: unlimited)",
        .real_min = 0.01,
        .real_max = 4096};
}

ParamSpec memory_param() {
    return ParamSpec{
        .name = "memory",
        .type = ParamType::Size,
        .unit = "bytes",
        .help = "memory limit, e.g. 2GiB (default: unlimited)",
        .min = 4 * 1024 * 1024};
}

ParamSpec network_param(std::vector<std::string> choices, std::string default_value, std::string help) {
    return ParamSpec{
        .name = "network",
        .type = ParamType::Choice,
        .default_value = std::move(default_value),
        .help = std::move(help) +
                ". Only network workloads use it; every other run has no network. Paths stay on this machine",
        .choices = std::move(choices),
        .fingerprint = true};
}

}  // namespace platbench

namespace platbench {

const char* caveat_kind_name(Caveat::Kind kind) {
    switch (kind) {
        case Caveat::Kind::Emulation: return "emulation";
    }
    return "caveat";
}

}  // namespace platbench
