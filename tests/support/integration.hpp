// What the platform integration tests share: skipping (or, under CI=true,
// failing) when the platform's daemon is not there, the bundles they run, and
// labels no other test process uses.
#pragma once

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>
#include <string>

#include "bundle/bundle.hpp"
#include "temp_dir.hpp"

namespace test {

inline bool running_in_ci() {
    const char* ci = std::getenv("CI");
    return ci != nullptr && std::string(ci) == "true";
}

// Skips the test (CTest's SKIP_REGULAR_EXPRESSION matches the line) when `problem`
// is not empty; under CI=true, where scripts/setup.sh provides the daemon, fails it.
#define PLATBENCH_REQUIRE_PLATFORM(problem, what)                                                        \
    do {                                                                                                 \
        if (const std::string why = (problem); !why.empty()) {                                          \
            if (::test::running_in_ci()) FAIL("CI=true but " << what << " cannot run here: " << why);   \
            std::cout << "PLATBENCH-SKIP: " << what << " cannot run here (" << why << ")" << std::endl; \
            return;                                                                                      \
        }                                                                                                \
    } while (false)

// Bundles built once per test process: the real workloads, or the test's echo workload.
inline const platbench::Bundle& bundle_of(const std::filesystem::path& plugin_dir) {
    static TempDir cache{"platbench-test-bundles"};
    static std::map<std::filesystem::path, platbench::Bundle> bundles;
    auto it = bundles.find(plugin_dir);
    if (it == bundles.end())
        it = bundles.emplace(plugin_dir, platbench::build_bundle({PLATBENCH_RUNNER, plugin_dir}, cache.path())).first;
    return it->second;
}
inline const platbench::Bundle& workload_bundle() { return bundle_of(PLATBENCH_PLUGIN_DIR); }
inline const platbench::Bundle& echo_bundle() { return bundle_of(PLATBENCH_TEST_PLUGIN_DIR); }

inline std::string unique_label(const std::string& what) {
    static std::atomic<int> counter{0};
    return "test-" + what + "-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
}

}  // namespace test
