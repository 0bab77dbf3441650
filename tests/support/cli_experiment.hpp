// An experiment file in a scratch directory, run through the platbench command:
// its command line, and what it stored, by run key.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "command.hpp"
#include "host_tools.hpp"
#include "stored_runs.hpp"

namespace test {

// `platbench run <dir>/e.yaml --output <dir>/results [--resume]`.
inline std::vector<std::string> run_args(const fs::path& dir, bool resume = false) {
    std::vector<std::string> args{PLATBENCH_CLI, "run", (dir / "e.yaml").string(), "--output", (dir / "results").string()};
    if (resume) args.push_back("--resume");
    return args;
}

// Every run stored in `results`, by run key; a key stored twice fails the test.
inline std::map<std::string, platbench::RunRecord> stored_by_key(const fs::path& results) {
    std::map<std::string, platbench::RunRecord> runs;
    if (!fs::exists(results / "results.db")) return runs;
    for (auto& run : stored_runs(results)) {
        CHECK_MESSAGE(runs.count(run.run_key) == 0, "run stored twice: ", run.run_key);
        runs[run.run_key] = run;
    }
    return runs;
}

// Empty when a Docker daemon answers; otherwise why not.
inline std::string docker_problem() {
    const auto info = run_tool("docker", {"info", "--format", "{{.ServerVersion}}"}, scratch("docker-info"));
    return info.exit_code == 0 ? "" : "no Docker daemon answers";
}

}  // namespace test
