#include "fio_command.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <sstream>

#include <nlohmann/json.hpp>

namespace platbench::fio {
namespace {

using nlohmann::json;
using io_job::DirectionFigures;
using io_job::Job;

// The percentiles io_job reports, as fio spells them in --percentile_list and in its JSON keys.
constexpr const char* kPercentileList = "50:90:99:99.9";
struct PercentileKey {
    const char* key;
    double DirectionFigures::*figure;
};
constexpr PercentileKey kPercentiles[] = {
    {"50.000000", &DirectionFigures::lat_p50_us},
    {"90.000000", &DirectionFigures::lat_p90_us},
    {"99.000000", &DirectionFigures::lat_p99_us},
    {"99.900000", &DirectionFigures::lat_p999_us},
};

const char* fio_engine(io_job::Engine engine) {
    switch (engine) {
        case io_job::Engine::Psync: return "psync";
        case io_job::Engine::Libaio: return "libaio";
        case io_job::Engine::IoUring: return "io_uring";
    }
    return "psync";
}

// fio reads a bare number as seconds; milliseconds keep the table's resolution.
std::string milliseconds(double seconds) {
    const auto ms = std::max<long long>(1, std::llround(seconds * 1000.0));
    return std::to_string(ms) + "ms";
}

// fio splits filename and directory at ':' (several files or directories): a colon
// that is part of the path must be escaped with a backslash.
std::string escaped_path(const std::string& path) {
    std::string out;
    for (char c : path) {
        if (c == ':') out += '\\';
        out += c;
    }
    return out;
}

void add_target(const Job& job, const FioTarget& target, std::vector<std::string>& args) {
    if (target.device.empty()) {
        // fio names each job's file <name>.<job>.0 in the directory: one file per job, as in blockio.
        args.push_back("--directory=" + escaped_path(target.directory));
        return;
    }
    args.push_back("--filename=" + escaped_path(target.device));
    // Each job its own region of the device, one after another, as with files.
    if (job.jobs > 1) args.push_back("--offset_increment=" + std::to_string(job.file_size));
}

void add_pattern(const Job& job, std::vector<std::string>& args) {
    args.push_back(std::string("--rw=") + io_job::pattern_name(job.pattern));
    if (job.pattern == io_job::Pattern::RandRw) args.push_back("--rwmixread=" + std::to_string(job.rwmixread));
    if (job.fsync_every > 0) args.push_back("--fsync=" + std::to_string(job.fsync_every));
    if (job.fdatasync_every > 0) args.push_back("--fdatasync=" + std::to_string(job.fdatasync_every));
}

void add_timing(const Job& job, std::vector<std::string>& args) {
    if (!job.time_based()) return;  // size-based: each job moves file_size once, fio's default
    args.push_back("--time_based");
    args.push_back("--runtime=" + milliseconds(job.runtime_seconds));
    if (job.ramp_seconds > 0) args.push_back("--ramp_time=" + milliseconds(job.ramp_seconds));
}

// ---- the JSON report ---------------------------------------------------------

[[noreturn]] void malformed(const std::string& what) {
    throw WorkloadError("fio's JSON report is unusable: " + what + " (fio changed its format, or it was cut short)");
}

const json& member(const json& object, const char* key, const std::string& where) {
    if (!object.is_object()) malformed(where + " is not an object");
    auto it = object.find(key);
    if (it == object.end()) malformed(where + "." + key + " is missing");
    return *it;
}

double number(const json& object, const char* key, const std::string& where) {
    const json& value = member(object, key, where);
    if (!value.is_number()) malformed(where + "." + key + " is not a number");
    const double result = value.get<double>();
    if (!std::isfinite(result) || result < 0) malformed(where + "." + key + " is not a finite number >= 0");
    return result;
}

// The JSON object starts at the first line that starts with '{': notes come before it.
json parse_report(std::string_view text) {
    std::size_t start = text.starts_with('{') ? 0 : text.find("\n{");
    if (start == std::string_view::npos) {
        throw WorkloadError("fio printed no JSON report; its output began: " +
                            std::string(text.substr(0, std::min<std::size_t>(text.size(), 200))));
    }
    if (text[start] == '\n') ++start;
    // A stream read stops after one JSON value, so anything fio prints after it is ignored.
    std::istringstream in{std::string(text.substr(start))};
    json report;
    try {
        in >> report;
    } catch (const json::exception& e) {
        throw WorkloadError(std::string("fio's JSON report is not valid JSON (cut short?): ") + e.what());
    }
    return report;
}

DirectionFigures latency(const json& lat, const std::string& where) {
    DirectionFigures f;
    const double ns = 1000.0;  // fio reports nanoseconds; io_job, microseconds
    f.lat_min_us = number(lat, "min", where) / ns;
    f.lat_max_us = number(lat, "max", where) / ns;
    f.lat_mean_us = number(lat, "mean", where) / ns;
    f.lat_stddev_us = number(lat, "stddev", where) / ns;
    const json& percentiles = member(lat, "percentile", where);
    for (const PercentileKey& p : kPercentiles) f.*(p.figure) = number(percentiles, p.key, where + ".percentile") / ns;
    return f;
}

// One direction of the (group-reported) job; nullopt when it did no I/O.
std::optional<DirectionFigures> direction(const json& job_report, const char* name) {
    const std::string where = std::string("jobs[0].") + name;
    const json& d = member(job_report, name, "jobs[0]");
    const double ios = number(d, "total_ios", where);
    if (ios == 0) return std::nullopt;
    // lat_ns is submission to completion (io_job's latency); clat_ns would leave out submission.
    DirectionFigures f = latency(member(d, "lat_ns", where), where + ".lat_ns");
    f.ios = static_cast<std::uint64_t>(ios);
    f.bytes = static_cast<std::uint64_t>(number(d, "io_bytes", where));
    f.seconds = number(d, "runtime", where) / 1000.0;  // ms; with group_reporting the longest job's
    if (f.seconds <= 0) malformed(where + ".runtime is 0 although it did " + std::to_string(f.ios) + " I/Os");
    return f;
}

const json& the_job(const json& report) {
    const json& jobs = member(report, "jobs", "the report");
    if (!jobs.is_array() || jobs.size() != 1)
        malformed("jobs is not a list of exactly one job (--group_reporting was expected)");
    const json& job_report = jobs[0];
    const double error = number(job_report, "error", "jobs[0]");
    if (error != 0) {
        const int code = static_cast<int>(error);
        throw WorkloadError("fio reported error " + std::to_string(code) + " (" + std::strerror(code) + ") for the job");
    }
    return job_report;
}

void add_direction(const json& job_report, const char* name, bool expected, std::optional<DirectionFigures>& out,
                   FioFigures& figures) {
    if (!expected) return;
    out = direction(job_report, name);
    if (!out) {
        figures.warnings.push_back(std::string("fio did no ") + name + "s, so no " + name +
                                   "_* metrics are reported (rwmixread 0 or 100?)");
        return;
    }
    figures.total_ios += out->ios;
    figures.runtime_seconds = std::max(figures.runtime_seconds, out->seconds);
}

}  // namespace

std::vector<std::string> fio_arguments(const Job& job, const FioTarget& target) {
    std::vector<std::string> args{"--name=platbench"};
    add_target(job, target, args);
    add_pattern(job, args);
    args.push_back("--bs=" + std::to_string(job.block_size));
    args.push_back("--size=" + std::to_string(job.file_size));
    args.push_back("--numjobs=" + std::to_string(job.jobs));
    args.push_back("--iodepth=" + std::to_string(job.iodepth));
    args.push_back(std::string("--ioengine=") + fio_engine(job.engine));
    args.push_back(std::string("--direct=") + (job.direct ? "1" : "0"));
    add_timing(job, args);
    args.push_back("--randseed=" + std::to_string(job.seed));
    if (job.norandommap) args.push_back("--norandommap");
    // Jobs are threads of one process, as in blockio: one process to signal, and
    // fio's CPU figures per thread (RUSAGE_THREAD) add up to the job's.
    args.push_back("--thread");
    // Drop the files' cached pages before the job, so reads start from the device.
    args.push_back("--invalidate=1");
    // One summary over all jobs, latency from submission, io_job's percentiles.
    args.push_back("--group_reporting");
    args.push_back("--lat_percentiles=1");
    args.push_back(std::string("--percentile_list=") + kPercentileList);
    args.push_back("--output-format=json");
    args.push_back("--eta=never");
    return args;
}

std::vector<std::string> fio_layout_arguments(const Job& job, const FioTarget& target) {
    if (target.device.empty() || !job.lays_out()) return {};
    // Blocks of about 1 MiB, a whole number of the job's blocks, so the region
    // written is exactly the region measured.
    const std::uint64_t per_write = std::max<std::uint64_t>(1, (1u << 20) / job.block_size) * job.block_size;
    std::vector<std::string> args{"--name=platbench-layout"};
    add_target(job, target, args);
    args.push_back("--rw=write");
    args.push_back("--bs=" + std::to_string(std::min(per_write, job.file_size / job.block_size * job.block_size)));
    args.push_back("--size=" + std::to_string(job.file_size / job.block_size * job.block_size));
    args.push_back("--numjobs=" + std::to_string(job.jobs));
    args.push_back("--ioengine=psync");
    args.push_back(std::string("--direct=") + (job.direct ? "1" : "0"));
    args.push_back("--end_fsync=1");
    args.push_back("--thread");
    args.push_back("--group_reporting");
    args.push_back("--output-format=json");
    args.push_back("--eta=never");
    return args;
}

FioFigures parse_fio_json(std::string_view stdout_text, const Job& job) {
    const json report = parse_report(stdout_text);
    const json& job_report = the_job(report);
    FioFigures figures;
    add_direction(job_report, "read", job.reads(), figures.read, figures);
    add_direction(job_report, "write", job.writes(), figures.write, figures);
    if (figures.total_ios == 0) throw WorkloadError("fio did no I/O at all; see its output on stderr");
    // usr_cpu/sys_cpu are percent of job_runtime, the jobs' run times added up.
    const double job_seconds = number(job_report, "job_runtime", "jobs[0]") / 1000.0;
    figures.cpu_user_seconds = number(job_report, "usr_cpu", "jobs[0]") / 100.0 * job_seconds;
    figures.cpu_system_seconds = number(job_report, "sys_cpu", "jobs[0]") / 100.0 * job_seconds;
    if (auto version = report.find("fio version"); version != report.end() && version->is_string())
        figures.version = version->get<std::string>();
    return figures;
}

}  // namespace platbench::fio
