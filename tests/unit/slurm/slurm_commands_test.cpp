// The Slurm tools' command lines and what platbench reads from their output.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "config/experiment.hpp"
#include "slurm/job_manifest.hpp"
#include "slurm/slurm_commands.hpp"
#include "slurm/spool.hpp"
#include "temp_dir.hpp"

using namespace platbench;
using namespace platbench::slurm;

TEST_CASE("sbatch gets one argument per option, Slurm's own requeueing off, the placement and the array") {
    SubmitRequest request;
    request.job_name = "platbench-quick-docker";
    request.placement = {"batch", "hpc-course", "n[1-2]", "docker&ssd", 5400};
    request.array_tasks = 3;
    request.output_pattern = "/shared/spool/logs/%A_%a.out";
    request.comment = "platbench:quick:4";
    request.script = "/shared/spool/jobs/docker-1.job";
    CHECK(sbatch_arguments(request) ==
          std::vector<std::string>{"--parsable", "--no-requeue", "--job-name=platbench-quick-docker", "--exclusive",
                                   "--partition=batch", "--account=hpc-course", "--nodelist=n[1-2]",
                                   "--constraint=docker&ssd", "--time=1:30:00", "--array=0-2",
                                   "--output=/shared/spool/logs/%A_%a.out", "--comment=platbench:quick:4",
                                   "/shared/spool/jobs/docker-1.job"});
    request.exclusive = false;
    request.placement = {};
    request.array_tasks = 0;
    request.output_pattern.clear();
    request.comment.clear();
    CHECK(sbatch_arguments(request) == std::vector<std::string>{"--parsable", "--no-requeue",
                                                                "--job-name=platbench-quick-docker",
                                                                "/shared/spool/jobs/docker-1.job"});
}

TEST_CASE("the job id of sbatch --parsable, with or without a cluster name, and nothing else") {
    CHECK(parse_submitted_job_id("1234\n") == "1234");
    CHECK(parse_submitted_job_id("77;cluster-a\n") == "77");
    CHECK_FALSE(parse_submitted_job_id(""));
    CHECK_FALSE(parse_submitted_job_id("sbatch: error: Batch job submission failed\n"));
    CHECK_FALSE(parse_submitted_job_id("12 34"));
}

TEST_CASE("time limits are written as H:MM:SS, rounded up") {
    CHECK(time_limit_text(59.2) == "0:01:00");
    CHECK(time_limit_text(600) == "0:10:00");
    CHECK(time_limit_text(90061) == "25:01:01");
}

TEST_CASE("array task ranges expand, and anything else gives nothing") {
    CHECK(expand_task_ranges("0") == std::vector<int>{0});
    CHECK(expand_task_ranges("1-3,5,7-8%2") == std::vector<int>{1, 2, 3, 5, 7, 8});
    CHECK(expand_task_ranges("3-1").empty());
    CHECK(expand_task_ranges("x").empty());
    CHECK(expand_task_ranges("0-99999999").empty());
}

TEST_CASE("scontrol show job -o: each line a job or tasks of an array, with state, reason, nodes and exit code") {
    const std::string output =
        "JobId=2 ArrayJobId=2 ArrayTaskId=3-4 JobName=a UserId=root(0) JobState=PENDING Reason=Resources "
        "ExitCode=0:0 NodeList= BatchHost=\n"
        "JobId=5 ArrayJobId=2 ArrayTaskId=1 JobState=RUNNING Reason=None ExitCode=0:0 NodeList=n1\n"
        "JobId=4 ArrayJobId=2 ArrayTaskId=0 JobState=NODE_FAIL Reason=NodeDown ExitCode=0:0 NodeList=n2\n"
        "JobId=9 JobState=PENDING Reason=ReqNodeNotAvail,_UnavailableNodes:n2 ExitCode=0:0\n"
        "garbage line without fields\n";
    const auto jobs = parse_show_job(output);
    REQUIRE(jobs.size() == 4);
    CHECK(jobs[0].array_job_id == "2");
    CHECK(jobs[0].array_tasks == std::vector<int>{3, 4});
    CHECK(jobs[0].state == "PENDING");
    CHECK_FALSE(jobs[0].ended());
    CHECK_FALSE(jobs[0].stuck());
    CHECK(jobs[1].nodes == "n1");
    CHECK(jobs[2].ended());
    CHECK(jobs[2].reason == "NodeDown");
    CHECK(jobs[3].array_job_id == "9");
    CHECK(jobs[3].array_tasks.empty());
    CHECK(jobs[3].stuck());
}

TEST_CASE("a batch script runs platbench through its #! line and carries the manifest back intact") {
    JobManifest manifest;
    manifest.experiment_text = "experiment: x\n# a comment with \"quotes\" and a newline\n";
    manifest.experiment_file = "configs/x.yaml";
    manifest.base_dir = "/home/me/configs";
    manifest.experiment_id = 7;
    manifest.results_dir = "/shared/spool/experiment-7/results";
    manifest.tasks = {{{0, 0, true, 0}, {0, 1, false, 3}}, {{2, 0, false, 1}}};
    const std::string script = batch_script("/opt/platbench/bin/platbench", manifest);
    CHECK(script.rfind("#!/opt/platbench/bin/platbench slurm-job\n", 0) == 0);
    const JobManifest back = parse_batch_script(script);
    CHECK(back.experiment_text == manifest.experiment_text);
    CHECK(back.experiment_file == manifest.experiment_file);
    CHECK(back.base_dir == manifest.base_dir);
    CHECK(back.experiment_id == 7);
    CHECK(back.results_dir == manifest.results_dir);
    CHECK(back.work_dir.empty());
    REQUIRE(back.tasks.size() == 2);
    CHECK(back.tasks[0].size() == 2);
    CHECK(back.tasks[0][0].warmup);
    CHECK(back.tasks[0][1].repetition == 1);
    CHECK(back.tasks[0][1].index == 3);
    CHECK(back.tasks[1][0].cell == 2);
    CHECK_THROWS_WITH_AS(batch_script("/opt/my platbench/platbench", manifest), doctest::Contains("#! line"),
                         std::runtime_error);
    CHECK_THROWS_AS(parse_batch_script("#!/bin/sh\necho hi\n"), std::runtime_error);
    CHECK_THROWS_AS(parse_batch_script("{}"), std::runtime_error);
    CHECK_THROWS_AS(parse_batch_script("#!x\n{\"tasks\": 3}"), std::runtime_error);
}

TEST_CASE("spooled runs are written whole and read back, unreadable ones are reported, half-written ones skipped") {
    test::TempDir dir{"platbench-spool-test"};
    RunRecord record;
    record.experiment_id = 3;
    record.run_key = "native/echo|abc|rep 0";
    record.cell_id = "native/echo";
    record.status = RunStatus::Ok;
    record.metrics.push_back({"echo_value", 1.5, "units", Better::Higher});
    record.platform_metadata = {{"slurm_node", "n1"}};
    write_spooled_run(dir.path(), record);
    std::ofstream(dir.path() / ".writing-xyz.json-123") << "{\"half";
    std::ofstream(dir.path() / "broken.json") << "{\"run_key\": 5}";
    auto runs = read_spooled_runs(dir.path());
    REQUIRE(runs.size() == 2);
    std::sort(runs.begin(), runs.end(), [](const auto& a, const auto& b) { return a.record.has_value() > b.record.has_value(); });
    REQUIRE(runs[0].record);
    CHECK(runs[0].record->run_key == record.run_key);
    CHECK(runs[0].record->metrics.at(0).value == 1.5);
    CHECK(runs[0].record->platform_metadata["slurm_node"] == "n1");
    CHECK_FALSE(runs[1].record);
    CHECK(runs[1].problem.find("experiment_id") != std::string::npos);
}

TEST_CASE("a spooled run whose status is none of ok, failed, skipped is reported, naming the run") {
    test::TempDir dir{"platbench-spool-status-test"};
    RunRecord record;
    record.experiment_id = 3;
    record.run_key = "native/echo|abc|rep 1";
    record.status = RunStatus::Ok;
    write_spooled_run(dir.path(), record);
    auto spooled = read_spooled_runs(dir.path());
    REQUIRE(spooled.size() == 1);
    std::stringstream text;
    text << std::ifstream(spooled[0].file).rdbuf();
    std::string json = text.str();
    const std::size_t at = json.find("\"status\":\"ok\"");
    REQUIRE(at != std::string::npos);
    json.replace(at, 13, "\"status\":\"done\"");
    std::ofstream(spooled[0].file, std::ios::trunc) << json;
    spooled = read_spooled_runs(dir.path());
    REQUIRE(spooled.size() == 1);
    CHECK_FALSE(spooled[0].record);
    CHECK(spooled[0].problem == "run record 'native/echo|abc|rep 1': status 'done' is none of ok, failed, skipped");
}

TEST_CASE("slurm: settings: job settings, default placement and placements per platform, merged per platform") {
    PluginRegistry registry;
    registry.load_directory(PLATBENCH_PLUGIN_DIR);
    const ExperimentConfig config = load_experiment_text(
        "experiment: s\nexecutor: slurm\nslurm:\n  partition: batch\n  time_limit: 10m\n  job_per: run\n"
        "  requeue: 2\n  exclusive: false\n  spool: /shared/spool\n  platforms:\n    native: {nodes: n1}\n"
        "    docker: {nodes: n2, partition: gpu, time_limit: 1h}\n"
        "platforms:\n  - plugin: native\n  - plugin: docker\nworkloads:\n  - plugin: stream\n",
        "s.yaml", ".", registry);
    CHECK(config.executor == Executor::Slurm);
    CHECK(config.slurm.job_per_run);
    CHECK(config.slurm.requeue == 2);
    CHECK_FALSE(config.slurm.exclusive);
    CHECK(config.slurm.spool == "/shared/spool");
    const SlurmPlacement native = config.slurm.placement_of("native");
    CHECK(native.partition == "batch");
    CHECK(native.nodes == "n1");
    CHECK(native.time_limit_seconds == 600);
    const SlurmPlacement docker = config.slurm.placement_of("docker");
    CHECK(docker.partition == "gpu");
    CHECK(docker.nodes == "n2");
    CHECK(docker.time_limit_seconds == 3600);
    // Without executor: slurm, the default is local and no job settings apply.
    const ExperimentConfig local = load_experiment_text(
        "experiment: l\nplatforms:\n  - plugin: native\nworkloads:\n  - plugin: stream\n", "l.yaml", ".", registry);
    CHECK(local.executor == Executor::Local);
}

TEST_CASE("a placement of several nodes is said as the cluster's other nodes excluded") {
    CHECK(nodes_to_exclude({"n1", "n2"}, {"n1", "n2", "n3", "n4"}) == "n3,n4");
    CHECK(nodes_to_exclude({"n1", "n2"}, {"n1", "n2"}).empty());
    CHECK(nodes_to_exclude({"n1"}, {"n1", "n2", "n2"}) == "n2");
    SubmitRequest request;
    request.job_name = "j";
    request.exclude = "n3,n4";
    request.exclusive = false;
    request.script = "s.job";
    CHECK(sbatch_arguments(request) ==
          std::vector<std::string>{"--parsable", "--no-requeue", "--job-name=j", "--exclude=n3,n4", "s.job"});
}

TEST_CASE("a spool record or a manifest nested or sized past its bounds is refused before parsing, saying why") {
    test::TempDir dir{"platbench-spool-bounds-test"};
    // 100,000 levels of arrays: nlohmann would parse it and then recurse that deep to destroy it.
    std::ofstream(dir.path() / "deep.json") << std::string(100'000, '[') << std::string(100'000, ']');
    const auto runs = read_spooled_runs(dir.path());
    REQUIRE(runs.size() == 1);
    CHECK_FALSE(runs[0].record);
    CHECK(runs[0].problem == "spooled run record: nested deeper than 32 levels");
    CHECK_THROWS_WITH_AS(parse_batch_script("#!x\n" + std::string(10, '[') + std::string(10, ']')),
                         "job manifest: nested deeper than 4 levels", std::runtime_error);
    CHECK_THROWS_WITH_AS(parse_batch_script("#!x\n" + std::string((64u << 20) + 1, ' ')),
                         "job manifest: larger than 64 MiB", std::runtime_error);
    CHECK_THROWS_WITH_AS(parse_batch_script("#!x\n{\"tasks\": "), doctest::Contains("job manifest: not valid JSON"),
                         std::runtime_error);
}
