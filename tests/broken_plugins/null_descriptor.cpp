// The entry point registers nothing.
#include "fake_workload.hpp"
extern "C" BOOST_SYMBOL_EXPORT const std::uint32_t platbench_abi_version;
extern "C" BOOST_SYMBOL_EXPORT const std::uint32_t platbench_abi_version = platbench::kAbiVersion;
extern "C" BOOST_SYMBOL_EXPORT const std::uint64_t platbench_abi_digest;
extern "C" BOOST_SYMBOL_EXPORT const std::uint64_t platbench_abi_digest = platbench::kAbiDigest;
extern "C" BOOST_SYMBOL_EXPORT const platbench::PluginDescriptor* platbench_plugin() { return nullptr; }
