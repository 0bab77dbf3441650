// fio_arguments (the io_job as fio's command line) and parse_fio_json (fio's
// report as io_job's figures), with reports of real fio runs in tests/data/fio/.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "fio_command.hpp"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using platbench::io_job::Job;
using platbench::io_job::Engine;
using platbench::io_job::Pattern;
using platbench::fio::fio_arguments;
using platbench::fio::parse_fio_json;

std::string sample(const std::string& name) {
    std::ifstream in(fs::path(PLATBENCH_TEST_DATA_DIR) / "fio" / name, std::ios::binary);
    REQUIRE_MESSAGE(in.good(), name);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

// The job the samples ran: randrw_io_uring.json is 2 jobs of randrw 70% reads, io_uring, 4 KiB, time-based.
Job randrw_job() {
    Job job;
    job.pattern = Pattern::RandRw;
    job.rwmixread = 70;
    job.jobs = 2;
    job.iodepth = 4;
    job.engine = Engine::IoUring;
    job.file_size = 4u << 20;
    job.runtime_seconds = 0.5;
    job.ramp_seconds = 0.1;
    return job;
}

Job randread_job() {
    Job job;
    job.pattern = Pattern::RandRead;
    job.file_size = 4u << 20;
    return job;
}

bool has(const std::vector<std::string>& args, const std::string& arg) {
    return std::find(args.begin(), args.end(), arg) != args.end();
}

// Arguments that start with `prefix` ("--rwmixread="): none, or the values given.
std::vector<std::string> with_prefix(const std::vector<std::string>& args, const std::string& prefix) {
    std::vector<std::string> out;
    for (const std::string& arg : args) {
        if (arg.starts_with(prefix)) out.push_back(arg);
    }
    return out;
}

std::string failure_of(const std::string& text, const Job& job) {
    try {
        parse_fio_json(text, job);
    } catch (const platbench::WorkloadError& e) {
        return e.what();
    }
    return "no error";
}

}  // namespace

TEST_CASE("the default job maps to a size-based psync randread with io_job's reporting") {
    Job job;
    job.file_size = 256u << 20;
    const auto args = fio_arguments(job, {"/scratch/dir", ""});
    const std::vector<std::string> expected = {
        "--name=platbench", "--directory=/scratch/dir", "--rw=randread", "--bs=4096", "--size=268435456",
        "--numjobs=1", "--iodepth=1", "--ioengine=psync", "--direct=1", "--randseed=1", "--thread",
        "--invalidate=1", "--group_reporting", "--lat_percentiles=1", "--percentile_list=50:90:99:99.9",
        "--output-format=json", "--eta=never"};
    CHECK(args == expected);
    CHECK(with_prefix(args, "--time_based").empty());
    CHECK(with_prefix(args, "--rwmixread").empty());
}

TEST_CASE("each pattern maps to fio's rw, rwmixread only with randrw") {
    const std::map<Pattern, std::string> names = {{Pattern::Read, "read"},
                                                  {Pattern::Write, "write"},
                                                  {Pattern::RandRead, "randread"},
                                                  {Pattern::RandWrite, "randwrite"},
                                                  {Pattern::RandRw, "randrw"}};
    for (const auto& [pattern, name] : names) {
        Job job;
        job.pattern = pattern;
        job.rwmixread = 30;
        const auto args = fio_arguments(job, {"/d", ""});
        const std::string& rw_name = name;  // clang 14 cannot capture a structured binding
        CAPTURE(rw_name);
        CHECK(with_prefix(args, "--rw=") == std::vector<std::string>{"--rw=" + name});
        CHECK(with_prefix(args, "--rwmixread=") ==
              (pattern == Pattern::RandRw ? std::vector<std::string>{"--rwmixread=30"} : std::vector<std::string>{}));
    }
}

TEST_CASE("engines, depth, jobs, block size, direct and seed are passed through") {
    const std::map<Engine, std::string> names = {
        {Engine::Psync, "psync"}, {Engine::Libaio, "libaio"}, {Engine::IoUring, "io_uring"}};
    for (const auto& [engine, name] : names) {
        Job job;
        job.engine = engine;
        CHECK(has(fio_arguments(job, {"/d", ""}), "--ioengine=" + name));
    }
    Job job;
    job.iodepth = 32;
    job.jobs = 4;
    job.block_size = 1u << 20;
    job.direct = false;
    job.seed = 12345678901234ull;
    const auto args = fio_arguments(job, {"/d", ""});
    CHECK(has(args, "--iodepth=32"));
    CHECK(has(args, "--numjobs=4"));
    CHECK(has(args, "--bs=1048576"));
    CHECK(has(args, "--direct=0"));
    CHECK(has(args, "--randseed=12345678901234"));
}

TEST_CASE("fsync and fdatasync are passed only when set") {
    Job job;
    job.pattern = Pattern::Write;
    CHECK(with_prefix(fio_arguments(job, {"/d", ""}), "--fsync").empty());
    CHECK(with_prefix(fio_arguments(job, {"/d", ""}), "--fdatasync").empty());
    job.fsync_every = 8;
    CHECK(with_prefix(fio_arguments(job, {"/d", ""}), "--fsync") == std::vector<std::string>{"--fsync=8"});
    job.fsync_every = 0;
    job.fdatasync_every = 1;
    CHECK(with_prefix(fio_arguments(job, {"/d", ""}), "--fdatasync") == std::vector<std::string>{"--fdatasync=1"});
    CHECK(with_prefix(fio_arguments(job, {"/d", ""}), "--fsync=").empty());
}

TEST_CASE("a time-based job runs in milliseconds, with its ramp") {
    Job job;
    job.runtime_seconds = 30;
    auto args = fio_arguments(job, {"/d", ""});
    CHECK(has(args, "--time_based"));
    CHECK(has(args, "--runtime=30000ms"));
    CHECK(with_prefix(args, "--ramp_time").empty());
    job.runtime_seconds = 0.0004;  // below fio's resolution: at least 1 ms
    job.ramp_seconds = 1.5;
    args = fio_arguments(job, {"/d", ""});
    CHECK(has(args, "--runtime=1ms"));
    CHECK(has(args, "--ramp_time=1500ms"));
}

TEST_CASE("a device target uses filename and gives each job its own region") {
    Job job;
    job.device = "/dev/nvme0n1";
    job.file_size = 1u << 30;
    auto args = fio_arguments(job, {"/scratch", job.device});
    CHECK(has(args, "--filename=/dev/nvme0n1"));
    CHECK(with_prefix(args, "--directory").empty());
    CHECK(with_prefix(args, "--offset_increment").empty());  // one job: from the start
    job.jobs = 3;
    args = fio_arguments(job, {"/scratch", job.device});
    CHECK(has(args, "--offset_increment=1073741824"));
    CHECK(has(args, "--size=1073741824"));
}

TEST_CASE("norandommap is passed when set: by default fio keeps its random map, as blockio does") {
    Job job;
    CHECK(with_prefix(fio_arguments(job, {"/d", ""}), "--norandommap").empty());
    job.norandommap = true;
    CHECK(has(fio_arguments(job, {"/d", ""}), "--norandommap"));
}

TEST_CASE("a device job that reads is preceded by a layout: one sequential write of each job's region") {
    using platbench::fio::fio_layout_arguments;
    Job job;
    job.device = "/dev/vdb";
    job.file_size = (3u << 20) + 100;  // not a whole number of blocks: the measured region is 3 MiB
    job.jobs = 2;
    const auto layout = fio_layout_arguments(job, {"/scratch", job.device});
    const std::vector<std::string> expected = {
        "--name=platbench-layout", "--filename=/dev/vdb", "--offset_increment=3145828", "--rw=write",
        "--bs=1048576", "--size=3145728", "--numjobs=2", "--ioengine=psync", "--direct=1", "--end_fsync=1",
        "--thread", "--group_reporting", "--output-format=json", "--eta=never"};
    CHECK(layout == expected);
    // Files are laid out by fio itself; a write-only job needs none; layout: false asks for none.
    CHECK(fio_layout_arguments(job, {"/scratch", ""}).empty());
    job.layout = false;
    CHECK(fio_layout_arguments(job, {"/scratch", job.device}).empty());
    job.layout = true;
    job.pattern = Pattern::Write;
    CHECK(fio_layout_arguments(job, {"/scratch", job.device}).empty());
}

TEST_CASE("a colon in a path is escaped, since fio splits paths at colons") {
    Job job;
    CHECK(has(fio_arguments(job, {"/srv/a:b/run", ""}), "--directory=/srv/a\\:b/run"));
    job.device = "/dev/disk/by-path/pci-0000:00:1f.2-ata-1";
    CHECK(has(fio_arguments(job, {"/scratch", job.device}), "--filename=/dev/disk/by-path/pci-0000\\:00\\:1f.2-ata-1"));
}

TEST_CASE("a real randrw report gives both directions in io_job's units") {
    const auto figures = parse_fio_json(sample("randrw_io_uring.json"), randrw_job());
    REQUIRE(figures.read.has_value());
    REQUIRE(figures.write.has_value());
    // Figures straight from the file: read total_ios 2518, io_bytes 10313728, runtime 501 ms.
    CHECK(figures.read->ios == 2518);
    CHECK(figures.read->bytes == 10313728);
    CHECK(figures.read->seconds == doctest::Approx(0.501));
    CHECK(figures.read->lat_min_us == doctest::Approx(32.518));
    CHECK(figures.read->lat_max_us == doctest::Approx(7313.356));
    CHECK(figures.read->lat_mean_us == doctest::Approx(145.132960286));
    CHECK(figures.read->lat_p50_us == doctest::Approx(94.720));
    CHECK(figures.read->lat_p90_us == doctest::Approx(207.872));
    CHECK(figures.read->lat_p99_us == doctest::Approx(1028.096));
    CHECK(figures.read->lat_p999_us == doctest::Approx(4079.616));
    CHECK(figures.write->ios == 1022);
    CHECK(figures.total_ios == 2518 + 1022);
    CHECK(figures.runtime_seconds == doctest::Approx(0.501));
    // usr_cpu 2.0 % and sys_cpu 0.8 % of job_runtime 1000 ms.
    CHECK(figures.cpu_user_seconds == doctest::Approx(0.02));
    CHECK(figures.cpu_system_seconds == doctest::Approx(0.008));
    CHECK(figures.version == "fio-3.33");
    CHECK(figures.warnings.empty());
}

TEST_CASE("a read-only pattern reports reads only, even though fio has a write section") {
    const auto figures = parse_fio_json(sample("randread_psync.json"), randread_job());
    REQUIRE(figures.read.has_value());
    CHECK_FALSE(figures.write.has_value());
    CHECK(figures.read->ios == 1024);  // 4 MiB in 4 KiB blocks, size-based
    CHECK(figures.read->bytes == 4u << 20);
    CHECK(figures.read->lat_min_us > 0);
    CHECK(figures.read->lat_p50_us <= figures.read->lat_p99_us);
}

TEST_CASE("notes before the JSON and text after it are skipped") {
    const std::string text = "note: both iodepth >= 1 and synchronous I/O engine are selected, queue depth will be "
                             "capped at 1\nfio: some warning { with a brace\n" +
                             sample("randread_psync.json") + "fio: file hash not empty on exit\n";
    const auto figures = parse_fio_json(text, randread_job());
    REQUIRE(figures.read.has_value());
    CHECK(figures.read->ios == 1024);
}

TEST_CASE("output without JSON, garbage and a cut-short report are refused with a reason") {
    CHECK(failure_of("", randread_job()).find("printed no JSON report") != std::string::npos);
    CHECK(failure_of("fio: engine libaio not loadable\n", randread_job()).find("engine libaio not loadable") !=
          std::string::npos);
    CHECK(failure_of("{ this is not json", randread_job()).find("not valid JSON") != std::string::npos);
    const std::string good = sample("randrw_io_uring.json");
    for (std::size_t cut : {std::size_t{1}, good.size() / 3, good.size() / 2, good.size() - 3}) {
        CAPTURE(cut);
        CHECK(failure_of(good.substr(0, cut), randrw_job()).find("not valid JSON") != std::string::npos);
    }
}

TEST_CASE("a missing or mistyped field is named") {
    const json good = json::parse(sample("randrw_io_uring.json"));
    auto failure_without = [&](const json::json_pointer& pointer) {
        json damaged = good;
        damaged[pointer.parent_pointer()].erase(pointer.back());
        return failure_of(damaged.dump(), randrw_job());
    };
    CHECK(failure_without(json::json_pointer("/jobs/0/read/lat_ns/percentile/99.900000"))
              .find("jobs[0].read.lat_ns.percentile.99.900000 is missing") != std::string::npos);
    CHECK(failure_without(json::json_pointer("/jobs/0/write/total_ios")).find("jobs[0].write.total_ios is missing") !=
          std::string::npos);
    CHECK(failure_without(json::json_pointer("/jobs/0/read/lat_ns")).find("jobs[0].read.lat_ns is missing") !=
          std::string::npos);
    CHECK(failure_without(json::json_pointer("/jobs/0/usr_cpu")).find("jobs[0].usr_cpu is missing") !=
          std::string::npos);
    CHECK(failure_without(json::json_pointer("/jobs")).find("jobs is missing") != std::string::npos);

    json mistyped = good;
    mistyped["jobs"][0]["read"]["io_bytes"] = "lots";
    CHECK(failure_of(mistyped.dump(), randrw_job()).find("jobs[0].read.io_bytes is not a number") != std::string::npos);
    json two_jobs = good;
    two_jobs["jobs"].push_back(good["jobs"][0]);
    CHECK(failure_of(two_jobs.dump(), randrw_job()).find("exactly one job") != std::string::npos);
    CHECK(failure_of("[1, 2]", randrw_job()).find("printed no JSON report") != std::string::npos);
}

TEST_CASE("an error fio reports for the job fails the run with its name") {
    json report = json::parse(sample("randread_psync.json"));
    report["jobs"][0]["error"] = 22;
    CHECK(failure_of(report.dump(), randread_job()).find("fio reported error 22 (Invalid argument)") !=
          std::string::npos);
}

TEST_CASE("a direction without I/O is left out with a warning, no I/O at all is an error") {
    json report = json::parse(sample("randrw_io_uring.json"));
    report["jobs"][0]["write"]["total_ios"] = 0;  // rwmixread 100
    const auto figures = parse_fio_json(report.dump(), randrw_job());
    CHECK(figures.read.has_value());
    CHECK_FALSE(figures.write.has_value());
    REQUIRE(figures.warnings.size() == 1);
    CHECK(figures.warnings[0].find("no writes") != std::string::npos);
    report["jobs"][0]["read"]["total_ios"] = 0;
    CHECK(failure_of(report.dump(), randrw_job()).find("did no I/O") != std::string::npos);
}
