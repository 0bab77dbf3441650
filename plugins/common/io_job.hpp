// The block I/O job, shared by the `blockio` and `fio` workloads: one parameter
// table, one parsed form, one set of metric names. A cell that names the same
// settings measures the same job whichever of the two runs it, so their figures
// can be compared row by row.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "platbench/params.hpp"
#include "platbench/workload.hpp"

namespace platbench::io_job {

enum class Pattern { Read, Write, RandRead, RandWrite, RandRw };
enum class Engine { Psync, Libaio, IoUring };

struct Job {
    Pattern pattern = Pattern::RandRead;
    int rwmixread = 50;                  // percent of reads, randrw only
    std::uint64_t block_size = 4096;     // bytes
    std::uint64_t file_size = 0;         // bytes per job (its own file, or its region of the device)
    int jobs = 1;                        // threads
    int iodepth = 1;                     // I/Os in flight per job
    Engine engine = Engine::Psync;
    bool direct = true;                  // O_DIRECT
    int fsync_every = 0;                 // fsync after every N writes; 0: never
    int fdatasync_every = 0;             // fdatasync after every N writes; 0: never
    double runtime_seconds = 0;          // > 0: time-based, looping over the file; 0: each job moves file_size once
    double ramp_seconds = 0;             // run but not counted, before the measured part
    std::uint64_t seed = 1;              // random offsets and the written data
    std::string directory;               // target directory ("" = the run's work directory)
    std::string device;                  // a block device instead of files ("" = files)
    bool verify = false;                 // check every block read against what was written
    bool layout = true;                  // device: write the region before reads measure it
    bool norandommap = false;            // random offsets drawn with replacement (fio's norandommap)

    bool reads() const { return pattern != Pattern::Write && pattern != Pattern::RandWrite; }
    bool writes() const { return pattern != Pattern::Read && pattern != Pattern::RandRead; }
    bool random() const { return pattern == Pattern::RandRead || pattern == Pattern::RandWrite || pattern == Pattern::RandRw; }
    bool time_based() const { return runtime_seconds > 0; }
    // Whether the region is written with known data before the measured I/O: always
    // for files (each run makes its own), for a device when reads would otherwise
    // measure whatever it holds (holes of a sparse image cost no storage I/O).
    bool lays_out() const { return device.empty() || (layout && reads()) || (verify && !writes()); }
};

// The one parameter table of both workloads.
ParamTable job_params();

// The one metric table of both workloads: rates and the mean and median latency
// of each direction are central; extremes, spreads and CPU accounting are not.
MetricTable job_metrics();

// Parsed from the effective values (defaults filled in by the engine).
Job parse_job(const ParamValues& params);

// Cross-parameter errors, for Workload::validate(): checks that need no I/O
// (block size vs file size, psync with iodepth > 1, rwmixread without randrw,
// directory and device both given, ...).
std::vector<std::string> job_errors(const ParamValues& params);

const char* pattern_name(Pattern pattern);  // "randread", as in the table
const char* engine_name(Engine engine);     // "io_uring", as in the table

// Figures of one direction, as both workloads report them.
struct DirectionFigures {
    std::uint64_t ios = 0;
    std::uint64_t bytes = 0;
    double seconds = 0;  // measured time of this direction (ramp excluded)
    // Latency from submission to completion, microseconds.
    double lat_mean_us = 0, lat_stddev_us = 0, lat_min_us = 0, lat_max_us = 0;
    double lat_p50_us = 0, lat_p90_us = 0, lat_p99_us = 0, lat_p999_us = 0;
};

// Metric names: "<read|write>_<figure>", e.g. read_iops, write_bw_mib, read_lat_p99_9;
// plus runtime_s, cpu_usr_s, cpu_sys_s and cpu_per_io_us for the whole job.
void append_direction_metrics(const std::string& direction, const DirectionFigures& figures,
                              std::vector<Metric>& metrics);
void append_job_metrics(double runtime_seconds, double cpu_user_seconds, double cpu_system_seconds,
                        std::uint64_t total_ios, std::vector<Metric>& metrics);

// The warning both workloads attach when the page cache may serve the I/O.
// Empty when direct I/O is on or the data is at least twice the memory the runner sees.
std::string page_cache_warning(const Job& job, std::uint64_t usable_memory_bytes);

// What was written before the measured I/O, in the run's info ("layout",
// "layout_seconds"), and the warning when reads measure a device region that was
// not laid out (layout: false), which the validity checks report.
void record_layout(const Job& job, double layout_seconds, WorkloadResult& result);

}  // namespace platbench::io_job
