#include "net_protocol.hpp"

#include <cstring>

namespace platbench::net {
namespace {

constexpr unsigned char kHelloMagic[6] = {'P', 'B', 'N', 'E', 'T', '1'};
constexpr unsigned char kDatagramMagic[4] = {'P', 'B', 'N', 'U'};

void put_u32(unsigned char* out, std::uint32_t value) {
    for (int i = 0; i < 4; ++i) out[i] = static_cast<unsigned char>(value >> (8 * i));
}

std::uint32_t get_u32(const unsigned char* in) {
    std::uint32_t value = 0;
    for (int i = 0; i < 4; ++i) value |= static_cast<std::uint32_t>(in[i]) << (8 * i);
    return value;
}

bool in_range(std::uint32_t value, std::uint32_t low, std::uint32_t high) { return value >= low && value <= high; }

}  // namespace

const char* mode_name(Mode mode) {
    switch (mode) {
        case Mode::TcpStream: return "tcp_stream";
        case Mode::TcpRr: return "tcp_rr";
        case Mode::UdpRr: return "udp_rr";
    }
    return "unknown";
}

std::optional<Mode> parse_mode(const std::string& name) {
    for (Mode mode : {Mode::TcpStream, Mode::TcpRr, Mode::UdpRr})
        if (name == mode_name(mode)) return mode;
    return std::nullopt;
}

void put_u64(unsigned char* out, std::uint64_t value) {
    for (int i = 0; i < 8; ++i) out[i] = static_cast<unsigned char>(value >> (8 * i));
}

std::uint64_t get_u64(const unsigned char* in) {
    std::uint64_t value = 0;
    for (int i = 0; i < 8; ++i) value |= static_cast<std::uint64_t>(in[i]) << (8 * i);
    return value;
}

HelloBytes encode_hello(const Hello& hello) {
    HelloBytes bytes{};
    std::memcpy(bytes.data(), kHelloMagic, sizeof kHelloMagic);
    bytes[6] = static_cast<unsigned char>(hello.mode);
    bytes[7] = 0;
    put_u32(&bytes[8], hello.request_size);
    put_u32(&bytes[12], hello.response_size);
    put_u32(&bytes[16], hello.message_size);
    return bytes;
}

HelloCheck decode_hello(const HelloBytes& bytes) {
    HelloCheck check;
    if (std::memcmp(bytes.data(), kHelloMagic, sizeof kHelloMagic) != 0 || bytes[7] != 0) {
        check.status = AckStatus::BadMagic;
        return check;
    }
    Hello& hello = check.hello;
    const unsigned char mode = bytes[6];
    if (mode < static_cast<unsigned char>(Mode::TcpStream) || mode > static_cast<unsigned char>(Mode::UdpRr)) {
        check.status = AckStatus::BadMode;
        return check;
    }
    hello.mode = static_cast<Mode>(mode);
    hello.request_size = get_u32(&bytes[8]);
    hello.response_size = get_u32(&bytes[12]);
    hello.message_size = get_u32(&bytes[16]);
    bool sizes_ok = false;
    switch (hello.mode) {
        case Mode::TcpStream: sizes_ok = in_range(hello.message_size, 1, kMaxMessageSize); break;
        case Mode::TcpRr:
            sizes_ok = in_range(hello.request_size, 1, kMaxTcpRrSize) && in_range(hello.response_size, 1, kMaxTcpRrSize);
            break;
        case Mode::UdpRr:
            sizes_ok = in_range(hello.request_size, kMinUdpSize, kMaxUdpSize) &&
                       in_range(hello.response_size, kMinUdpSize, kMaxUdpSize);
            break;
    }
    if (!sizes_ok) check.status = AckStatus::BadSize;
    return check;
}

const char* ack_status_text(AckStatus status) {
    switch (status) {
        case AckStatus::Ok: return "accepted";
        case AckStatus::BadMagic: return "not a hello of this protocol (another version of platbench?)";
        case AckStatus::BadMode: return "unknown mode";
        case AckStatus::BadSize: return "a size outside the mode's limits";
        case AckStatus::Busy: return "the peer serves as many connections as it will";
    }
    return "unknown status";
}

AckBytes encode_ack(AckStatus status) {
    AckBytes bytes{};
    std::memcpy(bytes.data(), kHelloMagic, sizeof kHelloMagic);
    bytes[6] = static_cast<unsigned char>(status);
    return bytes;
}

std::optional<AckStatus> decode_ack(const AckBytes& bytes) {
    if (std::memcmp(bytes.data(), kHelloMagic, sizeof kHelloMagic) != 0) return std::nullopt;
    if (bytes[6] > static_cast<unsigned char>(AckStatus::Busy)) return std::nullopt;
    return static_cast<AckStatus>(bytes[6]);
}

void encode_datagram_header(const DatagramHeader& header, unsigned char* out) {
    std::memcpy(out, kDatagramMagic, sizeof kDatagramMagic);
    put_u64(out + 4, header.sequence);
    put_u32(out + 12, header.response_size);
}

std::optional<DatagramHeader> decode_datagram_header(const unsigned char* data, std::size_t size) {
    if (size < kDatagramHeaderBytes || std::memcmp(data, kDatagramMagic, sizeof kDatagramMagic) != 0)
        return std::nullopt;
    DatagramHeader header;
    header.sequence = get_u64(data + 4);
    header.response_size = get_u32(data + 12);
    if (!in_range(header.response_size, kMinUdpSize, kMaxUdpSize)) return std::nullopt;
    return header;
}

}  // namespace platbench::net
