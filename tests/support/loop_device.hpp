// A loop device over a sparse scratch file, detached at the end: a real block
// device for the `device:` targets of blockio and fio. Needs root and losetup;
// path() is empty when none could be attached, with why() saying why.
#pragma once

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "../unit/runner/child_capture.hpp"

namespace test {

class LoopDevice {
public:
    LoopDevice(const std::filesystem::path& backing, std::uint64_t bytes) : backing_(backing) {
        if (::geteuid() != 0) {
            why_ = "attaching a loop device needs root";
            skip_reason_ = "not-root";
            return;
        }
        if (!std::filesystem::exists("/usr/sbin/losetup")) {
            why_ = "losetup is not installed (Debian: mount)";
            return;
        }
        std::filesystem::resize_file((std::ofstream(backing), backing), bytes);
        const platbench::test::Captured attach =
            platbench::test::run_program({"/usr/sbin/losetup", "--find", "--show", "--direct-io=on", backing.string()});
        if (attach.exit_code != 0) {
            why_ = "losetup could not attach a loop device: " + attach.err;
            return;
        }
        path_ = attach.out.substr(0, attach.out.find('\n'));
    }
    ~LoopDevice() {
        if (!path_.empty()) platbench::test::run_program({"/usr/sbin/losetup", "--detach", path_});
    }
    LoopDevice(const LoopDevice&) = delete;
    LoopDevice& operator=(const LoopDevice&) = delete;

    const std::string& path() const { return path_; }
    const std::string& why() const { return why_; }
    // The skip reason (tests/support/skip.hpp) of a device that could not be attached.
    const char* skip_reason() const { return skip_reason_; }
    // Bytes of the backing file that hold data: a sparse file's holes take none.
    std::uint64_t allocated_bytes() const {
        struct stat st {};
        if (::stat(backing_.c_str(), &st) != 0) return 0;
        return static_cast<std::uint64_t>(st.st_blocks) * 512;
    }

private:
    std::filesystem::path backing_;
    std::string path_;
    std::string why_;
    const char* skip_reason_ = "no-program";
};

}  // namespace test
