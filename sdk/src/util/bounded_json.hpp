// JSON that platbench did not write in this process (spool records left by Slurm
// jobs, batch-script manifests, runner and guest output, its own state files that
// something else may have damaged), parsed within bounds.
//
// nlohmann's parser takes time and memory in proportion to its input, and its
// values' destructors recurse: bounding the size and the nesting depth before
// parsing bounds the parse's time, memory and stack. The depth is counted in one
// pass rather than with the parser's callback, which is quadratic (a 384 KB
// document of empty objects took 18 s through it).
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace platbench {

struct JsonLimits {
    std::size_t max_bytes = std::size_t{64} << 20;
    int max_depth = 32;
};

// How deeply arrays and objects nest in `text` (the top level is 1), outside strings.
int json_nesting_depth(std::string_view text);

// Parses `text` within `limits`. Throws std::runtime_error naming `what` and the
// reason: "<what>: larger than 64 MiB", "<what>: nested deeper than 32 levels",
// "<what>: not valid JSON: <parser's message>".
nlohmann::json parse_bounded_json(std::string_view text, const JsonLimits& limits, const std::string& what);

// The same for a file, of which at most limits.max_bytes + 1 bytes are read
// (a huge file or a device costs nothing). Throws "<what>: cannot read <file>" too.
nlohmann::json read_bounded_json_file(const std::filesystem::path& file, const JsonLimits& limits,
                                      const std::string& what);

}  // namespace platbench
