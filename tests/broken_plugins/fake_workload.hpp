// A minimal workload used by the broken plugins: what is broken is never the workload.
#pragma once
#include "platbench/plugin.hpp"

namespace broken {
class FakeWorkload : public platbench::Workload {
public:
    platbench::WorkloadResult run(const platbench::WorkloadRunRequest&) override { return {}; }
};

inline platbench::PluginDescriptor fake_descriptor(const char* name) {
    platbench::PluginDescriptor d;
    d.kind = platbench::PluginKind::Workload;
    d.name = name;
    d.description = "test plugin";
    d.create_workload = [] { return std::unique_ptr<platbench::Workload>(new FakeWorkload()); };
    return d;
}
}  // namespace broken
