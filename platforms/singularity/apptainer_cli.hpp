// The apptainer (or singularity) command line: finding the program, reading its
// version, and the argument vectors platbench runs it with. Pure functions, so
// the exact command lines are checked by golden files (tests/data/singularity).
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace platbench::singularity {

// Where the workload's working directory appears inside the container.
inline constexpr const char* kContainerWorkDir = "/work";

// `setting` when not empty (a name looked up in PATH, or a path); otherwise
// apptainer, else singularity, from PATH.
std::optional<std::filesystem::path> locate_program(const std::string& setting);

// "apptainer version 1.4.5", "singularity-ce version 4.1.2", "singularity version 3.8.7"
// -> {product, version}; anything else -> nullopt.
struct ProgramVersion {
    std::string product;
    std::string version;
};
std::optional<ProgramVersion> parse_version_output(std::string_view text);

enum class ImageFormat { Sif, Sandbox };

// <program> build [--sandbox] <target> <rootfs>: an image of the bundle's tree.
std::vector<std::string> build_command(const std::filesystem::path& program, ImageFormat format,
                                       const std::filesystem::path& target, const std::filesystem::path& rootfs);

struct ExecSpec {
    std::filesystem::path program;
    std::filesystem::path image;
    bool drop_privileges = true;  // --no-privs: no capabilities, no_new_privs
    bool network = false;         // false: a network namespace with loopback only
    // With network: apptainer runs inside this network namespace (`ip netns exec`),
    // and the container shares it; empty: the host's network.
    std::string network_namespace;
    bool show_cgroups = true;     // the host's cgroup tree read-only, so the limits can be seen inside
    std::optional<std::string> cpuset;
    std::optional<double> cpus;
    std::optional<std::int64_t> memory_bytes;
    std::optional<std::filesystem::path> work_dir;  // host directory bound at kContainerWorkDir
    std::vector<std::string> command;               // what runs inside: the runner and its arguments
};

// <program> exec --containall ... <image> <command...>. Throws std::invalid_argument
// for a host path apptainer's --bind syntax cannot carry (',' or ':').
std::vector<std::string> exec_command(const ExecSpec& spec);

// "0.5", "2", "1.25": the shortest text that reads back as `cpus`.
std::string cpus_text(double cpus);

}  // namespace platbench::singularity
