#include "config/text_checks.hpp"

#include <cstdio>

namespace platbench {
namespace {

// Length of the UTF-8 sequence starting at text[i], or 0 when it is not valid
// UTF-8 (overlong forms, surrogates and values past U+10FFFF included).
std::size_t utf8_sequence_length(std::string_view text, std::size_t i) {
    const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
    const unsigned char lead = byte(i);
    if (lead < 0x80) return 1;
    std::size_t length = 0;
    unsigned char low = 0x80, high = 0xBF;  // the allowed range of the second byte
    if (lead >= 0xC2 && lead <= 0xDF) length = 2;
    else if (lead == 0xE0) { length = 3; low = 0xA0; }
    else if (lead >= 0xE1 && lead <= 0xEC) length = 3;
    else if (lead == 0xED) { length = 3; high = 0x9F; }
    else if (lead >= 0xEE && lead <= 0xEF) length = 3;
    else if (lead == 0xF0) { length = 4; low = 0x90; }
    else if (lead >= 0xF1 && lead <= 0xF3) length = 4;
    else if (lead == 0xF4) { length = 4; high = 0x8F; }
    else return 0;
    if (i + length > text.size()) return 0;
    if (byte(i + 1) < low || byte(i + 1) > high) return 0;
    for (std::size_t k = 2; k < length; ++k) {
        if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) return 0;
    }
    return length;
}

std::string hex_byte(unsigned char byte) {
    char buffer[8];
    std::snprintf(buffer, sizeof buffer, "\\x%02X", byte);
    return buffer;
}

std::string size_text(std::size_t bytes) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.1f MiB", static_cast<double>(bytes) / (1024.0 * 1024.0));
    return buffer;
}

}  // namespace

TextProblem file_too_large(std::size_t bytes) {
    return TextProblem{1, 1,
                       "the file has " + std::to_string(bytes) + " bytes (" + size_text(bytes) +
                           "), more than an experiment file's limit of " + size_text(kMaxExperimentFileBytes),
                       "is this the experiment file you meant? experiment files are a few KiB of YAML"};
}

std::optional<TextProblem> find_text_problem(std::string_view text) {
    if (text.size() > kMaxExperimentFileBytes) return file_too_large(text.size());
    int line = 1, column = 1;
    for (std::size_t i = 0; i < text.size();) {
        const unsigned char byte = static_cast<unsigned char>(text[i]);
        if (byte == 0) {
            return TextProblem{line, column, "a NUL byte: this is a binary file, not YAML text", ""};
        }
        const std::size_t length = utf8_sequence_length(text, i);
        if (length == 0) {
            return TextProblem{line, column, "the byte " + hex_byte(byte) + " is not UTF-8",
                               "experiment files are UTF-8 text; convert the file (e.g. with iconv)"};
        }
        if (byte == '\n') {
            ++line;
            column = 1;
        } else {
            column += static_cast<int>(length);
        }
        i += length;
    }
    return std::nullopt;
}

std::string printable_text(std::string_view text, std::size_t max_bytes) {
    std::string out;
    for (std::size_t i = 0; i < text.size();) {
        if (out.size() >= max_bytes) {
            out += "...";
            break;
        }
        const unsigned char byte = static_cast<unsigned char>(text[i]);
        const std::size_t length = utf8_sequence_length(text, i);
        if (length == 0 || byte == 0x7F || (byte < 0x20 && byte != '\n' && byte != '\t')) {
            out += hex_byte(byte);
            ++i;
            continue;
        }
        out.append(text.substr(i, length));
        i += length;
    }
    return out;
}

}  // namespace platbench
