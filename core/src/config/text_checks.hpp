// Checks on an experiment file's raw bytes, made before any YAML parsing: an
// experiment file is small UTF-8 text, and anything else (a binary, a log file
// passed by mistake, a file of another encoding) is refused at the first bad byte
// rather than handed to the YAML parser.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace platbench {

// Experiment files larger than this are refused: real ones are a few KiB.
inline constexpr std::size_t kMaxExperimentFileBytes = 1024 * 1024;

struct TextProblem {
    int line = 1;    // 1-based
    int column = 1;  // 1-based, in bytes
    std::string message;
    std::string hint;
};

// The first reason `text` cannot be an experiment file: too large, a NUL byte,
// or bytes that are not UTF-8. nullopt when the text is acceptable.
std::optional<TextProblem> find_text_problem(std::string_view text);

// The problem of a file of `bytes` bytes, more than kMaxExperimentFileBytes.
TextProblem file_too_large(std::size_t bytes);

// `text` made safe to print on a terminal: control characters and bytes that are
// not UTF-8 as \xNN, and at most `max_bytes` of it, "..." marking a cut.
std::string printable_text(std::string_view text, std::size_t max_bytes = 400);

}  // namespace platbench
