// The right ABI version and an entry point, but no header digest (hand-written symbols).
#include "fake_workload.hpp"
extern "C" BOOST_SYMBOL_EXPORT const std::uint32_t platbench_abi_version;
extern "C" BOOST_SYMBOL_EXPORT const std::uint32_t platbench_abi_version = platbench::kAbiVersion;
extern "C" BOOST_SYMBOL_EXPORT const platbench::PluginDescriptor* platbench_plugin() {
    static const platbench::PluginDescriptor d = broken::fake_descriptor("missing_digest");
    return &d;
}
