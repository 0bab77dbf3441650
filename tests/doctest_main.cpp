// The main of every doctest executable: doctest's own, plus the end of a skip
// (tests/support/skip.hpp). A test case that asked to skip and failed no check
// makes the process exit with 77, which CTest counts as skipped; one that failed
// is reported as failed; under CI=true a skip whose reason CI could provide fails.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <cstdlib>
#include <fstream>
#include <iostream>

#include "skip.hpp"

namespace test {

std::vector<SkipRequest>& skip_requests() {
    static std::vector<SkipRequest> requests;
    return requests;
}

namespace {
std::string current_test;
}

const std::string& current_test_name() { return current_test; }

}  // namespace test

namespace {

// Follows which test case runs, for the skip's record.
struct CurrentTestListener : doctest::IReporter {
    explicit CurrentTestListener(const doctest::ContextOptions&) {}
    void report_query(const doctest::QueryData&) override {}
    void test_run_start() override {}
    void test_run_end(const doctest::TestRunStats&) override {}
    void test_case_start(const doctest::TestCaseData& data) override { test::current_test = data.m_name; }
    void test_case_reenter(const doctest::TestCaseData&) override {}
    void test_case_end(const doctest::CurrentTestCaseStats&) override {}
    void test_case_exception(const doctest::TestCaseException&) override {}
    void subcase_start(const doctest::SubcaseSignature&) override {}
    void subcase_end() override {}
    void log_assert(const doctest::AssertData&) override {}
    void log_message(const doctest::MessageData&) override {}
    void test_case_skipped(const doctest::TestCaseData&) override {}
};
REGISTER_LISTENER("platbench-current-test", 1, CurrentTestListener);

constexpr int kSkippedExitCode = 77;  // CTest's SKIP_RETURN_CODE for every test

void log_skip(const test::SkipRequest& skip) {
    const char* log = std::getenv("PLATBENCH_SKIP_LOG");
    if (log == nullptr || *log == '\0') return;
    std::ofstream(log, std::ios::app) << skip.reason << '\t' << skip.test << '\t' << skip.detail << '\n';
}

}  // namespace

int main(int argc, char** argv) {
    doctest::Context context(argc, argv);
    const int result = context.run();
    if (context.shouldExit() || result != 0) return result;  // a failure is never a skip
    const std::vector<test::SkipRequest>& skips = test::skip_requests();
    if (skips.empty()) return result;
    bool refused = false;
    for (const test::SkipRequest& skip : skips) {
        const test::SkipReason* reason = test::find_skip_reason(skip.reason);
        std::cout << "PLATBENCH-SKIP[" << skip.reason << "]: " << skip.test << ": " << skip.detail << std::endl;
        if (test::running_in_ci() && !reason->allowed_in_ci) {
            std::cout << "FAILED: CI=true, where setup.sh provides " << reason->meaning
                      << ", so this skip is a failure" << std::endl;
            refused = true;
            continue;
        }
        log_skip(skip);
    }
    return refused ? 1 : kSkippedExitCode;
}
