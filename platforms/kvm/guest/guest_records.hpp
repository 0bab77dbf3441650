// The record framing both ends of the VM speak: the host's run request (read by
// the guest from fw_cfg) and the guest's report (written to a virtio-serial port).
//
// A record is one text line "<keyword>[ <word>...]\n", optionally followed by a
// payload of exactly the length its line announces and a "\n". Payloads carry
// arbitrary bytes (a workload's stdout), so nothing in them can be mistaken for a
// record. Header-only and std-only: the guest init links it statically.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace platbench::kvm {

inline constexpr std::string_view kRequestMagic = "platbench-request 1";
inline constexpr std::string_view kReportMagic = "platbench-guest 1";
// Name of the virtio-serial port the guest reports on, and of the fw_cfg entry
// that holds the request.
inline constexpr std::string_view kResultsPortName = "org.platbench.results";
inline constexpr std::string_view kRequestFwCfgName = "opt/org.platbench/request";

inline constexpr std::size_t kMaxLineBytes = 256;

// Appends one record to `out`.
inline void append_record(std::string& out, std::string_view line) {
    out.append(line);
    out.push_back('\n');
}
inline void append_payload_record(std::string& out, std::string_view keyword, std::string_view payload) {
    out.append(keyword);
    out.push_back(' ');
    out.append(std::to_string(payload.size()));
    out.push_back('\n');
    out.append(payload);
    out.push_back('\n');
}

struct Record {
    std::vector<std::string> words;   // the line split on single spaces; words[0] is the keyword
    std::optional<std::string> payload;
};

// Reads records from a buffer that may still be growing. next() returns a record,
// nothing when the buffer ends inside one (wait for more bytes), or sets error()
// for bytes that cannot be a record; after an error it returns nothing forever.
class RecordReader {
public:
    // `payload_keywords`: keywords whose line is "<keyword> <length>" plus a payload.
    RecordReader(std::string_view buffer, std::vector<std::string_view> payload_keywords, std::size_t max_payload)
        : buffer_(buffer), payload_keywords_(std::move(payload_keywords)), max_payload_(max_payload) {}

    std::optional<Record> next() {
        if (!error_.empty()) return std::nullopt;
        const std::size_t line_end = buffer_.find('\n', position_);
        if (line_end == std::string_view::npos) {
            if (buffer_.size() - position_ > kMaxLineBytes) fail("a line longer than " + std::to_string(kMaxLineBytes) + " bytes");
            return std::nullopt;
        }
        const std::string_view line = buffer_.substr(position_, line_end - position_);
        if (line.size() > kMaxLineBytes) return fail("a line longer than " + std::to_string(kMaxLineBytes) + " bytes");
        Record record;
        if (!split_words(line, record.words)) return fail("unexpected bytes " + printable(line));
        std::size_t next_position = line_end + 1;
        if (has_payload(record.words[0])) {
            std::optional<std::size_t> length = payload_length(record.words);
            if (!length) return fail("a bad payload length in " + printable(line));
            if (buffer_.size() < next_position + *length + 1) return std::nullopt;  // not all here yet
            if (buffer_[next_position + *length] != '\n') return fail("a payload not ended by a newline after " + printable(line));
            record.payload = std::string(buffer_.substr(next_position, *length));
            next_position += *length + 1;
        }
        position_ = next_position;
        return record;
    }

    const std::string& error() const { return error_; }
    std::size_t consumed() const { return position_; }
    bool at_end() const { return position_ == buffer_.size(); }

    // At most 60 characters of `text`, non-printable bytes as \xNN, quoted.
    static std::string printable(std::string_view text) {
        static const char* hex = "0123456789abcdef";
        std::string out = "\"";
        for (std::size_t i = 0; i < text.size() && i < 60; ++i) {
            const auto c = static_cast<unsigned char>(text[i]);
            if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
                out.push_back(static_cast<char>(c));
            } else {
                out += "\\x";
                out.push_back(hex[c >> 4]);
                out.push_back(hex[c & 15]);
            }
        }
        if (text.size() > 60) out += "...";
        return out + "\"";
    }

private:
    // Words are [a-z0-9_.:/-]+ separated by one space: nothing a terminal or a log could misread.
    static bool split_words(std::string_view line, std::vector<std::string>& words) {
        std::string word;
        for (char c : line) {
            if (c == ' ') {
                if (word.empty()) return false;
                words.push_back(std::move(word));
                word.clear();
            } else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == ':' ||
                       c == '/' || c == '-') {
                word.push_back(c);
            } else {
                return false;
            }
        }
        if (word.empty()) return false;
        words.push_back(std::move(word));
        return true;
    }

    bool has_payload(const std::string& keyword) const {
        for (std::string_view k : payload_keywords_)
            if (k == keyword) return true;
        return false;
    }

    std::optional<std::size_t> payload_length(const std::vector<std::string>& words) const {
        if (words.size() != 2 || words[1].empty() || words[1].size() > 12) return std::nullopt;
        std::size_t value = 0;
        for (char c : words[1]) {
            if (c < '0' || c > '9') return std::nullopt;
            value = value * 10 + static_cast<std::size_t>(c - '0');
        }
        if (value > max_payload_) return std::nullopt;
        return value;
    }

    std::optional<Record> fail(std::string message) {
        if (error_.empty()) error_ = std::move(message) + " at byte " + std::to_string(position_);
        return std::nullopt;
    }

    std::string_view buffer_;
    std::vector<std::string_view> payload_keywords_;
    std::size_t max_payload_;
    std::size_t position_ = 0;
    std::string error_;
};

}  // namespace platbench::kvm
