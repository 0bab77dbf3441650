// platbench-runner's command line, parsed by hand: the runner ships inside every
// container image and VM, so it stays small and depends on the core library only.
#pragma once

#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace platbench::runner {

// Exit statuses the engine and scripts can rely on.
inline constexpr int kExitOk = 0;
inline constexpr int kExitWorkloadFailed = 1;   // the result line is still printed, with ok=false
                                                // (and unavailable=true when the run is to be skipped)
inline constexpr int kExitUsage = 2;            // bad command line or parameter
inline constexpr int kExitPluginMissing = 3;    // plugin not found or failed to load

enum class Mode { Run, Serve, Describe, Observe, Version, Help };
enum class OutputFormat { Line, Json };

struct Options {
    Mode mode = Mode::Help;
    std::filesystem::path plugin_dir;
    std::string workload;                                      // --workload or --describe
    std::vector<std::pair<std::string, std::string>> params;   // --param NAME=VALUE, in order
    std::optional<std::filesystem::path> work_dir;
    OutputFormat format = OutputFormat::Line;
    std::string peer;                    // --peer ADDRESS:PORT (run): the peer the engine started
    std::string listen_address;          // --listen ADDRESS (serve)
    std::filesystem::path ready_file;    // --ready-file PATH (serve): gets "ADDRESS:PORT" once listening
};

class UsageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// argv without the program name. Throws UsageError saying what is wrong.
Options parse_options(const std::vector<std::string>& args);

const char* usage_text();

}  // namespace platbench::runner
