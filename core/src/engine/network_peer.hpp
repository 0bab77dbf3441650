// The peer of a network workload (kWorkloadNetworkPeer) for one run: the
// platform's network path, and the workload's serve() on the host side of it in
// `platbench-runner --serve`, outside the platform.
//
// The peer is the engine's, not the platform's: every platform is measured
// against the same peer program on the same host, so only the path between them
// differs. It is started before the platform's run() and stopped after it.
#pragma once

#include <atomic>
#include <chrono>
#include <filesystem>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "platbench/platform.hpp"
#include "platbench/process.hpp"

namespace platbench {

struct NetworkPeerRequest {
    Platform& platform;
    const ParamValues& platform_settings;
    std::map<std::string, std::string> labels;    // the run's, as for run()
    std::vector<std::string> serve_argv;          // runner --serve NAME --param ... --plugin-dir DIR (no --listen)
    std::chrono::duration<double> lifetime;       // at most this long (the run's timeout and a margin)
    std::chrono::duration<double> ready_timeout;  // to start listening
};

class NetworkPeer {
public:
    // Opens the network path, starts the peer on its host side and waits until it
    // listens. Throws std::runtime_error saying which step failed and why; what
    // was made is removed first.
    explicit NetworkPeer(NetworkPeerRequest request);
    // Stops the peer, then closes the path.
    ~NetworkPeer();
    NetworkPeer(const NetworkPeer&) = delete;
    NetworkPeer& operator=(const NetworkPeer&) = delete;

    const NetworkPath& path() const { return path_; }
    // "address:port" where the peer listens, as the runner's --peer.
    const std::string& address() const { return address_; }
    // Recorded with the run: the path's metadata and where the peer was.
    std::map<std::string, std::string> metadata() const;

private:
    void start(const NetworkPeerRequest& request);
    void wait_until_listening(std::chrono::duration<double> timeout);
    void stop() noexcept;

    Platform& platform_;
    NetworkPath path_;
    bool path_open_ = false;
    std::filesystem::path ready_dir_;
    std::atomic<bool> stop_{false};
    std::atomic<bool> exited_{false};
    ChildOutcome outcome_;
    std::thread thread_;
    std::string address_;
};

}  // namespace platbench
