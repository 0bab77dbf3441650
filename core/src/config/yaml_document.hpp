// An experiment file's single YAML document, read so that no input, whatever its
// bytes, makes platbench hang or grow without bound.
//
// yaml-cpp 0.7.0 (Debian 12's) has defects on some inputs: LoadAll() loops
// forever, appending empty documents, on a document that starts with ','
// (fixed upstream in 2024). So documents are read one at a time, at most two,
// and a parser that does not move forward is refused. Aliases may expand a small
// file into a huge or cyclic graph of values: the values reachable are counted
// and their depth bounded. And since the next unknown defect of the library may
// be anywhere, the whole check runs in a child process with a time and a memory
// limit (process/guarded_call.hpp) before the text is parsed in this process.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>

#include <yaml-cpp/yaml.h>

#include "process/guarded_call.hpp"

namespace platbench {

// Why a text is not one acceptable YAML document; `line`/`column` 1-based (0: the file as a whole).
struct YamlProblem {
    int line = 0;
    int column = 0;
    std::string message;
    std::string hint;
};

// Values reachable from the root, aliases followed, at most this many ... An
// experiment needs a few hundred; the matrix may have 100,000 cells. Each value
// costs the walk a few yaml-cpp node copies: 2,000,000 took 16 s in the sanitizer
// build (0.1 s in the product), past the fuzz harness's 10 s hang limit.
inline constexpr std::size_t kMaxYamlValues = 200'000;
// ... and nested at most this deep (yaml-cpp's own guard stops the parser at 2000).
inline constexpr int kMaxYamlDepth = 64;

// The limits of the guarded check: 30 s and 2 GiB. The densest 1 MiB file (a flow
// list of 500,000 values, now refused for its count) took the whole check 1.6 s and
// 235 MiB on a 2-core x86-64 VM; the limits leave room for slower machines and the sanitizer build,
// not for defects (yaml-cpp's runaway LoadAll grew by 130 MiB a second).
GuardLimits yaml_parse_limits();

// The whole check of `text`, in this process: one document at most, a parser that
// moves forward, values and depth within bounds. nullopt when acceptable.
std::optional<YamlProblem> find_yaml_problem(const std::string& text);

struct YamlParse {
    YAML::Node root;                      // valid when `problem` is empty
    std::optional<YamlProblem> problem;
};

// find_yaml_problem() in a child process within `limits`, then, when the text is
// acceptable, its document parsed here. A child that times out, grows too large or
// crashes is a problem at the start of the file, saying so. `guarded` false skips
// the child (fuzzing, where libFuzzer itself watches time and memory).
YamlParse parse_single_yaml_document(const std::string& text, bool guarded = true,
                                     const GuardLimits& limits = yaml_parse_limits());

}  // namespace platbench
