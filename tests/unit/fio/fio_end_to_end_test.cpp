// The fio workload through `platbench run` on the native platform: skipped with
// its reason where fio is missing, measured where it is present.
#include <doctest/doctest.h>

#include <cstdlib>
#include <string>

#include "command.hpp"
#include "store/result_store.hpp"
#include "stored_runs.hpp"

using platbench::RunStatus;

namespace {

namespace fs = std::filesystem;

std::string fio_experiment(const std::string& name) {
    return "experiment: " + name +
           "\nrepetitions: 2\ntimeout: 60s\nplatforms:\n  - plugin: native\n"
           "workloads:\n  - plugin: fio\n    file_size: 1MiB\n    pattern: randread\n";
}

using ::test::stored_runs;

}  // namespace

TEST_CASE("without fio the runs are skipped with the reason, and the experiment succeeds") {
    const fs::path dir = test::scratch("fio-missing");
    test::write_file(dir / "e.yaml", fio_experiment("fio-missing"));
    const char* old_path = std::getenv("PATH");
    const std::string saved = old_path != nullptr ? old_path : "";
    ::setenv("PATH", dir.c_str(), 1);  // platbench, the runner and the plugin see no fio
    const auto run = test::run_cli({"run", (dir / "e.yaml").string(), "--output", (dir / "results").string()}, dir);
    ::setenv("PATH", saved.c_str(), 1);
    INFO(run.err);
    CHECK(run.exit_code == 0);  // skipped runs are not failures
    CHECK(test::contains(run.out, "0 ok, 0 failed, 2 skipped"));
    const auto runs = stored_runs(dir / "results");
    REQUIRE(runs.size() == 2);
    for (const auto& r : runs) {
        CHECK(r.status == RunStatus::Skipped);
        CHECK(r.reason == "workload not available: fio is not installed on this host: apt install fio (or put fio on "
                          "PATH, and rebuild the bundle for containers and VMs)");
        CHECK(r.metrics.empty());
    }
}

TEST_CASE("with fio the same experiment measures, with io_job's metric names") {
    const fs::path dir = test::scratch("fio-present");
    test::write_file(dir / "e.yaml", fio_experiment("fio-present"));
    const auto run = test::run_cli({"run", (dir / "e.yaml").string(), "--output", (dir / "results").string()}, dir);
    INFO(run.err);
    CHECK(run.exit_code == 0);
    CHECK(test::contains(run.out, "2 ok, 0 failed, 0 skipped"));
    for (const auto& r : stored_runs(dir / "results")) {
        CHECK(r.status == RunStatus::Ok);
        CHECK(r.metrics.size() == 13 + 4);  // read_* and the job's four
        CHECK(r.info.value("fio_version", "").starts_with("fio-"));
    }
}
