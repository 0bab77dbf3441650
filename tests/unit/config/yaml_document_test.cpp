// An experiment file's YAML document: one at most, read so that no input hangs
// the parser or makes it grow without bound (config/yaml_document.hpp).
#include <doctest/doctest.h>

#include <string>

#include "config/yaml_document.hpp"

using namespace platbench;

namespace {

YamlProblem problem_of(const std::string& text) {
    const std::optional<YamlProblem> problem = find_yaml_problem(text);
    REQUIRE_MESSAGE(problem.has_value(), "accepted: ", text);
    return *problem;
}

// "line:column message"
std::string located(const YamlProblem& problem) {
    return std::to_string(problem.line) + ":" + std::to_string(problem.column) + " " + problem.message;
}

}  // namespace

TEST_CASE("a lone comma, on which yaml-cpp 0.7.0's LoadAll loops forever, is refused at its position") {
    CHECK(located(problem_of(",")) == "1:1 malformed YAML: the parser cannot go past ','");
    CHECK(located(problem_of("\n\n  ,\n")) == "3:3 malformed YAML: the parser cannot go past ','");
    CHECK(problem_of(",").hint == "',', ']' and '}' belong inside [ ] or { }; quote a value that holds one");
}

TEST_CASE("a second document is refused at its start, also when it starts with a comma") {
    CHECK(located(problem_of("a: 1\n---\nb: 2\n")) == "2:1 a second YAML document ('---'): an experiment file holds one");
    CHECK(located(problem_of("a: 1\n---\n,\n")) == "2:1 a second YAML document ('---'): an experiment file holds one");
    CHECK(located(problem_of("a: 1\n...\n---\n,")) == "3:1 a second YAML document ('---'): an experiment file holds one");
}

TEST_CASE("inputs that hung or crashed yaml-cpp in its history are refused with their position") {
    // jbeder/yaml-cpp#499 ("[:", "{:") and #2 ("bad YAML: ["), an unclosed flow
    // inside a block (the falco report behind yaml-cpp#1318), and #1040's "- !+(.,.)".
    CHECK(located(problem_of("[:")) == "1:2 malformed YAML: unknown token");
    CHECK(located(problem_of("{:")) == "1:2 malformed YAML: unknown token");
    CHECK(located(problem_of("bad YAML: [")) == "1:1 malformed YAML: end of sequence flow not found");
    CHECK(located(problem_of("- macro: x\n  condition:\n    (a in (-1, 1001) and b in (\n\"/x\",\n    \"-c rsync\"\n    )  )  \n")) ==
          "4:1 malformed YAML: the text from here does not continue the document above");
    CHECK(located(problem_of("- !+(.,.)")) == "1:7 malformed YAML: end of sequence not found");
    // Deep nesting: yaml-cpp's own depth guard (0.7.0) stops it.
    CHECK(problem_of(std::string(3000, '[')).message == "malformed YAML: nested too deeply (500 levels)");
}

TEST_CASE("aliases that expand past the value limit or refer to themselves are refused") {
    // A billion laughs: 9^9 values from 90 written ones.
    std::string bomb = "x0: &a0 [l, l, l, l, l, l, l, l, l]\n";
    for (int level = 1; level <= 8; ++level) {
        const std::string previous = "*a" + std::to_string(level - 1);
        bomb += "x" + std::to_string(level) + ": &a" + std::to_string(level) + " [";
        for (int i = 0; i < 9; ++i) bomb += (i == 0 ? "" : ", ") + previous;
        bomb += "]\n";
    }
    CHECK(problem_of(bomb).message == "the file holds more than 200000 values, aliases (*name) expanded");
    // An alias inside the value it names: a cycle, infinitely deep.
    const YamlProblem cycle = problem_of("platforms: &p\n  - plugin: native\n    cpus: *p\n");
    CHECK(cycle.message == "values nested more than 64 levels deep, or an alias (*name) inside the value it names");
    // Aliases within the limits are fine.
    CHECK_FALSE(find_yaml_problem("a: &cpus [0, 1]\nb: *cpus\nc: *cpus\n").has_value());
}

TEST_CASE("valid single documents, empty ones and comments pass") {
    CHECK_FALSE(find_yaml_problem("").has_value());
    CHECK_FALSE(find_yaml_problem("# only a comment\n").has_value());
    CHECK_FALSE(find_yaml_problem("---\na: [1, 2]\n...\n").has_value());
    CHECK_FALSE(find_yaml_problem("experiment: x\nplatforms:\n  - plugin: native\n").has_value());
}

TEST_CASE("the guarded parse gives the same answers as the check in this process, and the document") {
    const YamlParse good = parse_single_yaml_document("a: [1, 2]\n");
    REQUIRE_FALSE(good.problem.has_value());
    CHECK(good.root["a"].size() == 2);
    const YamlParse comma = parse_single_yaml_document("a: 1\n---\n,");
    REQUIRE(comma.problem.has_value());
    CHECK(located(*comma.problem) == "2:1 a second YAML document ('---'): an experiment file holds one");
    const YamlParse unguarded = parse_single_yaml_document(",", /*guarded=*/false);
    REQUIRE(unguarded.problem.has_value());
    CHECK(located(*unguarded.problem) == "1:1 malformed YAML: the parser cannot go past ','");
}

TEST_CASE("a parse that runs past the guard's time is refused at the start of the file, saying why") {
    // 600 KB of valid YAML takes far longer than a millisecond to parse.
    std::string big;
    while (big.size() < 600'000) big += "k" + std::to_string(big.size()) + ": [1, 2, 3]\n";
    GuardLimits one_millisecond = yaml_parse_limits();
    one_millisecond.time = std::chrono::milliseconds(1);
    const YamlParse parse = parse_single_yaml_document(big, true, one_millisecond);
    REQUIRE(parse.problem.has_value());
    CHECK(located(*parse.problem) == "1:1 the YAML parser did not finish within 0.001 s on this file: refused");
    CHECK(parse.problem->hint.find("report the file") != std::string::npos);
    GuardLimits one_mebibyte = yaml_parse_limits();
    one_mebibyte.memory_bytes = 1u << 20;
    const YamlParse grown = parse_single_yaml_document(big, true, one_mebibyte);
    REQUIRE(grown.problem.has_value());
    CHECK(grown.problem->message == "the YAML parser grew past 1 MiB of memory on this file: refused");
}
