// Plugins that load cleanly but whose factories throw when an object is asked
// for: the platform's when the engine probes it, the workload's in the runner.
// Both must cost only their own runs.
#include <stdexcept>

#include "platbench/plugin.hpp"

namespace {

platbench::PluginDescriptor make_descriptor() {
    platbench::PluginDescriptor d;
#ifdef THROWING_PLATFORM
    d.kind = platbench::PluginKind::Platform;
    d.name = "throwing_platform";
    d.description = "test plugin: create_platform throws";
    d.create_platform = []() -> std::unique_ptr<platbench::Platform> {
        throw std::runtime_error("the platform factory threw on purpose");
    };
#else
    d.kind = platbench::PluginKind::Workload;
    d.name = "throwing_workload";
    d.description = "test plugin: create_workload throws";
    d.create_workload = []() -> std::unique_ptr<platbench::Workload> {
        throw std::runtime_error("the workload factory threw on purpose");
    };
#endif
    return d;
}

}  // namespace

PLATBENCH_PLUGIN(make_descriptor)
