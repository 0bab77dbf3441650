#include <doctest/doctest.h>

#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <vector>

#include "../../../plugins/stream/cache_sizes.hpp"
#include "../../../plugins/stream/stream_check.hpp"

namespace stream = platbench::stream;

namespace {

struct Arrays {
    std::vector<double> a, b, c;
};

// What a correct run leaves behind: every element at STREAM's replayed value.
Arrays correct_arrays(std::size_t n, int iterations, double scalar) {
    const stream::ExpectedValues v = stream::expected_values(iterations, scalar);
    return {std::vector<double>(n, v.a), std::vector<double>(n, v.b), std::vector<double>(n, v.c)};
}

std::vector<std::string> errors_of(const Arrays& arrays, int iterations, double scalar) {
    return stream::validation_errors(arrays.a, arrays.b, arrays.c, iterations, scalar);
}

}  // namespace

TEST_CASE("STREAM's recurrence gives the known values") {
    // One iteration from a=2, b=2, c=0 with q=3: c=2, b=6, c=8, a=6+24=30.
    const stream::ExpectedValues one = stream::expected_values(1, 3.0);
    CHECK(one.a == 30.0);
    CHECK(one.b == 6.0);
    CHECK(one.c == 8.0);
    const stream::ExpectedValues none = stream::expected_values(0, 3.0);
    CHECK(none.a == 2.0);
    CHECK(none.b == 2.0);
    CHECK(none.c == 0.0);
}

TEST_CASE("correct arrays pass the check") {
    const Arrays arrays = correct_arrays(1000, 10, 3.0);
    CHECK(errors_of(arrays, 10, 3.0).empty());
}

TEST_CASE("a corrupted element is detected and named") {
    Arrays arrays = correct_arrays(1000, 10, 3.0);
    arrays.b[417] *= 1.001;
    const std::vector<std::string> errors = errors_of(arrays, 10, 3.0);
    REQUIRE(errors.size() == 1);
    CHECK(errors[0].find("array b[]") != std::string::npos);
    CHECK(errors[0].find("1 of 1000 elements differ") != std::string::npos);
    CHECK(errors[0].find("index 417") != std::string::npos);
}

TEST_CASE("a NaN and a wrong iteration count are detected") {
    Arrays arrays = correct_arrays(64, 5, 3.0);
    arrays.c[0] = std::numeric_limits<double>::quiet_NaN();
    CHECK(errors_of(arrays, 5, 3.0).size() == 1);
    // Arrays from 5 iterations checked as if 6 ran: all three are wrong.
    CHECK(errors_of(correct_arrays(64, 5, 3.0), 6, 3.0).size() == 3);
}

TEST_CASE("settings whose replayed values overflow or vanish cannot be validated") {
    CHECK_FALSE(stream::unverifiable_settings(10, 3.0).has_value());
    CHECK_FALSE(stream::unverifiable_settings(1000, 0.5).has_value());
    const auto zero = stream::unverifiable_settings(10, 0.0);
    REQUIRE(zero.has_value());
    CHECK(zero->find("scalar=0") != std::string::npos);
    const auto overflow = stream::unverifiable_settings(1000, 3.0);
    REQUIRE(overflow.has_value());
    CHECK(overflow->find("fewer iterations") != std::string::npos);
}

TEST_CASE("the last-level cache is read from sysfs, and STREAM's 4x rule judged against it") {
    using namespace platbench::stream;
    CHECK(parse_cache_size("32768K") == 32768ull << 10);
    CHECK(parse_cache_size("16M") == 16ull << 20);
    CHECK(parse_cache_size("1024") == 1024u);
    CHECK_FALSE(parse_cache_size("").has_value());
    CHECK_FALSE(parse_cache_size("12Q").has_value());
    const std::filesystem::path root = std::filesystem::temp_directory_path() / ("platbench-sysfs-" + std::to_string(::getpid()));
    const auto add = [&](const char* index, const char* level, const char* type, const char* size) {
        const auto dir = root / "cpu2" / "cache" / index;
        std::filesystem::create_directories(dir);
        std::ofstream(dir / "level") << level << "\n";
        std::ofstream(dir / "type") << type << "\n";
        std::ofstream(dir / "size") << size << "\n";
    };
    add("index0", "1", "Data", "32K");
    add("index1", "1", "Instruction", "32K");
    add("index2", "2", "Unified", "1024K");
    add("index3", "3", "Unified", "32768K");
    const auto cache = last_level_cache(2, root);
    REQUIRE(cache.has_value());
    CHECK(cache->level == 3);
    CHECK(cache->bytes == 32ull << 20);
    CHECK_FALSE(last_level_cache(5, root).has_value());  // no such CPU: nothing seen
    std::filesystem::remove_all(root);
    // 80 MB arrays against a 32 MiB L3: less than 4x; 128 MiB is exactly 4x.
    CHECK(cache_rule_warning(80'000'000, cache) ==
          "caches: each array is 76.3 MiB, less than 4 times the L3 cache the runner sees (32.0 MiB): STREAM's rule "
          "is broken and the rates partly measure the cache; use array_size of at least 16777216 elements");
    CHECK(cache_rule_warning(128ull << 20, cache).empty());
    CHECK(cache_rule_warning(1ull << 40, std::nullopt).rfind("caches: STREAM's rule (each array at least 4 times", 0) == 0);
}
