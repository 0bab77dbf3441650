// Built for another ABI version.
#include "fake_workload.hpp"
extern "C" BOOST_SYMBOL_EXPORT const std::uint32_t platbench_abi_version;
extern "C" BOOST_SYMBOL_EXPORT const std::uint32_t platbench_abi_version = 999;
extern "C" BOOST_SYMBOL_EXPORT const platbench::PluginDescriptor* platbench_plugin() {
    static const platbench::PluginDescriptor d = broken::fake_descriptor("wrong_version");
    return &d;
}
