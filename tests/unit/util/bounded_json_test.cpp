// JSON from outside, parsed within a size and a depth (util/bounded_json.hpp).
#include <doctest/doctest.h>

#include <fstream>
#include <stdexcept>

#include "temp_dir.hpp"
#include "util/bounded_json.hpp"

using namespace platbench;

TEST_CASE("the nesting depth is counted outside strings, escapes included") {
    CHECK(json_nesting_depth("1") == 0);
    CHECK(json_nesting_depth("[]") == 1);
    CHECK(json_nesting_depth(R"({"a": [[1], {"b": []}]})") == 4);
    CHECK(json_nesting_depth(R"(["[[[[", "\"[[[["])") == 1);
    CHECK(json_nesting_depth("]]]][") == 1);  // stray closers do not go below the top
}

TEST_CASE("parse_bounded_json refuses size, depth and syntax each with its own reason, naming the input") {
    const JsonLimits limits{100, 3};
    CHECK(parse_bounded_json(R"({"a": [1, 2]})", limits, "x")["a"].size() == 2);
    CHECK_THROWS_WITH_AS(parse_bounded_json(std::string(101, ' '), limits, "the record"),
                         "the record: larger than 100 bytes", std::runtime_error);
    CHECK_THROWS_WITH_AS(parse_bounded_json("[[[[]]]]", limits, "the record"),
                         "the record: nested deeper than 3 levels", std::runtime_error);
    CHECK_THROWS_WITH_AS(parse_bounded_json("[1,", limits, "the record"),
                         doctest::Contains("the record: not valid JSON: "), std::runtime_error);
}

TEST_CASE("read_bounded_json_file reads no more than its limit of a file, and names a missing one") {
    test::TempDir dir{"platbench-bounded-json-test"};
    std::ofstream(dir.path() / "big.json") << "[" << std::string(1u << 20, ' ') << "]";
    CHECK_THROWS_WITH_AS(read_bounded_json_file(dir.path() / "big.json", {4096, 8}, "state"),
                         "state: larger than 4 KiB", std::runtime_error);
    CHECK(read_bounded_json_file(dir.path() / "big.json", {2u << 20, 8}, "state").is_array());
    CHECK_THROWS_WITH_AS(read_bounded_json_file(dir.path() / "missing.json", {4096, 8}, "state"),
                         doctest::Contains("state: cannot read "), std::runtime_error);
    // A device that never ends costs one limit's worth of reading.
    CHECK_THROWS_WITH_AS(read_bounded_json_file("/dev/zero", {1u << 20, 8}, "state"), "state: larger than 1 MiB",
                         std::runtime_error);
}
