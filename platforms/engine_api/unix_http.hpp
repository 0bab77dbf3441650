// HTTP/1.1 over a unix stream socket (Boost.Beast), one connection per request.
//
// Every call has a deadline and watches a cancel flag, so a stuck daemon or a
// Ctrl-C never leaves platbench waiting: the socket is closed and the call
// throws HttpCallError saying which of the two happened.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>

namespace platbench::engine_api {

using Clock = std::chrono::steady_clock;

struct HttpRequest {
    std::string method;                              // "GET", "POST", "DELETE"
    std::string target;                              // "/v1.41/containers/json?all=1"
    std::string body;                                // sent when body_file is empty
    std::optional<std::filesystem::path> body_file;  // streamed from disk (an image tarball)
    std::string content_type = "application/json";
};

struct HttpResponse {
    unsigned status = 0;
    std::string body;
};

struct CallLimits {
    Clock::time_point deadline;
    const std::atomic<bool>* cancel = nullptr;  // may be null
};

// Why a call produced no response: the daemon cannot be reached at all, the
// deadline passed, the caller cancelled, or the exchange itself broke.
enum class HttpFailure { Unreachable, TimedOut, Cancelled, Broken };

class HttpCallError : public std::runtime_error {
public:
    HttpCallError(HttpFailure failure, const std::string& message) : std::runtime_error(message), failure_(failure) {}
    HttpFailure failure() const { return failure_; }

private:
    HttpFailure failure_;
};

class UnixHttpClient {
public:
    explicit UnixHttpClient(std::string socket_path, std::size_t response_cap_bytes = 64u << 20);

    // Sends one request and reads the whole response (bodies longer than the cap
    // are an error). Throws HttpCallError; HTTP error statuses are returned, not thrown.
    HttpResponse send(const HttpRequest& request, const CallLimits& limits) const;

    const std::string& socket_path() const { return socket_path_; }

private:
    std::string socket_path_;
    std::size_t response_cap_bytes_;
};

}  // namespace platbench::engine_api
