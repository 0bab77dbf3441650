#include "unix_http.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

namespace platbench::engine_api {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using Socket = net::local::stream_protocol::socket;
using ErrorCode = boost::system::error_code;

// How often a blocked call looks at its deadline and cancel flag.
constexpr auto kPollInterval = std::chrono::milliseconds(50);

http::verb verb_of(const std::string& method) {
    const http::verb verb = http::string_to_verb(method);
    if (verb == http::verb::unknown) throw std::invalid_argument("unknown HTTP method " + method);
    return verb;
}

template <class Body>
void fill_common_fields(http::request<Body>& message, const HttpRequest& request) {
    message.method(verb_of(request.method));
    message.target(request.target);
    message.version(11);
    // A unix socket has no host name; HTTP/1.1 still wants the field.
    message.set(http::field::host, "docker");
    message.set(http::field::user_agent, "platbench");
    message.set(http::field::connection, "close");
    message.set(http::field::content_type, request.content_type);
}

// One request/response exchange, driven by an io_context that is polled so the
// deadline and the cancel flag are honoured while any step is blocked.
template <class Body>
HttpResponse exchange(const std::string& socket_path, std::size_t cap, http::request<Body>& message,
                      const CallLimits& limits) {
    net::io_context io;
    Socket socket(io);
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(cap);
    parser.header_limit(1u << 20);

    ErrorCode result;
    bool finished = false;
    bool connected = false;
    auto finish = [&](ErrorCode ec) {
        result = ec;
        finished = true;
    };
    socket.async_connect(net::local::stream_protocol::endpoint(socket_path), [&](ErrorCode ec) {
        if (ec) return finish(ec);
        connected = true;
        http::async_write(socket, message, [&](ErrorCode write_ec, std::size_t) {
            if (write_ec) return finish(write_ec);
            http::async_read(socket, buffer, parser, [&](ErrorCode read_ec, std::size_t) { finish(read_ec); });
        });
    });

    std::optional<HttpFailure> stopped;
    while (!finished) {
        io.run_for(kPollInterval);
        if (finished) break;
        if (limits.cancel != nullptr && limits.cancel->load()) stopped = HttpFailure::Cancelled;
        else if (Clock::now() >= limits.deadline) stopped = HttpFailure::TimedOut;
        if (stopped) {
            ErrorCode ignored;
            socket.close(ignored);  // aborts the pending operation; let its handler run
            io.restart();
            io.run();
            break;
        }
    }
    const std::string what = message.method_string().to_string() + " " + message.target().to_string();
    if (stopped == HttpFailure::Cancelled) throw HttpCallError(HttpFailure::Cancelled, what + ": cancelled");
    if (stopped == HttpFailure::TimedOut) throw HttpCallError(HttpFailure::TimedOut, what + ": no answer in time");
    if (result && !connected)
        throw HttpCallError(HttpFailure::Unreachable, "cannot connect to " + socket_path + ": " + result.message());
    if (result) throw HttpCallError(HttpFailure::Broken, what + ": " + result.message());
    // The parser's own limit is not applied on every read path of this Beast version: check again.
    if (parser.get().body().size() > cap)
        throw HttpCallError(HttpFailure::Broken, what + ": the answer exceeds " + std::to_string(cap) + " bytes");
    return HttpResponse{parser.get().result_int(), std::move(parser.get().body())};
}

}  // namespace

UnixHttpClient::UnixHttpClient(std::string socket_path, std::size_t response_cap_bytes)
    : socket_path_(std::move(socket_path)), response_cap_bytes_(response_cap_bytes) {}

HttpResponse UnixHttpClient::send(const HttpRequest& request, const CallLimits& limits) const {
    if (request.body_file) {
        http::request<http::file_body> message;
        fill_common_fields(message, request);
        ErrorCode ec;
        message.body().open(request.body_file->c_str(), beast::file_mode::scan, ec);
        if (ec) throw HttpCallError(HttpFailure::Broken, "cannot read " + request.body_file->string() + ": " + ec.message());
        message.prepare_payload();
        return exchange(socket_path_, response_cap_bytes_, message, limits);
    }
    http::request<http::string_body> message;
    fill_common_fields(message, request);
    message.body() = request.body;
    message.prepare_payload();
    return exchange(socket_path_, response_cap_bytes_, message, limits);
}

}  // namespace platbench::engine_api
