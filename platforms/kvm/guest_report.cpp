#include "guest_report.hpp"

#include <charconv>
#include <cmath>

#include "guest/guest_records.hpp"

namespace platbench::kvm {
namespace {

template <typename Number>
std::optional<Number> parse_number(const std::string& word) {
    Number value{};
    const auto [end, error] = std::from_chars(word.data(), word.data() + word.size(), value);
    if (error != std::errc() || end != word.data() + word.size()) return std::nullopt;
    return value;
}

std::optional<double> parse_seconds(const std::string& word) {
    std::optional<double> value = parse_number<double>(word);
    if (!value || !std::isfinite(*value) || *value < 0 || *value > 1e9) return std::nullopt;
    return value;
}

// Applies one record; returns a problem, or an empty string.
std::string apply(const Record& record, GuestReport& report) {
    const std::vector<std::string>& words = record.words;
    const std::string& keyword = words[0];
    if (keyword == "kernel" && record.payload && !report.kernel) {
        report.kernel = *record.payload;
    } else if (keyword == "ready" && words.size() == 2 && !report.ready_uptime) {
        report.ready_uptime = parse_seconds(words[1]);
        if (!report.ready_uptime) return "a bad ready time";
    } else if (keyword == "stdout" && record.payload && !report.stdout_text) {
        report.stdout_text = *record.payload;
    } else if (keyword == "stderr" && record.payload && !report.stderr_text) {
        report.stderr_text = *record.payload;
    } else if (keyword == "exit" && words.size() == 4 && !report.exit) {
        const auto code = parse_number<int>(words[1]);
        const auto signal = parse_number<int>(words[2]);
        const auto seconds = parse_seconds(words[3]);
        if (!code || !signal || !seconds || *code < -1 || *code > 255 || *signal < 0 || *signal > 64)
            return "a bad exit record";
        report.exit = GuestExit{*code, *signal, *seconds};
    } else if (keyword == "error" && record.payload && !report.init_error) {
        report.init_error = *record.payload;
    } else if (keyword == "end") {
        report.complete = true;
    } else {
        return "an unexpected or repeated record '" + keyword + "'";
    }
    return {};
}

}  // namespace

const char* disk_use_word(DiskUse use) {
    switch (use) {
        case DiskUse::Filesystem: return "filesystem";
        case DiskUse::Device: return "device";
        case DiskUse::None: break;
    }
    return "none";
}

GuestReport decode_guest_report(std::string_view bytes, std::size_t max_payload) {
    GuestReport report;
    RecordReader reader(bytes, {"kernel", "stdout", "stderr", "error"}, max_payload);
    std::optional<Record> first = reader.next();
    if (!first) {
        if (!reader.error().empty()) report.problem = "it does not start with the guest init's header: " + reader.error();
        return report;
    }
    if (first->words.size() != 2 || first->words[0] + " " + first->words[1] != kReportMagic) {
        report.problem = "it does not start with the guest init's header '" + std::string(kReportMagic) + "'";
        return report;
    }
    report.opened = true;
    while (!report.complete) {
        std::optional<Record> record = reader.next();
        if (!record) {
            if (!reader.error().empty()) report.problem = reader.error();
            return report;
        }
        if (std::string problem = apply(*record, report); !problem.empty()) {
            report.problem = problem + " at byte " + std::to_string(reader.consumed());
            return report;
        }
    }
    if (!reader.at_end()) report.problem = "bytes after the end record";
    return report;
}

}  // namespace platbench::kvm
