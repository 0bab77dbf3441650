#include "hpc_sizing.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

namespace platbench::hpc {

ParamSpec memory_fraction_param(const std::string& what) {
    return ParamSpec{
        .name = "memory_fraction",
        .type = ParamType::Real,
        .help = what + " as a share of the memory the run may use inside the platform, e.g. 0.25",
        .real_min = 1e-6,
        .real_max = 0.9};
}

ParamSpec threads_param(const std::string& help) {
    return ParamSpec{
        .name = "threads",
        .type = ParamType::Integer,
        .unit = "threads",
        .help = help,
        .min = 1,
        .max = 4096};
}

ParamSpec order_param(const std::string& help) {
    return ParamSpec{.name = "n", .type = ParamType::Count, .help = help, .min = 16, .max = kMaxOrder};
}

int order_of(const WorkloadRunRequest& request, int default_order) {
    const ParamValues& params = request.params;
    if (params.has("n")) return static_cast<int>(params.integer("n"));
    if (!params.has("memory_fraction")) return default_order;
    const double bytes = static_cast<double>(bytes_for_fraction(params.real("memory_fraction"), request.environment));
    const int n = static_cast<int>(std::min<double>(std::floor(std::sqrt(bytes / 8.0)), kMaxOrder));
    if (n < 16)
        throw WorkloadError("memory_fraction gives an order of " + std::to_string(n) +
                            ", below the least (16): raise memory_fraction or give n");
    return n;
}

std::vector<std::string> exclusive_errors(const ParamValues& params, const std::string& first, const std::string& second,
                                          const std::string& what) {
    if (params.has(first) && params.has(second))
        return {first + " and " + second + " both set " + what + ": give only one of them"};
    return {};
}

std::uint64_t bytes_for_fraction(double fraction, const ObservedEnvironment& environment) {
    const std::uint64_t usable = environment.usable_memory_bytes();
    if (usable == 0)
        throw WorkloadError("memory_fraction needs the usable memory, which this platform does not show "
                            "(no MemAvailable, no cgroup limit): give the size outright instead");
    return static_cast<std::uint64_t>(fraction * static_cast<double>(usable));
}

ThreadChoice choose_threads(const ParamValues& params, const ObservedEnvironment& environment) {
    ThreadChoice choice;
    const int usable = std::max(1, environment.usable_cpus());
    choice.threads = params.has("threads") ? static_cast<int>(params.integer("threads")) : usable;
    if (choice.threads > usable) {
        choice.warning = "oversubscribed: " + std::to_string(choice.threads) + " threads share " + std::to_string(usable) +
                         " usable CPUs: the figures measure oversubscription, not the platform alone";
    }
    return choice;
}

std::optional<std::string> memory_shortfall(double needed, double share, const ObservedEnvironment& environment,
                                            const std::string& what) {
    const std::uint64_t usable = environment.usable_memory_bytes();
    if (usable == 0) return std::nullopt;  // unknown: nothing to check against
    const double allowed = share * static_cast<double>(usable);
    if (needed <= allowed) return std::nullopt;
    std::ostringstream out;
    out.setf(std::ios::fixed);
    out.precision(0);
    out << what << " does not fit in memory: it needs " << needed << " bytes, but only " << allowed << " bytes are usable ("
        << share * 100 << "% of the " << usable << " bytes available to the run); make it smaller or give the platform more memory";
    return out.str();
}

}  // namespace platbench::hpc
