// The net workload: network throughput and request/response latency between the
// run (inside the platform) and a peer on the host (outside it), as netperf
// measures them: TCP_STREAM, TCP_RR, UDP_RR. The parameters and metrics are in
// net_params.cpp, the protocol in net_protocol.cpp, the peer in net_server.cpp,
// the client in net_client.cpp and its loops in net_exchanges.cpp.
#include "net_client.hpp"
#include "net_params.hpp"
#include "net_server.hpp"
#include "platbench/plugin.hpp"

namespace platbench::net {
namespace {

std::string join(const std::vector<std::string>& errors) {
    std::string text;
    for (const std::string& error : errors) text += (text.empty() ? "" : "; ") + error;
    return text;
}

class NetWorkload : public Workload {
public:
    std::vector<std::string> validate(const ParamValues& params) const override { return settings_errors(params); }

    WorkloadResult run(const WorkloadRunRequest& request) override {
        if (auto errors = settings_errors(request.params); !errors.empty()) throw WorkloadError(join(errors));
        return run_client(parse_settings(request.params), request);
    }

    void serve(const WorkloadServeRequest& request) override { net::serve(request); }
};

PluginDescriptor make_net_descriptor() {
    PluginDescriptor d;
    d.kind = PluginKind::Workload;
    d.name = "net";
    d.description =
        "Network throughput and request/response latency to a peer on the host, like netperf (TCP_STREAM, TCP_RR, "
        "UDP_RR)";
    d.flags = kWorkloadNetworkPeer;
    d.params = net_params();
    d.metrics = net_metrics();
    d.create_workload = [] { return std::unique_ptr<Workload>(new NetWorkload()); };
    return d;
}

}  // namespace
}  // namespace platbench::net

PLATBENCH_PLUGIN(platbench::net::make_net_descriptor)
