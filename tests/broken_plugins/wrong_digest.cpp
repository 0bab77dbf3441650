// The right ABI version, but built against other headers: its digest differs.
#include "fake_workload.hpp"
extern "C" BOOST_SYMBOL_EXPORT const std::uint32_t platbench_abi_version;
extern "C" BOOST_SYMBOL_EXPORT const std::uint32_t platbench_abi_version = platbench::kAbiVersion;
extern "C" BOOST_SYMBOL_EXPORT const std::uint64_t platbench_abi_digest;
extern "C" BOOST_SYMBOL_EXPORT const std::uint64_t platbench_abi_digest = platbench::kAbiDigest ^ 1u;
extern "C" BOOST_SYMBOL_EXPORT const platbench::PluginDescriptor* platbench_plugin() {
    static const platbench::PluginDescriptor d = broken::fake_descriptor("wrong_digest");
    return &d;
}
