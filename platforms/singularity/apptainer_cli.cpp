#include "apptainer_cli.hpp"

#include <unistd.h>

#include <charconv>
#include <stdexcept>

#include "platbench/process.hpp"

namespace fs = std::filesystem;

namespace platbench::singularity {

std::optional<fs::path> locate_program(const std::string& setting) {
    if (!setting.empty()) {
        // find_program takes a path as it is: a missing one is "not installed" too.
        std::optional<fs::path> program = find_program(setting);
        std::error_code ec;
        if (!program || !fs::is_regular_file(*program, ec) || ::access(program->c_str(), X_OK) != 0) return std::nullopt;
        return program;
    }
    for (const char* name : {"apptainer", "singularity"})
        if (auto program = find_program(name)) return program;
    return std::nullopt;
}

std::optional<ProgramVersion> parse_version_output(std::string_view text) {
    const std::string_view first_line = text.substr(0, text.find('\n'));
    const std::string_view separator = " version ";
    const std::size_t at = first_line.find(separator);
    if (at == std::string_view::npos || at == 0) return std::nullopt;
    ProgramVersion result{std::string(first_line.substr(0, at)), std::string(first_line.substr(at + separator.size()))};
    while (!result.version.empty() && (result.version.back() == '\r' || result.version.back() == ' '))
        result.version.pop_back();
    const bool known = result.product == "apptainer" || result.product.rfind("singularity", 0) == 0;
    if (!known || result.version.empty() || result.version.size() > 64) return std::nullopt;
    return result;
}

std::vector<std::string> build_command(const fs::path& program, ImageFormat format, const fs::path& target,
                                       const fs::path& rootfs) {
    std::vector<std::string> argv{program.string(), "build"};
    if (format == ImageFormat::Sandbox) argv.push_back("--sandbox");
    argv.push_back(target.string());
    argv.push_back(rootfs.string());
    return argv;
}

std::string cpus_text(double cpus) {
    char text[32];
    const auto result = std::to_chars(text, text + sizeof text, cpus);
    return std::string(text, result.ptr);
}

namespace {

// --bind takes "src:dest[:opts]" items separated by commas: a path holding either
// would be read as something else.
std::string bind_item(const fs::path& source, const std::string& destination, const std::string& options) {
    const std::string text = source.string();
    if (text.find_first_of(",:") != std::string::npos)
        throw std::invalid_argument("the host path " + text +
                                    " holds ',' or ':', which apptainer's --bind cannot carry; choose another");
    return text + ":" + destination + (options.empty() ? "" : ":" + options);
}

}  // namespace

std::vector<std::string> exec_command(const ExecSpec& spec) {
    // --containall: own PID, IPC and mount namespaces, a clean environment, no host home or /tmp.
    std::vector<std::string> argv;
    if (spec.network && !spec.network_namespace.empty()) argv = {"ip", "netns", "exec", spec.network_namespace};
    argv.insert(argv.end(), {spec.program.string(), "exec", "--containall"});
    if (spec.drop_privileges) argv.push_back("--no-privs");
    if (!spec.network) argv.insert(argv.end(), {"--net", "--network", "none"});
    if (spec.cpuset) argv.insert(argv.end(), {"--cpuset-cpus", *spec.cpuset});
    if (spec.cpus) argv.insert(argv.end(), {"--cpus", cpus_text(*spec.cpus)});
    if (spec.memory_bytes) argv.insert(argv.end(), {"--memory", std::to_string(*spec.memory_bytes)});
    if (spec.show_cgroups) argv.insert(argv.end(), {"--bind", bind_item("/sys/fs/cgroup", "/sys/fs/cgroup", "ro")});
    if (spec.work_dir) {
        argv.insert(argv.end(), {"--bind", bind_item(*spec.work_dir, kContainerWorkDir, "rw")});
        argv.insert(argv.end(), {"--pwd", kContainerWorkDir});
    }
    argv.push_back(spec.image.string());
    argv.insert(argv.end(), spec.command.begin(), spec.command.end());
    return argv;
}

}  // namespace platbench::singularity
