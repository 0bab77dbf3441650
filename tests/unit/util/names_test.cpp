// Names platbench gives to things outside itself, and how `platbench clean` tells
// a leftover from an object of an experiment still running.
#include <doctest/doctest.h>

#include <unistd.h>

#include "platbench/names.hpp"

using namespace platbench;

TEST_CASE("outside names keep only characters every runtime accepts") {
    CHECK(with_safe_name_characters("quick run/1:é") == "quick_run_1___");
    CHECK(with_safe_name_characters("a-b_c.D9") == "a-b_c.D9");
}

TEST_CASE("object names carry the run label and this process, and never repeat") {
    const std::string pid = std::to_string(::getpid());
    const std::string first = unique_object_name({{"platbench.run", "e1-r0"}});
    const std::string second = unique_object_name({{"platbench.run", "e1-r0"}});
    CHECK(first.rfind("platbench-e1-r0-" + pid + "-", 0) == 0);
    CHECK(first != second);
    CHECK(unique_object_name({}).rfind("platbench-run-" + pid + "-", 0) == 0);
    CHECK(unique_object_name({{"platbench.run", "a b"}}).rfind("platbench-a_b-", 0) == 0);
}

TEST_CASE("an object is a leftover only when the process in its name is gone") {
    const std::string pid = std::to_string(::getpid());
    CHECK(object_owner_alive(unique_object_name({{"platbench.run", "e1-r0"}})));
    CHECK(object_owner_alive("disk-" + pid + "-3.qcow2"));
    CHECK_FALSE(object_owner_alive("platbench-e1-r0-999999999-0"));  // beyond any pid_max
    CHECK_FALSE(object_owner_alive("platbench-no-pid"));
    CHECK_FALSE(object_owner_alive("platbench-e1-r0-0-0"));
    CHECK_FALSE(object_owner_alive(""));
}
