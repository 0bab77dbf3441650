#include "job_worker.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <fstream>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "target_checks.hpp"

namespace platbench::blockio {
namespace {

constexpr std::uint64_t kOffsetsPurpose = 0x0ff5e7;
constexpr std::uint64_t kDirectionPurpose = 0xd12ec7;
constexpr std::uint64_t kBufferPurpose = 0xb0ff;
constexpr std::size_t kBufferAlignment = 4096;
constexpr std::size_t kHugePage = 2u << 20;
constexpr std::uint64_t kLayoutChunk = 1 << 20;
// Completions taken per wait when every slot is in flight. One, as fio does by
// default: each freed slot is refilled at once. Taking all that are ready and
// then refilling them one by one left slots idle while the others were
// submitted (on a virtio disk, 28 of 32 slots busy on average and about 10%
// fewer IOPS than fio).
constexpr int kReapBatch = 1;

std::uint64_t now_ns() {
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<std::uint64_t>(ts.tv_sec) * 1'000'000'000u + static_cast<std::uint64_t>(ts.tv_nsec);
}

void thread_cpu(double& user, double& system) {
    rusage usage{};
    getrusage(RUSAGE_THREAD, &usage);
    user = static_cast<double>(usage.ru_utime.tv_sec) + static_cast<double>(usage.ru_utime.tv_usec) * 1e-6;
    system = static_cast<double>(usage.ru_stime.tv_sec) + static_cast<double>(usage.ru_stime.tv_usec) * 1e-6;
}

// I/O buffers of 2 MiB or more sit on huge pages where the kernel allows them
// (transparent_hugepage "madvise" or "always"): a direct I/O pins its buffer's
// pages for every request, and a 1 MiB block on 4 KiB pages is 256 pages to pin
// and 256 segments to map, which cost about as much system time as the I/O
// itself on a fast device. Without huge pages, the buffers work as before.
void* aligned_buffer(std::size_t bytes, bool huge_pages) {
    const bool huge = huge_pages && bytes >= kHugePage;
    const std::size_t alignment = huge ? kHugePage : kBufferAlignment;
    const std::size_t rounded = huge ? (bytes + kHugePage - 1) / kHugePage * kHugePage : bytes;
    void* memory = nullptr;
    if (posix_memalign(&memory, alignment, rounded) != 0) {
        throw WorkloadError("cannot allocate " + std::to_string(bytes) + " bytes of I/O buffers");
    }
    if (huge) ::madvise(memory, rounded, MADV_HUGEPAGE);  // advice: refused, the buffer still works
    return memory;
}

// How much of the mapping that holds `address` is on transparent huge pages,
// from /proc/self/smaps; 0 where that cannot be read.
std::uint64_t huge_page_bytes(const void* address) {
    std::ifstream smaps("/proc/self/smaps");
    const auto wanted = reinterpret_cast<std::uintptr_t>(address);
    bool inside = false;
    for (std::string line; std::getline(smaps, line);) {
        std::uintptr_t from = 0, to = 0;
        if (std::sscanf(line.c_str(), "%" SCNxPTR "-%" SCNxPTR " ", &from, &to) == 2) {
            inside = from <= wanted && wanted < to;
            continue;
        }
        unsigned long long kib = 0;
        if (inside && std::sscanf(line.c_str(), "AnonHugePages: %llu kB", &kib) == 1) return kib * 1024;
    }
    return 0;
}

std::string offset_text(std::uint64_t offset) { return "offset " + std::to_string(offset); }

}  // namespace

// One stretch of I/O with the same rules: the measured job, or the read-back of verify.
struct JobWorker::Phase {
    io_job::Pattern pattern;
    bool time_based = false;
    std::uint64_t ramp_ns = 0;
    std::uint64_t run_ns = 0;
    std::uint64_t total_ios = 0;   // size-based: I/Os to issue
    bool data_by_offset = false;   // writes carry the block's expected data (verify)
    bool check_reads = false;      // reads are compared with the expected data (verify)
};

JobWorker::JobWorker(const io_job::Job& job, int index, JobTarget target, StopFlags stop, bool huge_page_buffers)
    : job_(job), index_(index), target_(std::move(target)), stop_(stop),
      directions_(derive_seed(job.seed, kDirectionPurpose, static_cast<std::uint64_t>(index))),
      random_blocks_(target_.blocks, derive_seed(job.seed, kOffsetsPurpose, static_cast<std::uint64_t>(index)),
                     job.norandommap) {
    const std::size_t depth = static_cast<std::size_t>(job.iodepth);
    buffers_ = aligned_buffer(depth * job.block_size, huge_page_buffers);
    units_.resize(depth);
    completions_.resize(depth);
    for (std::size_t i = 0; i < depth; ++i) {
        units_[i].buffer = static_cast<char*>(buffers_) + i * job.block_size;
        units_[i].length = static_cast<std::uint32_t>(job.block_size);
        // Random data once per buffer, scrambled for each write (scramble_block).
        fill_block(units_[i].buffer, job.block_size, derive_seed(job.seed, kBufferPurpose, index), i);
    }
    // Only where huge pages were asked for: reading smaps costs system calls of its own.
    if (huge_page_buffers && depth * job.block_size >= kHugePage) buffer_huge_bytes_ = huge_page_bytes(buffers_);
    engine_ = make_engine(job.engine, target_.fd, job.iodepth);
    // Each run's writes are stamped from a point of its own, so a run repeated
    // with the same seed does not write the same bytes again either.
    writes_issued_ = now_ns();
}

JobWorker::~JobWorker() {
    // A failed check or I/O error ends a phase with I/Os still in flight, and the
    // kernel may still be reading into the buffers (closing an io_uring does not wait
    // for its requests): wait for them before the buffers are freed.
    reap_in_flight_quietly();
    engine_.reset();
    std::free(buffers_);
}

void JobWorker::reap_in_flight_quietly() noexcept {
    while (in_flight_ > 0) {
        try {
            in_flight_ -= engine_->submit_and_reap(in_flight_, completions_.data(), in_flight_);
        } catch (...) {
            return;  // the engine itself is broken: nothing more can be waited for
        }
    }
}

bool JobWorker::lay_out() {
    if (target_.lay_out) {
        if (stop_.any()) return false;
        write_region();
        if (stop_.any()) return false;
        // The layout must be on the storage before measuring, not in writeback during it.
        if (::fsync(target_.fd) != 0) {
            throw WorkloadError("fsync after laying out " + target_.name + " failed: " + std::strerror(errno));
        }
    }
    if (!job_.direct) drop_cached_pages();
    return !stop_.any();
}

void JobWorker::write_region() {
    const std::uint64_t bs = job_.block_size;
    const std::uint64_t total = target_.blocks * bs;
    const std::uint64_t chunk = std::min(total, std::max(bs, kLayoutChunk / bs * bs));
    void* buffer = aligned_buffer(chunk, false);
    struct Free {
        void* p;
        ~Free() { std::free(p); }
    } guard{buffer};
    for (std::uint64_t done = 0; done < total;) {
        if (stop_.any()) return;
        const std::uint64_t n = std::min(chunk, total - done);
        for (std::uint64_t b = 0; b < n; b += bs) {
            fill_block(static_cast<char*>(buffer) + b, bs, job_.seed, target_.base + done + b);
        }
        const ssize_t written = ::pwrite(target_.fd, buffer, n, static_cast<off_t>(target_.base + done));
        if (written < 0 && errno == EINTR) continue;
        // Some filesystems (FUSE, network) accept O_DIRECT at open and refuse it at the first write.
        if (written < 0 && errno == EINVAL && job_.direct && target_.file) {
            throw WorkloadError(direct_unsupported_error(std::filesystem::path(target_.name).parent_path(), EINVAL));
        }
        if (written <= 0) {
            throw WorkloadError("laying out " + target_.name + " failed at " + offset_text(done) + ": " +
                                (written < 0 ? std::strerror(errno) : "nothing written"));
        }
        done += static_cast<std::uint64_t>(written) / bs * bs;
    }
}

// Buffered I/O starts from the storage, not from the pages the layout (or an
// earlier run) left in the page cache: fio's invalidate=1. Clean pages only, so
// after the layout's fsync; a device that was not laid out is synced here.
void JobWorker::drop_cached_pages() const {
    const off_t length = static_cast<off_t>(target_.blocks * job_.block_size);
    if (!target_.lay_out) ::fdatasync(target_.fd);
    const int error = ::posix_fadvise(target_.fd, static_cast<off_t>(target_.base), length, POSIX_FADV_DONTNEED);
    if (error != 0) {
        throw WorkloadError("cannot drop the cached pages of " + target_.name + " before measuring: " +
                            std::strerror(error));
    }
}

bool JobWorker::run(JobFigures& figures) {
    figures.buffer_bytes = static_cast<std::uint64_t>(job_.iodepth) * job_.block_size;
    figures.buffer_huge_bytes = std::min(buffer_huge_bytes_, figures.buffer_bytes);
    Phase measured{job_.pattern};
    measured.time_based = job_.time_based();
    measured.ramp_ns = static_cast<std::uint64_t>(job_.ramp_seconds * 1e9);
    measured.run_ns = static_cast<std::uint64_t>(job_.runtime_seconds * 1e9);
    measured.total_ios = target_.blocks;
    measured.data_by_offset = job_.verify;
    measured.check_reads = job_.verify && job_.pattern == io_job::Pattern::Read;
    if (!run_phase(measured, &figures)) return false;
    if (!job_.verify || job_.pattern != io_job::Pattern::Write) return true;
    // Read back the whole region: blocks the writes did not reach still hold the
    // layout's data, which is the same expected data.
    Phase read_back{io_job::Pattern::Read};
    read_back.total_ios = target_.blocks;
    read_back.check_reads = true;
    return run_phase(read_back, nullptr);
}

void JobWorker::next_io(IoUnit& unit, const Phase& phase) {
    const std::uint64_t bs = job_.block_size;
    switch (phase.pattern) {
        case io_job::Pattern::Read: unit.write = false; break;
        case io_job::Pattern::Write: unit.write = true; break;
        case io_job::Pattern::RandRead: unit.write = false; break;
        case io_job::Pattern::RandWrite: unit.write = true; break;
        case io_job::Pattern::RandRw:
            unit.write = directions_.below(100) >= static_cast<std::uint64_t>(job_.rwmixread);
            break;
    }
    std::uint64_t block;
    if (phase.pattern == io_job::Pattern::Read || phase.pattern == io_job::Pattern::Write) {
        block = next_sequential_;
        if (++next_sequential_ == target_.blocks) next_sequential_ = 0;  // wraps in time-based jobs
    } else {
        block = random_blocks_.next();
    }
    unit.offset = target_.base + block * bs;
    if (!unit.write) return;
    if (phase.data_by_offset) {
        fill_block(unit.buffer, bs, job_.seed, unit.offset);
    } else {
        scramble_block(unit.buffer, bs, unit.offset, ++writes_issued_);
    }
}

bool JobWorker::run_phase(const Phase& phase, JobFigures* figures) {
    next_sequential_ = 0;
    free_units_.clear();
    for (IoUnit& unit : units_) free_units_.push_back(&unit);
    const int sync_every = std::max(job_.fsync_every, job_.fdatasync_every);
    const std::uint64_t begin = now_ns();
    const std::uint64_t measure_start = begin + phase.ramp_ns;
    const std::uint64_t end = measure_start + phase.run_ns;
    double user0 = 0, system0 = 0;
    bool measuring = false;
    if (figures && phase.ramp_ns == 0) {
        thread_cpu(user0, system0);
        measuring = true;
    }
    std::uint64_t now = begin, issued = 0;
    int writes_since_sync = 0;
    bool stopped = false;
    for (;;) {
        stopped = stopped || stop_.any();
        bool sync_due = false;
        // Fill every free slot, each I/O handed to the kernel as soon as it is
        // ready (as fio does with its default iodepth_batch of 1), so the device
        // starts on it while the next is prepared.
        bool first = true;
        while (!stopped && !free_units_.empty() && (phase.time_based ? now < end : issued < phase.total_ios)) {
            IoUnit& unit = *free_units_.back();
            free_units_.pop_back();
            next_io(unit, phase);
            // The first I/O after a reap starts at the reap's time; later ones
            // wait for the submissions before them, so each reads the clock.
            unit.start_ns = first ? now : now_ns();
            first = false;
            engine_->queue(unit);
            engine_->submit();
            ++in_flight_;
            ++issued;
            if (unit.write && sync_every > 0 && ++writes_since_sync >= sync_every) {
                writes_since_sync = 0;
                sync_due = true;
                break;
            }
        }
        if (in_flight_ == 0) break;
        const int got = engine_->submit_and_reap(1, completions_.data(), kReapBatch);
        now = now_ns();
        complete(completions_.data(), got, now, phase, measure_start, figures);
        if (sync_due) {
            // fsync covers the writes that have completed: wait for all of them first.
            if (!drain(phase, measure_start, figures)) stopped = true;
            sync_file();
            now = now_ns();
        }
        if (figures && !measuring && now >= measure_start) {
            thread_cpu(user0, system0);
            measuring = true;
        }
    }
    if (figures && measuring) {
        double user1 = 0, system1 = 0;
        thread_cpu(user1, system1);
        figures->cpu_user_seconds = user1 - user0;
        figures->cpu_system_seconds = system1 - system0;
        figures->seconds = static_cast<double>(now - measure_start) * 1e-9;
    }
    return !stopped;
}

bool JobWorker::drain(const Phase& phase, std::uint64_t measure_start, JobFigures* figures) {
    while (in_flight_ > 0) {
        const int got = engine_->submit_and_reap(in_flight_, completions_.data(), in_flight_);
        complete(completions_.data(), got, now_ns(), phase, measure_start, figures);
    }
    return !stop_.any();
}

void JobWorker::complete(const Completion* done, int count, std::uint64_t now, const Phase& phase,
                         std::uint64_t measure_start, JobFigures* figures) {
    for (int i = 0; i < count; ++i) {
        IoUnit& unit = *done[i].unit;
        --in_flight_;  // reaped, whatever the checks below find
        if (done[i].result != static_cast<long>(unit.length)) fail_io(unit, done[i].result);
        if (phase.check_reads && !unit.write) check_block(unit);
        // I/Os issued during the ramp are not counted, even when they end after it.
        if (figures && unit.start_ns < measure_start) ++figures->ramp_ios;
        if (figures && unit.start_ns >= measure_start) {
            const int direction = unit.write ? 1 : 0;
            figures->latency[direction].add(now - unit.start_ns);
            ++figures->ios[direction];
            figures->bytes[direction] += unit.length;
        }
        free_units_.push_back(&unit);
    }
}

void JobWorker::sync_file() {
    const bool data_only = job_.fdatasync_every > 0;
    const int result = data_only ? ::fdatasync(target_.fd) : ::fsync(target_.fd);
    if (result != 0) {
        throw WorkloadError(std::string(data_only ? "fdatasync" : "fsync") + " of " + target_.name +
                            " failed: " + std::strerror(errno));
    }
}

void JobWorker::fail_io(const IoUnit& unit, long result) const {
    const std::string what = std::string(unit.write ? "write" : "read") + " of " + std::to_string(unit.length) +
                             " bytes at " + offset_text(unit.offset) + " of " + target_.name;
    if (result < 0) throw WorkloadError(what + " failed: " + std::strerror(static_cast<int>(-result)));
    throw WorkloadError(what + " moved only " + std::to_string(result) + " bytes");
}

void JobWorker::check_block(const IoUnit& unit) const {
    const auto mismatch = first_mismatch(unit.buffer, unit.length, job_.seed, unit.offset);
    if (!mismatch) return;
    throw WorkloadError("verify failed: the block at " + offset_text(unit.offset) + " of " + target_.name +
                        " differs from the data written, first at byte " + std::to_string(*mismatch) +
                        " of the block (" + offset_text(unit.offset + *mismatch) + ")");
}

}  // namespace platbench::blockio
