// Support for platform.hpp: the resource settings shared by platforms, declared
// once so that "cpuset", "cpus" and "memory" mean the same thing on every
// platform; the spelling of caveat kinds.
#include "platbench/platform.hpp"

namespace platbench {

ParamSpec cpuset_param() {
    return make_param("cpuset", ParamType::CpuList, "", "CPUs", 0, 65535,
                      "CPUs the run may use, e.g. 0-3 (default: all the host allows)");
}

ParamSpec cpus_param() {
    return make_param("cpus", ParamType::Real, "", "CPUs", 0.01, 4096,
                      "CPU bandwidth limit in CPUs, e.g. 1.5 (default: unlimited)");
}

ParamSpec memory_param() {
    return make_param("memory", ParamType::Size, "", "bytes", 4 * 1024 * 1024, kUnbounded,
                      "memory limit, e.g. 2GiB (default: unlimited)");
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
