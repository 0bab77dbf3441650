#include "store/output_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

namespace platbench {
namespace fs = std::filesystem;

namespace {

// The pid the holder wrote into the file, for the message; "" when unreadable.
std::string holder_pid(int fd) {
    char text[32] = {};
    const ssize_t got = ::pread(fd, text, sizeof text - 1, 0);
    if (got <= 0) return {};
    std::string pid(text, static_cast<std::size_t>(got));
    while (!pid.empty() && (pid.back() == '\n' || pid.back() == ' ')) pid.pop_back();
    return pid.find_first_not_of("0123456789") == std::string::npos ? pid : std::string();
}

}  // namespace

OutputLock::OutputLock(const fs::path& dir) {
    fs::create_directories(dir);
    const fs::path file = dir / kFileName;
    fd_ = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0) throw std::runtime_error("cannot open " + file.string() + ": " + std::strerror(errno));
    if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
        const int error = errno;
        const std::string pid = holder_pid(fd_);
        ::close(fd_);
        fd_ = -1;
        if (error == EWOULDBLOCK)
            throw std::runtime_error(dir.string() + " is in use by another platbench run" +
                                     (pid.empty() ? std::string() : " (pid " + pid + ")") +
                                     "; wait for it to finish, or give this one another --output");
        throw std::runtime_error("cannot lock " + file.string() + ": " + std::strerror(error));
    }
    const std::string pid = std::to_string(::getpid()) + "\n";
    if (::ftruncate(fd_, 0) != 0 || ::pwrite(fd_, pid.data(), pid.size(), 0) < 0) {
        // The lock holds without the pid; only the message of a second run is poorer.
    }
}

OutputLock::~OutputLock() {
    if (fd_ >= 0) ::close(fd_);  // releases the flock
}

}  // namespace platbench
