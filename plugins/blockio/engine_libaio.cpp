// libaio: Linux native AIO through io_submit/io_getevents, as fio's libaio engine.
#include <libaio.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "io_engine.hpp"
#include "target_checks.hpp"

namespace platbench::blockio {
namespace {

class LibaioEngine : public IoEngine {
public:
    LibaioEngine(int fd, int depth) : fd_(fd), iocbs_(depth), pending_(depth), events_(depth) {
        const int error = io_setup(depth, &context_);
        // The probe set up one context; all jobs together may still pass fs.aio-max-nr.
        if (error < 0) throw WorkloadError(engine_unavailable_error(io_job::Engine::Libaio, -error, std::nullopt));
        free_.reserve(depth);
        for (auto& iocb : iocbs_) free_.push_back(&iocb);
    }
    ~LibaioEngine() override { io_destroy(context_); }

    void queue(IoUnit& unit) override {
        iocb* cb = free_.back();
        free_.pop_back();
        if (unit.write) {
            io_prep_pwrite(cb, fd_, unit.buffer, unit.length, static_cast<long long>(unit.offset));
        } else {
            io_prep_pread(cb, fd_, unit.buffer, unit.length, static_cast<long long>(unit.offset));
        }
        cb->data = &unit;
        pending_[npending_++] = cb;
    }

    void submit() override { submit_pending(); }

    int submit_and_reap(int min, Completion* done, int max) override {
        submit_pending();
        if (max > static_cast<int>(events_.size())) max = static_cast<int>(events_.size());
        const int got = io_getevents(context_, min, max, events_.data(), nullptr);
        if (got == -EINTR) return 0;
        if (got < 0) throw WorkloadError(std::string("engine libaio: io_getevents failed: ") + std::strerror(-got));
        for (int i = 0; i < got; ++i) {
            const io_event& event = events_[i];
            free_.push_back(event.obj);
            // res is unsigned long in the ABI: a negative errno arrives as its two's complement.
            done[i] = {static_cast<IoUnit*>(event.data), static_cast<long>(event.res)};
        }
        return got;
    }

private:
    void submit_pending() {
        int submitted = 0;
        while (submitted < npending_) {
            const int n = io_submit(context_, npending_ - submitted, pending_.data() + submitted);
            if (n == -EINTR || n == -EAGAIN) continue;
            if (n < 0) throw WorkloadError(std::string("engine libaio: io_submit failed: ") + std::strerror(-n));
            submitted += n;
        }
        npending_ = 0;
    }

    int fd_;
    io_context_t context_ = nullptr;
    std::vector<iocb> iocbs_;
    std::vector<iocb*> free_;
    std::vector<iocb*> pending_;
    int npending_ = 0;
    std::vector<io_event> events_;
};

}  // namespace

std::unique_ptr<IoEngine> make_libaio_engine(int fd, int depth) { return std::make_unique<LibaioEngine>(fd, depth); }

int probe_libaio(int depth) {
    io_context_t context = nullptr;
    const int error = io_setup(depth, &context);
    if (error < 0) return -error;
    io_destroy(context);
    return 0;
}

}  // namespace platbench::blockio
