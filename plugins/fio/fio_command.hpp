// The two pure halves of the fio workload: the io_job as fio's command line, and
// fio's JSON report as io_job's figures. No I/O, no processes: unit-tested with
// canned fio output (tests/data/fio/).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "io_job.hpp"

namespace platbench::fio {

// Where fio does its I/O: one file per job in `directory`, or a region of `device`.
struct FioTarget {
    std::string directory;  // used when device is empty
    std::string device;
};

// fio's options after the program name, one argument each, no shell quoting needed.
std::vector<std::string> fio_arguments(const io_job::Job& job, const FioTarget& target);

// fio's options for laying out a device's job regions before a job that reads
// them (fio itself lays out files, not devices): one sequential write of each
// region in large blocks. Empty when the job needs no layout.
std::vector<std::string> fio_layout_arguments(const io_job::Job& job, const FioTarget& target);

// What fio measured, in io_job's terms.
struct FioFigures {
    std::optional<io_job::DirectionFigures> read;   // set when the pattern reads and fio did reads
    std::optional<io_job::DirectionFigures> write;  // set when the pattern writes and fio did writes
    double runtime_seconds = 0;                     // measured part (ramp excluded): the longer direction
    double cpu_user_seconds = 0;                    // all jobs together
    double cpu_system_seconds = 0;
    std::uint64_t total_ios = 0;
    std::vector<std::string> warnings;              // a direction the pattern has but that did no I/O
    std::string version;                            // "fio-3.33", when fio says
};

// Parses the stdout of `fio --output-format=json`. fio may print notes before
// the JSON object ("note: both iodepth >= 1 and synchronous I/O engine ...") and
// after it; they are skipped. Throws WorkloadError naming the missing or
// malformed field, or the error fio reported for the job.
FioFigures parse_fio_json(std::string_view stdout_text, const io_job::Job& job);

}  // namespace platbench::fio
