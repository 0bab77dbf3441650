// io_uring through liburing: submission and the wait for completions in one
// system call (io_uring_submit_and_wait), completions reaped in batches.
#include <liburing.h>

#include <cerrno>
#include <cstring>

#include "io_engine.hpp"
#include "target_checks.hpp"

namespace platbench::blockio {
namespace {

// One thread submits and reaps, so the kernel need not interrupt it to run
// completion work (COOP_TASKRUN) and may skip cross-thread locking
// (SINGLE_ISSUER), as fio's io_uring engine sets up its ring. Kernels before
// 6.0 refuse these flags: then a plain ring.
int init_ring(unsigned depth, io_uring& ring) {
    const int error = io_uring_queue_init(depth, &ring, IORING_SETUP_COOP_TASKRUN | IORING_SETUP_SINGLE_ISSUER);
    if (error != -EINVAL) return error;
    return io_uring_queue_init(depth, &ring, 0);
}

class IoUringEngine : public IoEngine {
public:
    IoUringEngine(int fd, int depth) : fd_(fd) {
        const int error = init_ring(static_cast<unsigned>(depth), ring_);
        if (error < 0) {
            throw WorkloadError(engine_unavailable_error(io_job::Engine::IoUring, -error, read_io_uring_disabled()));
        }
    }
    ~IoUringEngine() override { io_uring_queue_exit(&ring_); }

    void queue(IoUnit& unit) override {
        // Never null: the job keeps at most `depth` I/Os queued or in flight.
        io_uring_sqe* sqe = io_uring_get_sqe(&ring_);
        if (unit.write) {
            io_uring_prep_write(sqe, fd_, unit.buffer, unit.length, unit.offset);
        } else {
            io_uring_prep_read(sqe, fd_, unit.buffer, unit.length, unit.offset);
        }
        io_uring_sqe_set_data(sqe, &unit);
    }

    void submit() override {
        int error;
        do {
            error = io_uring_submit(&ring_);
        } while (error == -EINTR);
        if (error < 0 && error != -EAGAIN && error != -EBUSY) {
            throw WorkloadError(std::string("engine io_uring: submission failed: ") + std::strerror(-error));
        }
    }

    int submit_and_reap(int min, Completion* done, int max) override {
        // Completions already in the ring cost no system call.
        if (io_uring_sq_ready(&ring_) > 0 || io_uring_cq_ready(&ring_) < static_cast<unsigned>(min)) {
            const int error = io_uring_submit_and_wait(&ring_, static_cast<unsigned>(min));
            if (error == -EINTR) return 0;
            if (error < 0 && error != -EAGAIN && error != -EBUSY) {
                throw WorkloadError(std::string("engine io_uring: submission failed: ") + std::strerror(-error));
            }
        }
        io_uring_cqe* cqes[64];
        int got = 0;
        while (got < max) {
            const int want = max - got < 64 ? max - got : 64;
            const unsigned n = io_uring_peek_batch_cqe(&ring_, cqes, static_cast<unsigned>(want));
            if (n == 0) break;
            for (unsigned i = 0; i < n; ++i) {
                done[got++] = {static_cast<IoUnit*>(io_uring_cqe_get_data(cqes[i])), cqes[i]->res};
            }
            io_uring_cq_advance(&ring_, n);
        }
        return got;
    }

private:
    int fd_;
    io_uring ring_{};
};

}  // namespace

std::unique_ptr<IoEngine> make_io_uring_engine(int fd, int depth) {
    return std::make_unique<IoUringEngine>(fd, depth);
}

int probe_io_uring(int depth) {
    io_uring ring{};
    const int error = init_ring(static_cast<unsigned>(depth), ring);
    if (error < 0) return -error;
    io_uring_queue_exit(&ring);
    return 0;
}

}  // namespace platbench::blockio
