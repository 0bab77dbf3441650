// The one way a test skips: PLATBENCH_SKIP(reason, detail), then return.
//
// The test's process then exits with 77, which CTest counts as skipped
// (SKIP_RETURN_CODE), never as passed; a test that failed any check is reported
// as failed whatever it asked (tests/doctest_main.cpp decides at the end). Every
// skip names a reason from kSkipReasons. Under CI=true, where scripts/setup.sh
// provides everything it can, a skip is a failure unless its reason is one this
// machine cannot provide (`allowed_in_ci`). Each skip is appended to
// $PLATBENCH_SKIP_LOG (when set) as "<reason>\t<test>\t<detail>", which
// scripts/setup.sh sums up at the end of the test command.
#pragma once

#include <doctest/doctest.h>

#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

namespace test {

struct SkipReason {
    const char* key;
    const char* meaning;
    bool allowed_in_ci;  // a thing CI's machine cannot provide, whatever setup.sh installs
};

// The named reasons. Add one only with a line saying why it cannot be provided.
inline constexpr SkipReason kSkipReasons[] = {
    {"kvm-acceleration", "KVM-accelerated guests (here nested virtualisation hangs them; TCG runs the same code)", true},
    {"not-root", "root (to attach loop devices, reserve huge pages, write cgroups, chroot, start daemons)", false},
    {"no-daemon", "a platform's daemon or tool (dockerd, libvirtd, apptainer, a Slurm cluster)", false},
    {"no-program", "a program the test drives (fio, losetup, gnuplot, chromium)", false},
    {"no-cgroup-limits", "a cgroup filesystem that enforces memory limits and CPU quotas", false},
    {"no-huge-pages", "huge pages that can be reserved", false},
    {"no-restart-consent", "consent to stop the host's daemons (PLATBENCH_TEST_RESTART_DAEMONS=1; CI=true gives it)", false},
};

inline const SkipReason* find_skip_reason(const std::string& key) {
    for (const SkipReason& reason : kSkipReasons)
        if (key == reason.key) return &reason;
    return nullptr;
}

inline bool running_in_ci() {
    const char* ci = std::getenv("CI");
    return ci != nullptr && std::string(ci) == "true";
}

// What the tests of this process asked for; read by tests/doctest_main.cpp when
// they have run.
struct SkipRequest {
    std::string reason;
    std::string detail;
    std::string test;
};
std::vector<SkipRequest>& skip_requests();  // defined in tests/doctest_main.cpp
const std::string& current_test_name();     // likewise

inline void request_skip(const std::string& reason, const std::string& detail) {
    REQUIRE_MESSAGE(find_skip_reason(reason) != nullptr, "PLATBENCH_SKIP with an unknown reason '" << reason << "'");
    skip_requests().push_back({reason, detail, current_test_name()});
}

}  // namespace test

// Skips the rest of the test for `reason` (a key of kSkipReasons), saying `detail`.
#define PLATBENCH_SKIP(reason, detail)                                  \
    do {                                                                \
        std::ostringstream platbench_skip_detail;                       \
        platbench_skip_detail << detail;                                \
        ::test::request_skip(reason, platbench_skip_detail.str());      \
        return;                                                         \
    } while (false)
