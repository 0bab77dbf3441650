// Progress on the terminal: runs done / total, the current cell, elapsed time and ETA.
// On a terminal one status line is redrawn; otherwise one line per finished run.
#pragma once

#include <chrono>
#include <cstddef>
#include <iosfwd>
#include <string>

#include "platbench/run_status.hpp"

namespace platbench {

class Progress {
public:
    Progress(std::ostream* out, bool terminal, std::size_t total_runs);

    void starting(std::size_t run_number, const std::string& description);
    void finished(const std::string& description, RunStatus status, const std::string& reason);
    void note(const std::string& message);  // a diagnostic line that must not be overwritten
    void add_planned(std::size_t runs) { total_ += runs; }  // adaptive repetitions plan more as they go
    // Runs finish elsewhere, several at a time (Slurm jobs): a finished run is
    // numbered by how many have finished, and the ETA follows the wall clock.
    void runs_finish_elsewhere() { elsewhere_ = true; }
    void done();

    // "1:02:03" / "2:03"
    static std::string format_duration(double seconds);

private:
    void clear_status_line();
    std::string timing() const;

    std::ostream* out_;
    bool terminal_;
    std::size_t total_;
    std::size_t finished_ = 0;
    std::size_t current_ = 0;
    std::chrono::steady_clock::time_point start_;
    double measured_seconds_ = 0;  // time spent in finished runs, for the ETA
    std::chrono::steady_clock::time_point run_start_;
    bool status_shown_ = false;
    bool elsewhere_ = false;
};

}  // namespace platbench
