// psync: one pread/pwrite at a time, the reference for synchronous I/O.
#include <unistd.h>

#include <cerrno>

#include "io_engine.hpp"

namespace platbench::blockio {
namespace {

class PsyncEngine : public IoEngine {
public:
    explicit PsyncEngine(int fd) : fd_(fd) {}

    void queue(IoUnit& unit) override { queued_ = &unit; }
    void submit() override {}  // the I/O runs, synchronously, in submit_and_reap()

    int submit_and_reap(int /*min*/, Completion* done, int max) override {
        if (queued_ == nullptr || max < 1) return 0;
        IoUnit& unit = *queued_;
        ssize_t moved;
        do {
            moved = unit.write ? ::pwrite(fd_, unit.buffer, unit.length, static_cast<off_t>(unit.offset))
                               : ::pread(fd_, unit.buffer, unit.length, static_cast<off_t>(unit.offset));
        } while (moved < 0 && errno == EINTR);  // the runner's stop signal: the I/O itself is still wanted
        queued_ = nullptr;
        done[0] = {&unit, moved < 0 ? -static_cast<long>(errno) : static_cast<long>(moved)};
        return 1;
    }

private:
    int fd_;
    IoUnit* queued_ = nullptr;
};

}  // namespace

std::unique_ptr<IoEngine> make_psync_engine(int fd) { return std::make_unique<PsyncEngine>(fd); }

}  // namespace platbench::blockio
