#include "engine/progress.hpp"

#include <cstdio>
#include <iomanip>
#include <ostream>
#include <sstream>

namespace platbench {

Progress::Progress(std::ostream* out, bool terminal, std::size_t total_runs)
    : out_(out), terminal_(terminal), total_(total_runs), start_(std::chrono::steady_clock::now()) {}

std::string Progress::format_duration(double seconds) {
    if (seconds < 0) seconds = 0;
    auto total = static_cast<long long>(seconds + 0.5);
    char buffer[32];
    if (total >= 3600) {
        std::snprintf(buffer, sizeof buffer, "%lld:%02lld:%02lld", total / 3600, (total / 60) % 60, total % 60);
    } else {
        std::snprintf(buffer, sizeof buffer, "%lld:%02lld", total / 60, total % 60);
    }
    return buffer;
}

std::string Progress::timing() const {
    using seconds = std::chrono::duration<double>;
    const double elapsed = seconds(std::chrono::steady_clock::now() - start_).count();
    std::string text = "elapsed " + format_duration(elapsed);
    if (finished_ > 0 && total_ > finished_) {
        // Mean time of the runs finished in this invocation times the runs left.
        const double eta = measured_seconds_ / static_cast<double>(finished_) * static_cast<double>(total_ - finished_);
        text += ", ETA " + format_duration(eta);
    }
    return text;
}

void Progress::clear_status_line() {
    if (out_ != nullptr && terminal_ && status_shown_) {
        *out_ << "\r\033[K";
        status_shown_ = false;
    }
}

void Progress::starting(std::size_t run_number, const std::string& description) {
    current_ = run_number;
    run_start_ = std::chrono::steady_clock::now();
    if (out_ == nullptr || !terminal_) return;
    clear_status_line();
    const int percent = total_ == 0 ? 100 : static_cast<int>(100.0 * static_cast<double>(finished_) / static_cast<double>(total_));
    *out_ << "[" << current_ << "/" << total_ << "] " << percent << "% " << description << "  (" << timing() << ")"
          << std::flush;
    status_shown_ = true;
}

void Progress::finished(const std::string& description, RunStatus status, const std::string& reason) {
    ++finished_;
    if (elsewhere_) {
        current_ = finished_;
        measured_seconds_ = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    } else {
        measured_seconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - run_start_).count();
    }
    if (out_ == nullptr) return;
    clear_status_line();
    if (!terminal_ || status != RunStatus::Ok) {
        *out_ << "[" << current_ << "/" << total_ << "] " << description << ": " << status;
        if (!reason.empty()) *out_ << " (" << reason << ")";
        *out_ << "  " << timing() << "\n" << std::flush;
    }
}

void Progress::note(const std::string& message) {
    if (out_ == nullptr) return;
    clear_status_line();
    *out_ << message << "\n" << std::flush;
}

void Progress::done() { clear_status_line(); }

}  // namespace platbench
