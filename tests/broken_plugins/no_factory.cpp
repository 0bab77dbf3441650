// A workload descriptor without its factory.
#include "fake_workload.hpp"
namespace {
platbench::PluginDescriptor make() {
    platbench::PluginDescriptor d = broken::fake_descriptor("no_factory");
    d.create_workload = nullptr;
    return d;
}
}  // namespace
PLATBENCH_PLUGIN(make)
