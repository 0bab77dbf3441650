// A whole blockio run: the checks, the job files, the job threads and the
// figures, independent of the plugin interface so tests can drive it directly.
#pragma once

#include <atomic>
#include <filesystem>
#include <functional>
#include <string_view>

#include "io_job.hpp"
#include "platbench/workload.hpp"

namespace platbench::blockio {

struct RunOptions {
    std::filesystem::path work_dir;  // the directory when the job names none
    std::uint64_t usable_memory_bytes = 0;
    std::function<void(std::string_view)> log;
    bool huge_page_buffers = true;  // the `huge_pages` parameter
    // Tests only: called in each job's thread after its layout, to make a run
    // fail once its files exist.
    std::function<void(int job)> after_layout;
};

// Runs the job; throws WorkloadError (with the fix) before any I/O when the
// target cannot take it, and WorkloadError("interrupted") when `stop` is set.
// Job files are removed whatever happens.
WorkloadResult run_blockio(const io_job::Job& job, const RunOptions& options, const std::atomic<bool>& stop);

}  // namespace platbench::blockio
