// From what a platform saw of a run to "ok" or "failed" with a reason the user can act on.
#include <string.h>  // sigabbrev_np

#include <algorithm>
#include <string_view>
#include <vector>

#include "platbench/runner_protocol.hpp"

namespace platbench {
namespace {

constexpr std::size_t kMaxStderrExcerpt = 400;
constexpr int kStderrLines = 4;

std::string signal_text(int signal) {
    const char* abbrev = sigabbrev_np(signal);
    return std::to_string(signal) + (abbrev != nullptr ? std::string(" (SIG") + abbrev + ")" : std::string());
}

// Length of the valid UTF-8 sequence at `text[i]`, or 0.
std::size_t utf8_sequence_length(std::string_view text, std::size_t i) {
    const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
    const unsigned char lead = byte(i);
    std::size_t length = lead >= 0xF0 && lead <= 0xF4 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC2 && lead < 0xE0 ? 2 : 0;
    if (length == 0 || i + length > text.size()) return 0;
    for (std::size_t k = 1; k < length; ++k) {
        if ((byte(i + k) & 0xC0) != 0x80) return 0;
    }
    return length;
}

// Keeps printable text and line breaks: control characters and terminal escape
// sequences are dropped, tabs become spaces, invalid UTF-8 is dropped.
std::string printable(std::string_view text) {
    std::string out;
    for (std::size_t i = 0; i < text.size();) {
        const unsigned char c = static_cast<unsigned char>(text[i]);
        if (c == 0x1b && i + 1 < text.size() && text[i + 1] == '[') {
            i += 2;  // CSI: parameters, then one final byte in 0x40..0x7e
            while (i < text.size() && !(text[i] >= 0x40 && text[i] <= 0x7e)) ++i;
            ++i;
        } else if (c == '\n' || (c >= 0x20 && c < 0x7f)) {
            out += static_cast<char>(c);
            ++i;
        } else if (c == '\t') {
            out += ' ';
            ++i;
        } else if (std::size_t length = c >= 0x80 ? utf8_sequence_length(text, i) : 0) {
            out.append(text.substr(i, length));
            i += length;
        } else {
            ++i;
        }
    }
    return out;
}

// One printable line: each non-blank line trimmed, joined with " | ".
std::string sanitise(std::string_view text) {
    const std::string clean = printable(text);
    std::string out;
    std::size_t start = 0;
    while (start <= clean.size()) {
        std::size_t end = clean.find('\n', start);
        if (end == std::string::npos) end = clean.size();
        const std::string_view line = std::string_view(clean).substr(start, end - start);
        const std::size_t first = line.find_first_not_of(' ');
        if (first != std::string_view::npos) {
            if (!out.empty()) out += " | ";
            out.append(line.substr(first, line.find_last_not_of(' ') - first + 1));
        }
        start = end + 1;
    }
    return out;
}

// The last few non-empty lines of stderr, sanitised, at most ~400 characters:
// where a crashing runner or a failing container tool says what went wrong.
std::string stderr_tail(std::string_view text) {
    std::size_t begin = text.size();
    int lines = 0;
    while (begin > 0 && lines < kStderrLines && text.size() - begin < 4 * kMaxStderrExcerpt) {
        std::size_t newline = text.rfind('\n', begin - 1);
        const std::size_t start = newline == std::string_view::npos ? 0 : newline + 1;
        if (text.substr(start, begin - start).find_first_not_of(" \t\r\n") != std::string_view::npos) ++lines;
        begin = newline == std::string_view::npos ? 0 : newline;
    }
    begin = std::max(begin, text.size() - std::min(text.size(), 4 * kMaxStderrExcerpt));
    std::string tail = sanitise(text.substr(begin));
    if (tail.size() > kMaxStderrExcerpt) {
        std::size_t cut = tail.size() - kMaxStderrExcerpt;
        while (cut < tail.size() && (static_cast<unsigned char>(tail[cut]) & 0xC0) == 0x80) ++cut;  // whole characters
        tail = "..." + tail.substr(cut);
    }
    return tail;
}

std::string with_stderr(std::string reason, const PlatformRunOutcome& outcome) {
    const std::string tail = stderr_tail(outcome.stderr_text);
    if (!tail.empty()) reason += "; stderr: " + tail;
    return reason;
}

RunInterpretation failed(std::string reason, std::optional<RunnerReport> report = std::nullopt) {
    return {std::move(report), RunStatus::Failed, std::move(reason)};
}

}  // namespace

RunInterpretation interpret_outcome(const PlatformRunOutcome& outcome) {
    if (!outcome.started) {
        return failed("platform could not start the runner: " +
                      (outcome.failure.empty() ? std::string("no reason given") : sanitise(outcome.failure)));
    }
    if (outcome.cancelled) return failed("interrupted");
    if (outcome.timed_out) {
        std::string reason = "timed out after the experiment's `timeout:`; raise `timeout:` or make the workload smaller";
        if (!outcome.failure.empty()) reason += " (" + sanitise(outcome.failure) + ")";
        return failed(with_stderr(std::move(reason), outcome));
    }
    if (outcome.term_signal != 0) {
        std::string reason = "runner killed by signal " + signal_text(outcome.term_signal);
        if (!outcome.failure.empty()) reason += ": " + sanitise(outcome.failure);
        return failed(with_stderr(std::move(reason), outcome));
    }

    if (outcome.exit_code < 0 && !outcome.failure.empty()) {
        // Started, but the platform lost the runner before learning how it ended.
        return failed(with_stderr("the platform lost the run: " + sanitise(outcome.failure), outcome));
    }

    std::string decode_failure;
    std::optional<RunnerReport> report = decode_runner_output(outcome.stdout_text, decode_failure);
    if (report) {
        if (!report->ok && report->unavailable) {
            // Not the workload's fault nor the platform's: like a declined platform.
            std::string reason = "workload not available: " +
                                 (report->error.empty() ? std::string("no reason given") : sanitise(report->error));
            return {std::move(report), RunStatus::Skipped, std::move(reason)};
        }
        if (!report->ok) {
            std::string error = report->error.empty() ? "workload failed without saying why" : sanitise(report->error);
            return failed(std::move(error), std::move(report));
        }
        if (outcome.exit_code != 0) {
            return failed(with_stderr("runner reported success but exited with status " +
                                          std::to_string(outcome.exit_code), outcome),
                          std::move(report));
        }
        return {std::move(report), RunStatus::Ok, {}};
    }
    if (outcome.exit_code != 0) {
        std::string reason = "runner exited with status " + std::to_string(outcome.exit_code);
        const std::string tail = stderr_tail(outcome.stderr_text);
        reason += tail.empty() ? " and printed nothing on stderr (" + decode_failure + ")" : ": " + tail;
        if (!outcome.failure.empty()) reason += " (" + sanitise(outcome.failure) + ")";
        return failed(std::move(reason));
    }
    return failed(with_stderr(std::move(decode_failure), outcome));
}

}  // namespace platbench
