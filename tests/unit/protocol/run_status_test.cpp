// RunStatus: one name per status, and a parser that accepts exactly those names.
#include <doctest/doctest.h>

#include <sstream>

#include "platbench/run_status.hpp"

TEST_CASE("a run status is named ok, failed or skipped, and each name parses back to it") {
    using platbench::RunStatus;
    for (RunStatus status : {RunStatus::Ok, RunStatus::Failed, RunStatus::Skipped}) {
        CHECK(platbench::parse_run_status(platbench::run_status_name(status)) == status);
    }
    CHECK(std::string(platbench::run_status_name(RunStatus::Ok)) == "ok");
    CHECK(std::string(platbench::run_status_name(RunStatus::Failed)) == "failed");
    CHECK(std::string(platbench::run_status_name(RunStatus::Skipped)) == "skipped");
    std::ostringstream printed;
    printed << RunStatus::Skipped;
    CHECK(printed.str() == "skipped");
}

TEST_CASE("a text that names no run status exactly is not parsed") {
    for (const char* text : {"", "OK", "Ok", " ok", "ok ", "fail", "skip", "done", "ok\n"}) {
        CHECK_MESSAGE(!platbench::parse_run_status(text).has_value(), text);
    }
    CHECK_FALSE(platbench::parse_run_status(std::string_view("ok\0", 3)).has_value());
}
