// One `platbench run` per results directory at a time: two writers would interleave
// their experiments' runs and fight over --resume. The lock is a file in the
// directory held with flock(2), so it goes away with the process, even after kill -9.
#pragma once

#include <filesystem>

namespace platbench {

class OutputLock {
public:
    // Creates `dir` if needed and takes its lock, or throws std::runtime_error naming
    // the platbench process that holds it.
    explicit OutputLock(const std::filesystem::path& dir);
    ~OutputLock();
    OutputLock(const OutputLock&) = delete;
    OutputLock& operator=(const OutputLock&) = delete;

    static constexpr const char* kFileName = ".platbench-run.lock";

private:
    int fd_ = -1;
};

}  // namespace platbench
