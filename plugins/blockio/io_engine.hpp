// The three ways a job hands its I/Os to the kernel, behind one small interface.
//
// A job queues an I/O and submits it at once (fio's default, iodepth_batch=1:
// the device starts on it while the next is prepared), and when every slot is
// in flight waits for at least one completion, reaping all that are ready in
// one batch. Engines never allocate per I/O: the job owns the units and buffers.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "io_job.hpp"

namespace platbench::blockio {

struct IoUnit {
    void* buffer = nullptr;
    std::uint64_t offset = 0;
    std::uint32_t length = 0;
    bool write = false;
    std::uint64_t start_ns = 0;  // when it was queued: latency is measured from here
};

struct Completion {
    IoUnit* unit = nullptr;
    long result = 0;  // bytes moved, or -errno
};

class IoEngine {
public:
    virtual ~IoEngine() = default;
    // Adds one I/O to the next submission.
    virtual void queue(IoUnit& unit) = 0;
    // Hands what is queued to the kernel without waiting for anything.
    virtual void submit() = 0;
    // Submits what is queued and waits until at least `min` I/Os have completed
    // (0: do not wait); stores up to `max` completions in `done` and returns how
    // many. Returns 0 when interrupted by a signal, so the caller can look at its
    // stop flag. Throws WorkloadError on a failure of the engine itself.
    virtual int submit_and_reap(int min, Completion* done, int max) = 0;
};

// Opens an engine for `depth` I/Os in flight on `fd`. Throws WorkloadError.
std::unique_ptr<IoEngine> make_psync_engine(int fd);
std::unique_ptr<IoEngine> make_libaio_engine(int fd, int depth);
std::unique_ptr<IoEngine> make_io_uring_engine(int fd, int depth);
std::unique_ptr<IoEngine> make_engine(io_job::Engine engine, int fd, int depth);

// Sets up and tears down the engine's kernel context once, before any I/O:
// 0 when it works, else the errno the kernel gave.
int probe_engine(io_job::Engine engine, int depth);

}  // namespace platbench::blockio
