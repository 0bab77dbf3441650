// A valid plugin built twice under two file names: the second is a duplicate name.
#include "fake_workload.hpp"
namespace {
platbench::PluginDescriptor make() { return broken::fake_descriptor("twin"); }
}  // namespace
PLATBENCH_PLUGIN(make)
