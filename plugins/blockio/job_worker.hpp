// One job: a thread with its own file (or region of a device), engine, buffers
// and statistics. Nothing is shared with other jobs while I/O runs, so the hot
// loop takes no lock and allocates nothing.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "block_data.hpp"
#include "block_order.hpp"
#include "io_engine.hpp"
#include "io_job.hpp"
#include "latency_histogram.hpp"

namespace platbench::blockio {

using latency::LatencyHistogram;

// Where one job does its I/O.
struct JobTarget {
    int fd = -1;
    std::string name;          // for messages: the file or "device:region"
    std::uint64_t base = 0;    // first byte of the job's region
    std::uint64_t blocks = 0;  // whole blocks in the region
    bool lay_out = false;      // write every block before measuring
    bool file = false;         // a job file (its filesystem may refuse O_DIRECT late), not a device region
};

// What one job measured (the measured part only: no layout, ramp or verify pass).
struct JobFigures {
    LatencyHistogram latency[2];  // [0] reads, [1] writes
    std::uint64_t ios[2] = {0, 0};
    std::uint64_t bytes[2] = {0, 0};
    std::uint64_t ramp_ios = 0;   // issued during the ramp: done, not counted
    double seconds = 0;
    double cpu_user_seconds = 0;
    double cpu_system_seconds = 0;
    std::uint64_t buffer_bytes = 0;       // the I/O slots' buffers
    std::uint64_t buffer_huge_bytes = 0;  // of which on transparent huge pages
};

// Stops the job: the runner's flag (SIGTERM/SIGINT) or another job's failure.
struct StopFlags {
    const std::atomic<bool>* requested = nullptr;
    std::atomic<bool>* abort = nullptr;
    bool any() const {
        return requested->load(std::memory_order_relaxed) || abort->load(std::memory_order_relaxed);
    }
};

class JobWorker {
public:
    // huge_page_buffers: put buffers of 2 MiB or more on transparent huge pages.
    JobWorker(const io_job::Job& job, int index, JobTarget target, StopFlags stop, bool huge_page_buffers = true);
    ~JobWorker();  // waits for I/Os in flight, closes the engine, then frees the buffers
    JobWorker(const JobWorker&) = delete;
    JobWorker& operator=(const JobWorker&) = delete;

    // Writes every block of the region with its expected data when the target asks
    // for it, puts it on the storage, and with buffered I/O drops the region's cached
    // pages so that the measured I/O starts cold. Returns false when stopped.
    bool lay_out();
    // The measured I/O, then the verify pass if the job asks for one. Returns false when stopped.
    bool run(JobFigures& figures);

private:
    struct Phase;
    bool run_phase(const Phase& phase, JobFigures* figures);
    bool drain(const Phase& phase, std::uint64_t measure_start, JobFigures* figures);
    void reap_in_flight_quietly() noexcept;
    void complete(const Completion* done, int count, std::uint64_t now, const Phase& phase,
                  std::uint64_t measure_start, JobFigures* figures);
    void next_io(IoUnit& unit, const Phase& phase);
    void sync_file();
    void write_region();
    void drop_cached_pages() const;
    [[noreturn]] void fail_io(const IoUnit& unit, long result) const;
    void check_block(const IoUnit& unit) const;

    const io_job::Job job_;
    const int index_;
    JobTarget target_;
    StopFlags stop_;
    Random directions_;         // randrw: read or write
    RandomBlocks random_blocks_;
    std::uint64_t next_sequential_ = 0;
    std::uint64_t writes_issued_ = 0;  // scrambles each write's data (from the clock at the start)
    void* buffers_ = nullptr;  // iodepth blocks, 4 KiB aligned for O_DIRECT
    std::uint64_t buffer_huge_bytes_ = 0;  // of buffers_, on huge pages once filled
    std::vector<IoUnit> units_;
    std::vector<IoUnit*> free_units_;
    std::vector<Completion> completions_;
    int in_flight_ = 0;  // I/Os handed to the kernel and not reaped yet
    std::unique_ptr<IoEngine> engine_;
};

}  // namespace platbench::blockio
