// What the workloads that run a real tool (fio, hpcc) share: finding the tool the
// bundle ships beside the runner, a private scratch directory, and the tail of
// the tool's stderr for messages.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace platbench::external {

// The bundle puts declared programs beside the runner (/usr/bin), so inside a
// container or VM the bundled one wins; on the host, the runner's directory has
// none and PATH decides.
std::optional<std::filesystem::path> find_bundled_program(const std::string& name);

// A private directory `<base>/<prefix>XXXXXX`, removed with everything in it on
// every way out (success, failure, stop), so no run leaves its files behind.
class ScratchDir {
public:
    ScratchDir(const std::filesystem::path& base, const std::string& prefix);
    ~ScratchDir();
    ScratchDir(const ScratchDir&) = delete;
    ScratchDir& operator=(const ScratchDir&) = delete;
    const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
};

// The last `limit` characters of a tool's stderr, or "(nothing on stderr)".
std::string stderr_excerpt(const std::string& text, std::size_t limit = 600);

}  // namespace platbench::external
