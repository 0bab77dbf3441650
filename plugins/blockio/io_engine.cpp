// The engine factory and the probe made before any I/O, one switch for all engines.
#include "io_engine.hpp"

namespace platbench::blockio {

int probe_libaio(int depth);    // engine_libaio.cpp
int probe_io_uring(int depth);  // engine_io_uring.cpp

std::unique_ptr<IoEngine> make_engine(io_job::Engine engine, int fd, int depth) {
    switch (engine) {
        case io_job::Engine::Libaio: return make_libaio_engine(fd, depth);
        case io_job::Engine::IoUring: return make_io_uring_engine(fd, depth);
        case io_job::Engine::Psync: break;
    }
    return make_psync_engine(fd);
}

int probe_engine(io_job::Engine engine, int depth) {
    switch (engine) {
        case io_job::Engine::Libaio: return probe_libaio(depth);
        case io_job::Engine::IoUring: return probe_io_uring(depth);
        case io_job::Engine::Psync: break;
    }
    return 0;
}

}  // namespace platbench::blockio
