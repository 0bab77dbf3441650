// format_cpu_list: the one text of a set of CPUs, and expand_cpu_list's inverse.
#include <doctest/doctest.h>

#include "platbench/params.hpp"

TEST_CASE("a CPU list is written sorted, each CPU once, consecutive CPUs as a range") {
    using platbench::format_cpu_list;
    CHECK(format_cpu_list({}) == "");
    CHECK(format_cpu_list({5}) == "5");
    CHECK(format_cpu_list({0, 1}) == "0-1");
    CHECK(format_cpu_list({0, 1, 2, 3, 5}) == "0-3,5");
    CHECK(format_cpu_list({6, 3, 0, 2, 1, 3}) == "0-3,6");
    CHECK(format_cpu_list({1, 3, 5, 7}) == "1,3,5,7");
    CHECK(format_cpu_list({0, 2, 3, 4, 8, 9, 10, 11, 63}) == "0,2-4,8-11,63");
}

TEST_CASE("a formatted CPU list expands back to the same CPUs") {
    const std::vector<std::vector<int>> lists{{0}, {0, 1, 2, 3, 5}, {1, 3, 5}, {2, 3, 64, 65}};
    for (const std::vector<int>& cpus : lists) {
        CHECK(platbench::expand_cpu_list(platbench::format_cpu_list(cpus)) == cpus);
    }
}
