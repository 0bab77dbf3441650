// STUB: to be implemented.
#include "platbench/plugin.hpp"
namespace {
class NativePlatform : public platbench::Platform {
public:
    platbench::ProbeResult probe(const platbench::ParamValues&) override { return {}; }
    platbench::PlatformRunOutcome run(const platbench::PlatformRunRequest&) override { return {}; }
};
platbench::PluginDescriptor make_native_descriptor() {
    platbench::PluginDescriptor d;
    d.kind = platbench::PluginKind::Platform;
    d.name = "native";
    d.description = "Bare metal: the runner as a child process of the host";
    d.create_platform = [] { return std::unique_ptr<platbench::Platform>(new NativePlatform()); };
    return d;
}
}  // namespace
PLATBENCH_PLUGIN(make_native_descriptor)
