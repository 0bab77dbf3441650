// The run request: what the host asks the guest init to run, as records
// (guest_records.hpp). The host writes it into a file that QEMU offers the guest
// through fw_cfg; the guest init parses it. Header-only: both ends include it.
#pragma once

#include <charconv>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "guest_records.hpp"

namespace platbench::kvm {

struct RunRequest {
    std::string runner;                 // path inside the guest
    std::vector<std::string> args;      // after the runner's path
    std::string disk = "none";          // none | filesystem (mount it on /work) | device (/dev/platbench-disk)
    std::size_t output_cap = 16u << 20; // bytes kept of each of stdout and stderr
    std::string address;                // "10.249.7.2/24": the NIC's address; empty: no NIC
};

// "a.b.c.d/n" with each part in range: what an address record may hold.
inline bool is_ipv4_with_prefix(const std::string& text) {
    unsigned parts[5] = {};
    char tail = 0;
    if (std::sscanf(text.c_str(), "%u.%u.%u.%u/%u%c", &parts[0], &parts[1], &parts[2], &parts[3], &parts[4], &tail) != 5)
        return false;
    for (int i = 0; i < 4; ++i)
        if (parts[i] > 255) return false;
    return parts[4] >= 8 && parts[4] <= 30;
}

inline std::string encode_request(const RunRequest& request) {
    std::string out;
    append_record(out, kRequestMagic);
    append_payload_record(out, "runner", request.runner);
    for (const std::string& arg : request.args) append_payload_record(out, "arg", arg);
    append_record(out, "disk " + request.disk);
    append_record(out, "output_cap " + std::to_string(request.output_cap));
    if (!request.address.empty()) append_record(out, "address " + request.address);
    append_record(out, "end");
    return out;
}

inline std::optional<RunRequest> parse_request(const std::string& bytes, std::string& problem) {
    RecordReader reader(bytes, {"runner", "arg"}, 1u << 20);
    const std::optional<Record> magic = reader.next();
    if (!magic || magic->words.size() != 2 || magic->words[0] + " " + magic->words[1] != kRequestMagic) {
        problem = "the request does not start with '" + std::string(kRequestMagic) + "'";
        return std::nullopt;
    }
    RunRequest request;
    while (std::optional<Record> record = reader.next()) {
        const std::vector<std::string>& words = record->words;
        if (words[0] == "end") {
            if (request.runner.empty()) break;
            return request;
        }
        if (words[0] == "runner" && record->payload) {
            request.runner = *record->payload;
        } else if (words[0] == "arg" && record->payload) {
            request.args.push_back(*record->payload);
        } else if (words[0] == "disk" && words.size() == 2 &&
                   (words[1] == "none" || words[1] == "filesystem" || words[1] == "device")) {
            request.disk = words[1];
        } else if (words[0] == "address" && words.size() == 2 && is_ipv4_with_prefix(words[1])) {
            request.address = words[1];
        } else if (words[0] == "output_cap" && words.size() == 2) {
            const auto [end, error] = std::from_chars(words[1].data(), words[1].data() + words[1].size(), request.output_cap);
            if (error != std::errc() || end != words[1].data() + words[1].size()) break;
        } else {
            problem = "the request has an unexpected record '" + words[0] + "'";
            return std::nullopt;
        }
    }
    problem = !reader.error().empty() ? "the request is malformed: " + reader.error()
                                      : "the request is incomplete (no runner, a bad value or no end record)";
    return std::nullopt;
}

}  // namespace platbench::kvm
