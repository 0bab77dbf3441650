// The host's side of the guest protocol (guest/guest_records.hpp): the report it
// reads back (the request it hands over is guest/run_request.hpp). Everything the
// guest writes is untrusted: the decoder accepts exactly the records the guest
// init sends, once each, in a well-formed frame, and says what is wrong otherwise.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace platbench::kvm {

// How the guest uses the experiment's disk.
enum class DiskUse { None, Filesystem, Device };

// The request's word for it: "none", "filesystem", "device".
const char* disk_use_word(DiskUse use);

struct GuestExit {
    int exit_code = -1;
    int term_signal = 0;
    double runner_seconds = 0;   // the runner's lifetime, measured in the guest
};

struct GuestReport {
    bool opened = false;                      // the guest init's first line arrived
    std::optional<std::string> kernel;        // the guest kernel's release
    std::optional<double> ready_uptime;       // guest uptime when the runner was started
    std::optional<std::string> stdout_text;
    std::optional<std::string> stderr_text;
    std::optional<GuestExit> exit;
    std::optional<std::string> init_error;    // the guest init could not run the runner
    bool complete = false;                    // the final "end" arrived
    std::string problem;                      // malformed: nothing more is read

    bool ready() const { return ready_uptime.has_value(); }
};

// Decodes what the guest has written so far (the buffer may end mid-record).
GuestReport decode_guest_report(std::string_view bytes, std::size_t max_payload = (16u << 20) + 4096);

}  // namespace platbench::kvm
