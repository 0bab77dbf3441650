// Needs a function nobody defines: the dynamic loader refuses it (RTLD_NOW).
#include "fake_workload.hpp"
extern "C" int platbench_test_function_that_does_not_exist(int);
namespace {
platbench::PluginDescriptor make() {
    platbench::PluginDescriptor d = broken::fake_descriptor("undefined_symbol");
    d.description += std::to_string(platbench_test_function_that_does_not_exist(1));
    return d;
}
}  // namespace
PLATBENCH_PLUGIN(make)
