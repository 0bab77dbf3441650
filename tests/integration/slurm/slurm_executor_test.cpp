// executor: slurm on a real Slurm cluster: munged, slurmctld and two slurmd
// nodes (n1, n2) on loopback, started for each test by
// scripts/slurm-local-cluster.sh in a directory of its own. Without root or
// Slurm the tests say so and count as skipped; under CI=true they fail.
#include <doctest/doctest.h>

#include <signal.h>
#include <stdlib.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "cli_experiment.hpp"
#include "command.hpp"
#include "host_tools.hpp"
#include "integration.hpp"
#include "slurm/spool.hpp"
#include "store/run_record_json.hpp"
#include "stored_runs.hpp"

using test::contains;
using test::scratch;
using test::docker_problem;
using test::run_args;
using test::stored_by_key;
using platbench::RunStatus;
namespace fs = std::filesystem;

namespace {

const std::string kClusterScript = PLATBENCH_SOURCE_DIR + "/scripts/slurm-local-cluster.sh";

// The cluster of this test process, stopped when it ends.
class LocalCluster {
public:
    LocalCluster() : dir_(fs::temp_directory_path() / ("platbench-slurm-test-" + std::to_string(::getpid()))) {
        if (::geteuid() != 0) {
            problem_ = "slurmd runs jobs as their users: the local cluster needs root";
            return;
        }
        for (const char* program : {"slurmctld", "slurmd", "sbatch", "munged"}) {
            if (test::find_program(program).empty() && !fs::exists(std::string("/usr/sbin/") + program)) {
                problem_ = std::string(program) + " is not installed (apt install slurmctld slurmd slurm-client munge)";
                return;
            }
        }
        const auto started = script("start");
        if (started.exit_code != 0) {
            problem_ = "the local cluster did not start: " + started.err;
            return;
        }
        ::setenv("SLURM_CONF", (dir_ / "slurm.conf").c_str(), 1);
    }
    ~LocalCluster() {
        if (problem_.empty()) script("stop");
    }

    const std::string& problem() const { return problem_; }
    const fs::path& dir() const { return dir_; }

    // Starts what is not running (a slurmd killed by a test) and waits for both nodes.
    void restart_missing_daemons() {
        const auto started = script("start");
        INFO(started.err);
        REQUIRE(started.exit_code == 0);
    }

    // "Node n fails": its slurmd and the job steps it runs are killed.
    void fail_node(const std::string& node) {
        std::ifstream pid_file(dir_ / ("slurmd-" + node + ".pid"));
        pid_t slurmd = 0;
        pid_file >> slurmd;
        REQUIRE(slurmd > 0);
        const auto running = test::output_lines(
            test::run_tool("squeue", {"-h", "-w", node, "-t", "R", "-o", "%A"}, scratch("squeue-" + node)));
        ::kill(slurmd, SIGKILL);
        for (const std::string& job : running)
            test::run_tool("pkill", {"-KILL", "-f", "^slurmstepd: \\[" + job + "\\."}, scratch("pkill"));
    }

private:
    test::Finished script(const std::string& action) {
        return test::Started({"/bin/bash", kClusterScript, action, dir_.string()}, scratch("cluster-" + action)).wait();
    }

    fs::path dir_;
    std::string problem_;
};

LocalCluster& cluster() {
    static LocalCluster instance;
    return instance;
}

#define REQUIRE_SLURM() PLATBENCH_REQUIRE_PLATFORM(cluster().problem(), "a local Slurm cluster")


std::string experiment(const std::string& name, const std::string& slurm, const std::string& platforms,
                       const std::string& workloads, int repetitions = 1) {
    return "experiment: " + name + "\nexecutor: slurm\nrepetitions: " + std::to_string(repetitions) +
           "\nplugin_path: [" + PLATBENCH_TEST_PLUGIN_DIR + "]\nslurm:\n  poll_interval: 0.3s\n" + slurm +
           "platforms:\n" + platforms + "workloads:\n" + workloads;
}



std::size_t stored_ok(const fs::path& results, const std::string& platform) {
    try {
        std::size_t n = 0;
        for (const auto& [key, run] : stored_by_key(results))
            n += run.platform_instance == platform && run.status == RunStatus::Ok;
        return n;
    } catch (const std::exception&) {
        return 0;  // the database is being created
    }
}

fs::path spool_of(const fs::path& dir) { return dir / "results" / "slurm-spool" / "experiment-1"; }

nlohmann::json submitted_jobs(const fs::path& dir) {
    std::ifstream in(spool_of(dir) / "jobs.json");
    return nlohmann::json::parse(in);
}

// Jobs of these ids Slurm still has queued or running.
std::vector<std::string> live_jobs(const std::vector<std::string>& ids) {
    std::string list;
    for (const auto& id : ids) list += (list.empty() ? "" : ",") + id;
    return test::output_lines(test::run_tool("squeue", {"-h", "-j", list, "-o", "%i %T"}, scratch("squeue")));
}

}  // namespace

TEST_CASE("native and docker stream cells run on the nodes their platform is placed on, and every result lands once") {
    REQUIRE_SLURM();
    PLATBENCH_REQUIRE_PLATFORM(docker_problem(), "Docker");
    const fs::path dir = scratch("placement");
    test::write_file(dir / "e.yaml", experiment("placement", "  platforms:\n    native: {nodes: n1}\n    docker: {nodes: n2}\n",
                                                "  - plugin: native\n  - plugin: docker\n",
                                                "  - plugin: stream\n    array_size: [200k, 400k]\n    ntimes: 3\n", 2));
    const auto run = test::Started(run_args(dir), dir / "run").wait();
    INFO(run.err);
    CHECK(run.exit_code == 0);
    CHECK(contains(run.err, "slurm: submitted job"));
    const auto runs = stored_by_key(dir / "results");
    REQUIRE(runs.size() == 8);
    for (const auto& [key, r] : runs) {
        INFO(key);
        CHECK(r.status == RunStatus::Ok);
        CHECK(r.platform_metadata["slurm_node"] == (r.platform_instance == "native" ? "n1" : "n2"));
        CHECK(contains(r.platform_metadata.value("slurm_job", ""), "_"));
        CHECK(r.info["slurm_submit_to_ingest_seconds"].is_number());
        CHECK(std::any_of(r.metrics.begin(), r.metrics.end(),
                          [](const platbench::Metric& m) { return m.name == "triad_best_rate" && m.value > 0; }));
    }
    // Ingesting a record a second time stores it once: drop one back into the
    // spool and resume; nothing new is stored and the file is consumed.
    platbench::slurm::write_spooled_run(spool_of(dir) / "results", runs.begin()->second);
    const auto again = test::Started(run_args(dir, true), dir / "again").wait();
    INFO(again.err);
    CHECK(again.exit_code == 0);
    CHECK(stored_by_key(dir / "results").size() == 8);
    CHECK(fs::is_empty(spool_of(dir) / "results"));
    CHECK(submitted_jobs(dir).size() == 2);  // one array per platform, none submitted again
}

TEST_CASE("adaptive repetitions on Slurm: further rounds only for the cells still wide, up to the maximum, flagged") {
    REQUIRE_SLURM();
    const fs::path dir = scratch("adaptive");
    // echo's value never varies: its cell converges after the minimum. A STREAM
    // bandwidth always varies by more than 0.01%: its cell gets rounds to the maximum.
    test::write_file(dir / "e.yaml",
                     experiment("adaptive", "", "  - plugin: native\n",
                                "  - plugin: echo\n    value: 7\n  - plugin: stream\n    array_size: 100k\n    ntimes: 2\n",
                                2) +
                         "target_ci: 0.01\nmax_repetitions: 4\n");
    const auto run = test::Started(run_args(dir), dir / "run").wait();
    INFO(run.err);
    CHECK(run.exit_code == 0);
    std::map<std::string, int> runs_per_cell;
    for (const auto& [key, r] : stored_by_key(dir / "results")) {
        CHECK(r.status == RunStatus::Ok);
        CHECK_FALSE(r.platform_metadata.value("slurm_job", "").empty());  // every round ran as Slurm jobs
        ++runs_per_cell[r.cell_id];
    }
    CHECK(runs_per_cell["native/echo"] == 2);
    CHECK(runs_per_cell["native/stream"] == 4);
    CHECK(contains(run.err, "adaptive repetitions: round 3 for 1 cells"));
    CHECK(contains(run.err, "adaptive repetitions: round 4 for 1 cells"));
    CHECK(contains(run.out, "did not converge"));
    CHECK(submitted_jobs(dir).size() == 3);  // the first rounds, then one job per adaptive round
}

TEST_CASE("a node that fails mid-matrix fails only its runs, with Slurm's reason, and the others complete") {
    REQUIRE_SLURM();
    const fs::path dir = scratch("node-fails");
    test::write_file(dir / "e.yaml",
                     experiment("node-fails", "  job_per: run\n  platforms:\n    on-n1: {nodes: n1}\n    on-n2: {nodes: n2}\n",
                                "  - {plugin: native, name: on-n1}\n  - {plugin: native, name: on-n2}\n",
                                "  - plugin: echo\n    sleep: 1500ms\n    value: [1, 2]\n", 2));
    test::Started head(run_args(dir), dir / "run");
    REQUIRE(test::wait_until([&] { return stored_ok(dir / "results", "on-n2") >= 1; }, 120));
    cluster().fail_node("n2");
    const auto finished = head.wait();
    cluster().restart_missing_daemons();
    INFO(finished.err);
    CHECK(finished.exit_code == 1);  // some runs failed; the matrix finished
    CHECK(stored_ok(dir / "results", "on-n1") == 4);
    std::size_t failed = 0;
    for (const auto& [key, r] : stored_by_key(dir / "results")) {
        if (r.status != RunStatus::Failed) continue;
        ++failed;
        INFO(r.reason);
        CHECK(r.platform_instance == "on-n2");
        CHECK(contains(r.reason, "slurm job "));
        CHECK((contains(r.reason, "NODE_FAIL") || contains(r.reason, "could not start") ||
               contains(r.reason, "ended")));
    }
    CHECK(failed >= 1);
    CHECK(stored_by_key(dir / "results").size() == 8);
}

TEST_CASE("after the head is killed, --resume re-attaches to the jobs still queued or running") {
    REQUIRE_SLURM();
    const fs::path dir = scratch("head-killed");
    test::write_file(dir / "e.yaml", experiment("head-killed", "  job_per: run\n  nodes: n1\n", "  - plugin: native\n",
                                                "  - plugin: echo\n    sleep: 1s\n    value: [1, 2, 3, 4]\n"));
    test::Started head(run_args(dir), dir / "first");
    REQUIRE(test::wait_until([&] { return stored_ok(dir / "results", "native") >= 1; }, 120));
    head.signal(SIGKILL);
    head.wait();
    const nlohmann::json jobs_before = submitted_jobs(dir);
    REQUIRE(jobs_before.size() == 1);
    const std::string job = jobs_before[0]["job_id"];
    CHECK_FALSE(live_jobs({job}).empty());  // its tasks still queued or running
    const auto resumed = test::Started(run_args(dir, true), dir / "resumed").wait();
    INFO(resumed.err);
    CHECK(resumed.exit_code == 0);
    CHECK(contains(resumed.err, "re-attached to"));
    CHECK_FALSE(contains(resumed.err, "submitted job"));
    CHECK(submitted_jobs(dir) == jobs_before);
    const auto runs = stored_by_key(dir / "results");
    CHECK(runs.size() == 4);
    for (const auto& [key, r] : runs) CHECK(r.status == RunStatus::Ok);
}

TEST_CASE("Ctrl-C on the head cancels every job of the experiment") {
    REQUIRE_SLURM();
    const fs::path dir = scratch("interrupted");
    test::write_file(dir / "e.yaml",
                     experiment("interrupted", "  platforms:\n    on-n1: {nodes: n1}\n    on-n2: {nodes: n2}\n",
                                "  - {plugin: native, name: on-n1}\n  - {plugin: native, name: on-n2}\n",
                                "  - plugin: echo\n    sleep: 38.5s\n    value: [1, 2]\n"));
    test::Started head(run_args(dir), dir / "run");
    REQUIRE(test::wait_until([] { return test::Started({"/usr/bin/pgrep", "-f", "sleep=38.5"}, scratch("pgrep")).wait().exit_code == 0; }, 120));
    head.signal(SIGINT);
    const auto finished = head.wait();
    INFO(finished.err);
    CHECK(finished.exit_code == 130);
    CHECK(contains(finished.err, "slurm: cancelled jobs"));
    std::vector<std::string> ids;
    for (const auto& job : submitted_jobs(dir)) ids.push_back(job["job_id"]);
    CHECK(ids.size() == 2);
    CHECK(test::wait_until([&] { return live_jobs(ids).empty(); }, 30));
    CHECK(test::wait_until([] { return test::Started({"/usr/bin/pgrep", "-f", "sleep=38.5"}, scratch("pgrep")).wait().exit_code == 1; }, 30));
}

TEST_CASE("a job cancelled from outside is submitted again while requeue allows, else its runs fail saying so") {
    REQUIRE_SLURM();
    for (const int requeue : {1, 0}) {
        CAPTURE(requeue);
        const fs::path dir = scratch("cancelled-" + std::to_string(requeue));
        test::write_file(dir / "e.yaml", experiment("cancelled-" + std::to_string(requeue),
                                                    "  nodes: n1\n  requeue: " + std::to_string(requeue) + "\n",
                                                    "  - plugin: native\n",
                                                    "  - plugin: echo\n    sleep: 4s\n    message: cancel-me\n"));
        test::Started head(run_args(dir), dir / "run");
        REQUIRE(test::wait_until([] { return test::Started({"/usr/bin/pgrep", "-f", "message=cancel-me"}, scratch("pgrep")).wait().exit_code == 0; }, 120));
        const std::string job = submitted_jobs(dir)[0]["job_id"];
        test::run_tool("scancel", {job}, scratch("scancel"));
        const auto finished = head.wait();
        INFO(finished.err);
        const auto runs = stored_by_key(dir / "results");
        REQUIRE(runs.size() == 1);
        const auto& run = runs.begin()->second;
        if (requeue == 1) {
            CHECK(finished.exit_code == 0);
            CHECK(contains(finished.err, "(again, attempt 2)"));
            CHECK(run.status == RunStatus::Ok);
            CHECK(submitted_jobs(dir).size() == 2);
        } else {
            CHECK(finished.exit_code == 1);
            CHECK(run.status == RunStatus::Failed);
            CHECK(contains(run.reason, "slurm job " + job + "_0"));
            CHECK(contains(run.reason, "CANCELLED"));
        }
    }
}
