// The wire protocol between net's client (run(), inside the platform) and its
// peer (serve(), on the host). Both ends are this plugin, but the peer reads what
// a container or VM sends: everything it decodes is checked against the limits
// here before it sizes a buffer or picks a code path.
//
// TCP, per connection: the client sends a Hello, the peer answers an Ack
// (status 0: go on; anything else: refused, then closed). Then
//   stream:  client -> peer bytes until the client's shutdown(SHUT_WR); the peer
//            answers the 8-byte total it received after the hello and closes;
//   rr:      request_size bytes -> response_size bytes, repeated;
//   udp_rr:  nothing more: the connection only checks that a peer of this
//            protocol is there and accepts the sizes before datagrams flow.
// UDP, on the same address and port: each datagram starts with a DatagramHeader;
// the peer answers response_size bytes starting with the same header.
// Every integer is little-endian and fixed-width.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace platbench::net {

enum class Mode : std::uint8_t { TcpStream = 1, TcpRr = 2, UdpRr = 3 };

const char* mode_name(Mode mode);                       // "tcp_stream", ...
std::optional<Mode> parse_mode(const std::string& name);

// Limits, shared by the parameter table (what a user may ask) and the peer
// (what it accepts from a client).
inline constexpr std::uint32_t kMaxMessageSize = 16u << 20;   // tcp_stream send size
inline constexpr std::uint32_t kMaxTcpRrSize = 1u << 20;      // tcp_rr request / response
inline constexpr std::uint32_t kMinUdpSize = 16;              // a datagram holds at least its header
inline constexpr std::uint32_t kMaxUdpSize = 65507;           // the largest UDP payload over IPv4

struct Hello {
    Mode mode = Mode::TcpStream;
    std::uint32_t request_size = 0;
    std::uint32_t response_size = 0;
    std::uint32_t message_size = 0;
};
// "PBNET1", mode, a reserved byte (0), request, response and message size (u32 each).
inline constexpr std::size_t kHelloBytes = 20;
using HelloBytes = std::array<unsigned char, kHelloBytes>;

HelloBytes encode_hello(const Hello& hello);

enum class AckStatus : std::uint8_t {
    Ok = 0,
    BadMagic = 1,       // not this protocol, or another version of it
    BadMode = 2,
    BadSize = 3,        // a size outside the mode's limits
    Busy = 4,           // the peer serves as many connections as it will
};
const char* ack_status_text(AckStatus status);

// Decodes and checks a hello; on failure says why in the status.
struct HelloCheck {
    AckStatus status = AckStatus::Ok;
    Hello hello;
};
HelloCheck decode_hello(const HelloBytes& bytes);

// "PBNET1", the status, a reserved byte (0).
inline constexpr std::size_t kAckBytes = 8;
using AckBytes = std::array<unsigned char, kAckBytes>;
AckBytes encode_ack(AckStatus status);
// nullopt: not an ack of this protocol.
std::optional<AckStatus> decode_ack(const AckBytes& bytes);

// The header of each UDP datagram: "PBNU", sequence number (u64), response size (u32).
inline constexpr std::size_t kDatagramHeaderBytes = 16;
static_assert(kDatagramHeaderBytes == kMinUdpSize);
struct DatagramHeader {
    std::uint64_t sequence = 0;
    std::uint32_t response_size = 0;
};
void encode_datagram_header(const DatagramHeader& header, unsigned char* out);
// nullopt for a datagram that is too short, not of this protocol, or asks for a
// response outside [kMinUdpSize, kMaxUdpSize].
std::optional<DatagramHeader> decode_datagram_header(const unsigned char* data, std::size_t size);

// The 8-byte total a stream peer answers.
inline constexpr std::size_t kTotalBytes = 8;
void put_u64(unsigned char* out, std::uint64_t value);
std::uint64_t get_u64(const unsigned char* in);

}  // namespace platbench::net
