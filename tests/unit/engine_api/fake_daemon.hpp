// A scripted HTTP server on a unix socket, standing in for the Docker daemon:
// each connection gets the next canned raw response (or none, to test timeouts),
// and every request it read is kept for the test to check.
#pragma once

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <deque>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace test {

struct ReceivedRequest {
    std::string head;  // request line and headers
    std::string body;
};

class FakeDaemon {
public:
    explicit FakeDaemon(std::filesystem::path socket_path) : path_(std::move(socket_path)) {
        listener_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_un address{};
        address.sun_family = AF_UNIX;
        std::strncpy(address.sun_path, path_.c_str(), sizeof(address.sun_path) - 1);
        if (::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 || ::listen(listener_, 8) != 0)
            throw std::runtime_error("fake daemon cannot listen on " + path_.string());
    }
    ~FakeDaemon() {
        ::shutdown(listener_, SHUT_RDWR);
        ::close(listener_);
        if (server_.joinable()) server_.join();
    }

    // Queue a raw response ("HTTP/1.1 200 OK\r\n..."); nullopt: read the request, answer nothing
    // and hold the connection until the client gives up.
    void respond(std::optional<std::string> raw) { script_.push_back(std::move(raw)); }

    // A complete response with the given status and body.
    void respond(unsigned status, const std::string& body, const std::string& content_type = "application/json") {
        respond("HTTP/1.1 " + std::to_string(status) + " X\r\nContent-Type: " + content_type +
                "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body);
    }

    void start() {
        server_ = std::thread([this] { serve(); });
    }

    std::vector<ReceivedRequest> requests() {
        std::lock_guard lock(mutex_);
        return requests_;
    }

    const std::filesystem::path& path() const { return path_; }

private:
    void serve() {
        while (!script_.empty()) {
            const int connection = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
            if (connection < 0) return;
            std::optional<std::string> reply = script_.front();
            script_.pop_front();
            ReceivedRequest request = read_request(connection);
            {
                std::lock_guard lock(mutex_);
                requests_.push_back(request);
            }
            if (reply) {
                write_all(connection, *reply);
            } else {
                char byte;
                while (::read(connection, &byte, 1) > 0) {
                }  // until the client closes
            }
            ::close(connection);
        }
    }

    static ReceivedRequest read_request(int connection) {
        std::string data;
        char buffer[65536];
        std::size_t header_end = std::string::npos;
        std::size_t wanted = 0;
        while (true) {
            if (header_end == std::string::npos && (header_end = data.find("\r\n\r\n")) != std::string::npos) {
                const std::size_t length_at = data.find("Content-Length: ");
                wanted = length_at != std::string::npos && length_at < header_end
                             ? std::stoul(data.substr(length_at + 16))
                             : 0;
            }
            if (header_end != std::string::npos && data.size() >= header_end + 4 + wanted) break;
            const ssize_t got = ::read(connection, buffer, sizeof(buffer));
            if (got <= 0) break;
            data.append(buffer, static_cast<std::size_t>(got));
        }
        if (header_end == std::string::npos) return {data, {}};
        return {data.substr(0, header_end), data.substr(header_end + 4)};
    }

    static void write_all(int connection, const std::string& text) {
        std::size_t done = 0;
        while (done < text.size()) {
            const ssize_t wrote = ::write(connection, text.data() + done, text.size() - done);
            if (wrote <= 0) return;
            done += static_cast<std::size_t>(wrote);
        }
    }

    std::filesystem::path path_;
    int listener_ = -1;
    std::deque<std::optional<std::string>> script_;
    std::mutex mutex_;
    std::vector<ReceivedRequest> requests_;
    std::thread server_;
};

}  // namespace test
