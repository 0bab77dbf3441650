// The resource settings shared by platforms, declared once so that "cpuset",
// "cpus" and "memory" mean the same thing on every platform.
#include "platbench/platform.hpp"

namespace platbench {

ParamSpec cpuset_param() {
    ParamSpec spec;
    spec.name = "cpuset";
    spec.type = ParamType::CpuList;
    spec.unit = "CPUs";
    spec.min = 0;
    spec.max = 65535;
    spec.help = "CPUs the run may use, e.g. 0-3 (default: all the host allows)";
    return spec;
}

ParamSpec cpus_param() {
    ParamSpec spec;
    spec.name = "cpus";
    spec.type = ParamType::Real;
    spec.unit = "CPUs";
    spec.min = 0.01;
    spec.max = 4096;
    spec.help = "CPU bandwidth limit in CPUs, e.g. 1.5 (default: unlimited)";
    return spec;
}

ParamSpec memory_param() {
    ParamSpec spec;
    spec.name = "memory";
    spec.type = ParamType::Size;
    spec.unit = "bytes";
    spec.min = 4 * 1024 * 1024;
    spec.help = "memory limit, e.g. 2GiB (default: unlimited)";
    return spec;
}

}  // namespace platbench
