// What the platform integration tests share: skipping (under CI=true, failing)
// when the platform's daemon is not there, the bundles they run, and labels no
// other test process uses.
#pragma once

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>
#include <string>

#include "bundle/bundle.hpp"
#include "skip.hpp"
#include "temp_dir.hpp"

namespace test {

// Skips the test (tests/support/skip.hpp) when `problem` is not empty: the
// platform's daemon or tool is missing. Under CI=true, where scripts/setup.sh
// provides every platform, that skip is a failure.
#define PLATBENCH_REQUIRE_PLATFORM(problem, what)                                        \
    do {                                                                                 \
        if (const std::string why = (problem); !why.empty())                             \
            PLATBENCH_SKIP("no-daemon", what << " cannot run here (" << why << ")");     \
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
