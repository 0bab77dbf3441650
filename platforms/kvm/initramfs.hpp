// The guest's initramfs: the bundle's tree, the guest init as /init, and the
// kernel modules the init loads, as one uncompressed cpio archive (decompressing
// in an emulated guest costs more than reading the bigger file). Cached by the
// hash of everything that goes in.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "platbench/platform.hpp"

namespace platbench::kvm {

// Where the guest init finds its module list (one path per line, load order).
inline constexpr const char* kModuleOrderFile = "platbench/modules.order";
inline constexpr const char* kModuleDir = "platbench/modules";

struct InitramfsInputs {
    const Bundle& bundle;
    std::filesystem::path init;                 // the static guest init binary
    std::filesystem::path modules_dir;          // /lib/modules/<release>
    std::vector<std::string> modules;           // relative to modules_dir, in load order
};

struct InitramfsOutcome {
    std::filesystem::path path;
    std::string key;        // hex SHA-256 of the inputs; the file is named after it
    bool reused = false;    // found in the cache
    double seconds = 0;     // spent hashing and (if not reused) writing
};

// Returns the cached initramfs for these inputs, writing it first when missing.
// The file appears atomically (written aside, then renamed). Throws std::runtime_error.
InitramfsOutcome ensure_initramfs(const InitramfsInputs& inputs, const std::filesystem::path& cache_dir);

}  // namespace platbench::kvm
