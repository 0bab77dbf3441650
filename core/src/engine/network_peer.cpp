#include "engine/network_peer.hpp"

#include <stdlib.h>

#include <fstream>
#include <stdexcept>

namespace platbench {
namespace fs = std::filesystem;

namespace {

constexpr auto kPollInterval = std::chrono::milliseconds(20);

// A private directory for the peer's ready file: mkdtemp, so no other user can
// plant the file the engine reads.
fs::path make_ready_dir() {
    std::string pattern = (fs::temp_directory_path() / "platbench-peer-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("cannot make a directory for the peer's ready file");
    return pattern;
}

std::string read_ready_file(const fs::path& file) {
    std::ifstream in(file);
    std::string line;
    std::getline(in, line);
    return line;
}

std::string last_line(const std::string& text) {
    std::string trimmed = text;
    while (!trimmed.empty() && (trimmed.back() == '\n' || trimmed.back() == '\r')) trimmed.pop_back();
    const std::size_t newline = trimmed.rfind('\n');
    return newline == std::string::npos ? trimmed : trimmed.substr(newline + 1);
}

}  // namespace

NetworkPeer::NetworkPeer(NetworkPeerRequest request) : platform_(request.platform) {
    try {
        path_ = platform_.open_network({request.platform_settings, request.labels});
    } catch (const std::exception& e) {
        throw std::runtime_error(std::string("cannot make the network path: ") + e.what());
    }
    path_open_ = true;
    try {
        start(request);
        wait_until_listening(request.ready_timeout);
    } catch (...) {
        stop();
        throw;
    }
}

NetworkPeer::~NetworkPeer() { stop(); }

void NetworkPeer::start(const NetworkPeerRequest& request) {
    if (path_.peer_address.empty()) throw std::runtime_error("the platform's network path has no address for the peer");
    ready_dir_ = make_ready_dir();
    ChildRequest child;
    child.argv = request.serve_argv;
    for (const std::string& arg : {std::string("--listen"), path_.peer_address, std::string("--ready-file"),
                                   (ready_dir_ / "ready").string()})
        child.argv.push_back(arg);
    child.timeout = request.lifetime;
    child.cancel = &stop_;
    thread_ = std::thread([this, child] {
        outcome_ = run_child(child);
        exited_ = true;
    });
}

void NetworkPeer::wait_until_listening(std::chrono::duration<double> timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    const fs::path file = ready_dir_ / "ready";
    for (;;) {
        if (std::error_code ec; fs::exists(file, ec)) {
            address_ = read_ready_file(file);
            if (!address_.empty()) return;
        }
        if (exited_) {
            thread_.join();
            const std::string why = outcome_.started ? last_line(outcome_.stderr_text) : outcome_.failure;
            throw std::runtime_error("the network peer (platbench-runner --serve) ended before it listened on " +
                                     path_.peer_address + ": " + (why.empty() ? "it said nothing" : why));
        }
        if (std::chrono::steady_clock::now() > deadline) {
            throw std::runtime_error("the network peer did not listen on " + path_.peer_address + " within " +
                                     std::to_string(static_cast<int>(timeout.count())) + " s");
        }
        std::this_thread::sleep_for(kPollInterval);
    }
}

void NetworkPeer::stop() noexcept {
    stop_ = true;  // run_child ends the peer: SIGTERM, then SIGKILL after a grace
    if (thread_.joinable()) thread_.join();
    if (!ready_dir_.empty()) {
        std::error_code ec;
        fs::remove_all(ready_dir_, ec);
        ready_dir_.clear();
    }
    if (path_open_) {
        platform_.close_network(path_);
        path_open_ = false;
    }
}

std::map<std::string, std::string> NetworkPeer::metadata() const {
    std::map<std::string, std::string> metadata = path_.metadata;
    metadata["network_peer"] = address_;
    return metadata;
}

}  // namespace platbench
