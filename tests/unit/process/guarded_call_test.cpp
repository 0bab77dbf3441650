// guarded_call(): this process's own code in a child with a time and a memory limit.
#include <doctest/doctest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <vector>

#include "child_processes.hpp"
#include "process/guarded_call.hpp"

using namespace platbench;

namespace {

using test::no_children_left;

GuardLimits limits(int milliseconds, std::size_t memory_mib) {
    GuardLimits limits;
    limits.time = std::chrono::milliseconds(milliseconds);
    limits.memory_bytes = memory_mib << 20;
    return limits;
}

}  // namespace

TEST_CASE("guarded_call returns what the child's work returned, and reaps the child") {
    const GuardedOutcome outcome = guarded_call([] { return std::string("answer\0with a NUL", 17); }, limits(10'000, 256));
    CHECK(outcome.status == GuardStatus::Finished);
    CHECK(outcome.answer == std::string("answer\0with a NUL", 17));
    CHECK(no_children_left());
}

TEST_CASE("guarded_call passes an exception's message back as Threw") {
    const GuardedOutcome outcome = guarded_call([]() -> std::string { throw std::runtime_error("bad input"); });
    CHECK(outcome.status == GuardStatus::Threw);
    CHECK(outcome.answer == "bad input");
    CHECK(describe_guard_failure(outcome, {}) == "failed: bad input");
}

TEST_CASE("guarded_call kills work that never ends, once its time is up") {
    const GuardLimits quarter_second = limits(250, 256);
    const GuardedOutcome outcome = guarded_call(
        []() -> std::string {
            volatile bool forever = true;  // a volatile read each turn: a loop the compiler must keep
            while (forever) {
            }
            return "ended";
        },
        quarter_second);
    CHECK(outcome.status == GuardStatus::TimedOut);
    CHECK(outcome.seconds >= 0.25);
    CHECK(outcome.seconds < 30);  // killed, not waited for
    CHECK(describe_guard_failure(outcome, quarter_second) == "did not finish within 0.25 s");
    CHECK(no_children_left());
}

TEST_CASE("guarded_call kills work that grows past its memory limit, before it takes the machine's") {
    const GuardLimits small = limits(60'000, 64);
    const GuardedOutcome outcome = guarded_call(
        []() -> std::string {
            // 64 MiB at a time, touched, for up to 16 GiB: the guard must stop it long before.
            std::vector<char*> blocks;
            for (int i = 0; i < 256; ++i) {
                char* block = static_cast<char*>(std::malloc(64u << 20));
                std::memset(block, 1, 64u << 20);
                blocks.push_back(block);
                ::usleep(20'000);
            }
            return "grew to 16 GiB unnoticed";
        },
        small);
    CHECK(outcome.status == GuardStatus::OutOfMemory);
    CHECK(outcome.peak_growth_bytes > (64u << 20));
    CHECK(outcome.peak_growth_bytes < (1u << 30));
    CHECK(describe_guard_failure(outcome, small) == "grew past 64 MiB of memory");
    CHECK(no_children_left());
}

TEST_CASE("guarded_call reports a child that dies by a signal as Crashed, naming the signal") {
    const GuardedOutcome outcome = guarded_call([]() -> std::string { std::abort(); });
    CHECK(outcome.status == GuardStatus::Crashed);
    CHECK(outcome.detail == std::string("ended by signal ") + ::strsignal(SIGABRT));
    CHECK(no_children_left());
}

TEST_CASE("guarded_call refuses an answer longer than its limit") {
    GuardLimits small_answer = limits(10'000, 256);
    small_answer.answer_bytes = 1000;
    const GuardedOutcome outcome = guarded_call([] { return std::string(100'000, 'x'); }, small_answer);
    CHECK(outcome.status == GuardStatus::Crashed);
    CHECK(outcome.detail == "answered more than 1000 bytes");
    CHECK(no_children_left());
}
