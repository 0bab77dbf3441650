#include "io_job.hpp"

#include <limits>

namespace platbench::io_job {
namespace {

template <class Enum, std::size_t N>
Enum from_name(const std::string& text, const char* const (&names)[N]) {
    for (std::size_t i = 0; i < N; ++i) {
        if (text == names[i]) return static_cast<Enum>(i);
    }
    return static_cast<Enum>(0);  // unreachable: the table only lets the choices through
}

const char* const kPatternNames[] = {"read", "write", "randread", "randwrite", "randrw"};
const char* const kEngineNames[] = {"psync", "libaio", "io_uring"};

}  // namespace

const char* pattern_name(Pattern pattern) { return kPatternNames[static_cast<int>(pattern)]; }
const char* engine_name(Engine engine) { return kEngineNames[static_cast<int>(engine)]; }

ParamTable job_params() {
    return {
        ParamSpec{
            .name = "pattern",
            .type = ParamType::Choice,
            .default_value = "randread",
            .help = "access pattern: sequential or random reads and writes; randrw mixes them by rwmixread",
            .choices = {"read", "write", "randread", "randwrite", "randrw"}},
        ParamSpec{
            .name = "rwmixread",
            .type = ParamType::Integer,
            .default_value = "50",
            .unit = "%",
            .help = "share of reads in randrw, in percent",
            .min = 0,
            .max = 100},
        ParamSpec{
            .name = "block_size",
            .type = ParamType::Size,
            .default_value = "4KiB",
            .unit = "bytes",
            .help = "bytes per I/O",
            .min = 512,
            .max = 64 * 1024 * 1024},
        ParamSpec{
            .name = "file_size",
            .type = ParamType::Size,
            .default_value = "256MiB",
            .unit = "bytes",
            .help = "bytes per job: its own file, or its region of the device",
            .min = 4096},
        ParamSpec{
            .name = "jobs",
            .type = ParamType::Integer,
            .default_value = "1",
            .unit = "threads",
            .help = "jobs running at once, each on its own file or region",
            .min = 1,
            .max = 256},
        ParamSpec{
            .name = "iodepth",
            .type = ParamType::Integer,
            .default_value = "1",
            .unit = "I/Os",
            .help = "I/Os in flight per job (psync: 1)",
            .min = 1,
            .max = 4096},
        ParamSpec{
            .name = "engine",
            .type = ParamType::Choice,
            .default_value = "psync",
            .help = "psync: pread/pwrite; libaio: Linux native AIO; io_uring: liburing",
            .choices = {"psync", "libaio", "io_uring"}},
        ParamSpec{
            .name = "direct",
            .type = ParamType::Bool,
            .default_value = "true",
            .help = "O_DIRECT: bypass the page cache"},
        ParamSpec{
            .name = "fsync",
            .type = ParamType::Integer,
            .default_value = "0",
            .unit = "writes",
            .help = "fsync after every N writes (0: never)",
            .min = 0,
            .max = 1'000'000'000},
        ParamSpec{
            .name = "fdatasync",
            .type = ParamType::Integer,
            .default_value = "0",
            .unit = "writes",
            .help = "fdatasync after every N writes (0: never)",
            .min = 0,
            .max = 1'000'000'000},
        ParamSpec{
            .name = "runtime",
            .type = ParamType::Duration,
            .unit = "s",
            .help = "time-based: run this long, looping over the file (default: size-based, each job moves file_size once)",
            .real_min = 0.001},
        ParamSpec{
            .name = "ramp_time",
            .type = ParamType::Duration,
            .default_value = "0",
            .unit = "s",
            .help = "run this long first without counting",
            .real_min = 0},
        ParamSpec{
            .name = "seed",
            .type = ParamType::Integer,
            .default_value = "1",
            .help = "seed of the random offsets and of the data written",
            .min = 0},
        ParamSpec{
            .name = "directory",
            .type = ParamType::String,
            .help = "directory for the job files, laid out before and removed after the run (default: the run's work directory)"},
        ParamSpec{
            .name = "device",
            .type = ParamType::String,
            .help = "a block device to use instead of files (must not be mounted; its data is overwritten by writes)"},
        ParamSpec{
            .name = "verify",
            .type = ParamType::Bool,
            .default_value = "false",
            .help = "check every block read against the data written (a correctness check, not a measurement)"},
        ParamSpec{
            .name = "layout",
            .type = ParamType::Bool,
            .default_value = "true",
            .help = "with device: write the region that reads touch before measuring, so that reads meet real data "
             "(a fresh or sparse disk image returns holes without storage I/O); false measures whatever the "
             "device holds, and the validity checks say so. Files are always laid out"},
        ParamSpec{
            .name = "norandommap",
            .type = ParamType::Bool,
            .default_value = "false",
            .help = "random patterns draw offsets with replacement (fio's norandommap); by default each block is "
             "visited once per pass before any is visited again, as fio does"},
    };
}

MetricTable job_metrics() {
    struct Figure {
        const char* name;
        const char* unit;
        Better better;
        std::uint32_t roles;
        const char* help;
    };
    // IOPS is the headline rate: for a cell's fixed block size its ratio to the
    // baseline is the bandwidth's too.
    static const Figure kDirectionFigures[] = {
        {"iops", "IOPS", Better::Higher, kMetricCentral | kMetricHeadline, "I/Os per second"},
        {"bw_mib", "MiB/s", Better::Higher, kMetricCentral, "bandwidth, 1024-based"},
        {"bw_mb", "MB/s", Better::Higher, kMetricDetail, "bandwidth, 1000-based (the same figure as bw_mib)"},
        {"bytes", "bytes", Better::None, kMetricDetail, "bytes moved in the measured part"},
        {"ios", "I/Os", Better::None, kMetricDetail, "I/Os in the measured part"},
        {"lat_mean", "us", Better::Lower, kMetricCentral, "mean latency, submission to completion"},
        {"lat_stddev", "us", Better::Lower, kMetricDetail, "standard deviation of the latency"},
        {"lat_min", "us", Better::Lower, kMetricDetail, "lowest latency"},
        {"lat_max", "us", Better::Lower, kMetricDetail, "highest latency"},
        {"lat_p50", "us", Better::Lower, kMetricCentral, "median latency"},
        {"lat_p90", "us", Better::Lower, kMetricDetail, "90th percentile of the latency"},
        {"lat_p99", "us", Better::Lower, kMetricHeadline, "99th percentile of the latency"},
        {"lat_p99_9", "us", Better::Lower, kMetricDetail, "99.9th percentile of the latency"},
    };
    MetricTable table;
    for (const char* direction : {"read", "write"}) {
        for (const Figure& figure : kDirectionFigures) {
            table.push_back({std::string(direction) + "_" + figure.name, figure.unit, figure.better, figure.roles,
                             std::string(direction) + "s: " + figure.help});
        }
    }
    table.push_back({"runtime_s", "s", Better::None, kMetricDetail, "measured time of the longest job"});
    table.push_back({"cpu_usr_s", "s", Better::Lower, kMetricDetail, "user CPU time of all jobs"});
    table.push_back({"cpu_sys_s", "s", Better::Lower, kMetricDetail, "system CPU time of all jobs"});
    table.push_back({"cpu_per_io_us", "us", Better::Lower, kMetricDetail, "CPU time (user + system) per I/O"});
    return table;
}

Job parse_job(const ParamValues& params) {
    Job job;
    job.pattern = from_name<Pattern>(params.text("pattern"), kPatternNames);
    job.rwmixread = static_cast<int>(params.integer("rwmixread"));
    job.block_size = static_cast<std::uint64_t>(params.integer("block_size"));
    job.file_size = static_cast<std::uint64_t>(params.integer("file_size"));
    job.jobs = static_cast<int>(params.integer("jobs"));
    job.iodepth = static_cast<int>(params.integer("iodepth"));
    job.engine = from_name<Engine>(params.text("engine"), kEngineNames);
    job.direct = params.boolean("direct");
    job.fsync_every = static_cast<int>(params.integer("fsync"));
    job.fdatasync_every = static_cast<int>(params.integer("fdatasync"));
    if (params.has("runtime")) job.runtime_seconds = params.real("runtime");
    job.ramp_seconds = params.real("ramp_time");
    job.seed = static_cast<std::uint64_t>(params.integer("seed"));
    if (params.has("directory")) job.directory = params.text("directory");
    if (params.has("device")) job.device = params.text("device");
    job.verify = params.boolean("verify");
    job.layout = params.boolean("layout");
    job.norandommap = params.boolean("norandommap");
    return job;
}

std::vector<std::string> job_errors(const ParamValues& params) {
    std::vector<std::string> errors;
    const Job job = parse_job(params);
    if (job.file_size < job.block_size) {
        errors.push_back("file_size (" + std::to_string(job.file_size) + " bytes) is smaller than block_size (" +
                         std::to_string(job.block_size) + " bytes): a job needs room for at least one block");
    }
    if (job.engine == Engine::Psync && job.iodepth > 1) {
        errors.push_back("engine psync is synchronous, so iodepth " + std::to_string(job.iodepth) +
                         " cannot be reached: use engine libaio or io_uring, or iodepth 1");
    }
    if (job.engine == Engine::Libaio && !job.direct) {
        errors.push_back("engine libaio is only asynchronous with direct I/O: with direct: false every I/O "
                         "completes inside io_submit; use direct: true, or engine io_uring or psync");
    }
    if (!job.directory.empty() && !job.device.empty()) {
        errors.push_back("directory and device both name the target: give only one of them");
    }
    if (job.ramp_seconds > 0 && !job.time_based()) {
        errors.push_back("ramp_time needs a time-based job: set runtime as well");
    }
    if (job.verify && job.pattern != Pattern::Write && job.pattern != Pattern::Read) {
        errors.push_back("verify checks sequential jobs only: use pattern write (then read), not " +
                         std::string(pattern_name(job.pattern)));
    }
    if (job.direct && job.block_size % 512 != 0) {
        errors.push_back("block_size " + std::to_string(job.block_size) +
                         " is not a multiple of 512 bytes: no device does direct I/O (O_DIRECT) in such units; "
                         "use a multiple of 512 (4KiB is usual), or direct: false");
    }
    if (!job.layout && job.device.empty()) {
        errors.push_back("layout: false applies to a device only: job files are always laid out (each run makes "
                         "its own); remove layout:, or give device:");
    }
    if (job.fsync_every > 0 && job.fdatasync_every > 0) {
        errors.push_back("fsync and fdatasync are both set: give only one of them");
    }
    if ((job.fsync_every > 0 || job.fdatasync_every > 0) && !job.writes()) {
        errors.push_back("fsync/fdatasync apply to writes, and pattern " + std::string(pattern_name(job.pattern)) +
                         " writes nothing");
    }
    return errors;
}

void append_direction_metrics(const std::string& direction, const DirectionFigures& f, std::vector<Metric>& metrics) {
    const double seconds = f.seconds > 0 ? f.seconds : std::numeric_limits<double>::quiet_NaN();
    auto add = [&](const std::string& figure, double value, const char* unit, Better better) {
        metrics.push_back({direction + "_" + figure, value, unit, better});
    };
    add("iops", static_cast<double>(f.ios) / seconds, "IOPS", Better::Higher);
    add("bw_mib", static_cast<double>(f.bytes) / seconds / (1024.0 * 1024.0), "MiB/s", Better::Higher);
    add("bw_mb", static_cast<double>(f.bytes) / seconds / 1e6, "MB/s", Better::Higher);
    add("bytes", static_cast<double>(f.bytes), "bytes", Better::None);
    add("ios", static_cast<double>(f.ios), "I/Os", Better::None);
    add("lat_mean", f.lat_mean_us, "us", Better::Lower);
    add("lat_stddev", f.lat_stddev_us, "us", Better::Lower);
    add("lat_min", f.lat_min_us, "us", Better::Lower);
    add("lat_max", f.lat_max_us, "us", Better::Lower);
    add("lat_p50", f.lat_p50_us, "us", Better::Lower);
    add("lat_p90", f.lat_p90_us, "us", Better::Lower);
    add("lat_p99", f.lat_p99_us, "us", Better::Lower);
    add("lat_p99_9", f.lat_p999_us, "us", Better::Lower);
}

void append_job_metrics(double runtime_seconds, double cpu_user_seconds, double cpu_system_seconds,
                        std::uint64_t total_ios, std::vector<Metric>& metrics) {
    metrics.push_back({"runtime_s", runtime_seconds, "s", Better::None});
    metrics.push_back({"cpu_usr_s", cpu_user_seconds, "s", Better::Lower});
    metrics.push_back({"cpu_sys_s", cpu_system_seconds, "s", Better::Lower});
    const double per_io = total_ios == 0 ? std::numeric_limits<double>::quiet_NaN()
                                         : (cpu_user_seconds + cpu_system_seconds) / static_cast<double>(total_ios) * 1e6;
    metrics.push_back({"cpu_per_io_us", per_io, "us", Better::Lower});
}

std::string page_cache_warning(const Job& job, std::uint64_t usable_memory_bytes) {
    if (job.direct || !job.device.empty()) return "";
    const std::uint64_t data = job.file_size * static_cast<std::uint64_t>(job.jobs);
    if (usable_memory_bytes == 0 || data >= 2 * usable_memory_bytes) return "";
    return "page-cache: direct I/O is off and the data (" + std::to_string(data) + " bytes) is smaller than twice the memory the "
           "runner sees (" + std::to_string(usable_memory_bytes) + " bytes): the page cache may serve much of it, so "
           "these figures may measure memory rather than the storage";
}

void record_layout(const Job& job, double layout_seconds, WorkloadResult& result) {
    if (job.lays_out()) {
        result.info["layout"] = "laid out";
        result.info["layout_seconds"] = std::to_string(layout_seconds);
    } else if (job.reads()) {
        result.info["layout"] = "not laid out (layout: false)";
        result.warnings.push_back("layout: reads measured on " + job.device +
                                  " without laying it out first (layout: false): blocks never written (a fresh or "
                                  "sparse disk image) are returned without storage I/O, which inflates read rates");
    } else {
        result.info["layout"] = "not needed (the job only writes)";
    }
}

}  // namespace platbench::io_job
