// Exports the entry point but no platbench_abi_version.
#include "fake_workload.hpp"
extern "C" BOOST_SYMBOL_EXPORT const platbench::PluginDescriptor* platbench_plugin() {
    static const platbench::PluginDescriptor d = broken::fake_descriptor("missing_version");
    return &d;
}
