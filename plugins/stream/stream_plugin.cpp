// STUB: to be implemented.
#include "platbench/plugin.hpp"
namespace {
class StreamWorkload : public platbench::Workload {
public:
    platbench::WorkloadResult run(const platbench::WorkloadRunRequest&) override { return {}; }
};
platbench::PluginDescriptor make_stream_descriptor() {
    platbench::PluginDescriptor d;
    d.kind = platbench::PluginKind::Workload;
    d.name = "stream";
    d.description = "STREAM memory bandwidth (Copy, Scale, Add, Triad) with oneTBB";
    d.create_workload = [] { return std::unique_ptr<platbench::Workload>(new StreamWorkload()); };
    return d;
}
}  // namespace
PLATBENCH_PLUGIN(make_stream_descriptor)
