#include "initramfs.hpp"

#include <unistd.h>

#include <chrono>

#include "guest_kernel.hpp"
#include "tree_archive.hpp"
#include "platbench/hash.hpp"

namespace platbench::kvm {
namespace fs = std::filesystem;
namespace {

// Bump when the layout below changes, so old cached files are not reused.
constexpr const char* kLayoutVersion = "platbench-initramfs 1";

std::string inputs_key(const InitramfsInputs& inputs) {
    Sha256 hash;
    hash.update(std::string(kLayoutVersion) + "\n");
    hash.update("bundle " + inputs.bundle.content_hash + "\n");
    hash.update("init " + sha256_file_hex(inputs.init) + "\n");
    for (const std::string& module : inputs.modules)
        hash.update("module " + module + " " + sha256_file_hex(inputs.modules_dir / module) + "\n");
    return hash.hex_digest();
}

// Module bytes as the kernel's finit_module() takes them: XZ-compressed modules
// (newer Debian kernels) are unpacked here rather than in the emulated guest.
bool is_xz(const std::string& module) { return module.size() > 3 && module.compare(module.size() - 3, 3, ".xz") == 0; }

std::string module_file_name(const std::string& module) {
    std::string name = fs::path(module).filename().string();
    if (is_xz(name)) name.resize(name.size() - 3);
    return name;
}

void write_initramfs(const InitramfsInputs& inputs, const fs::path& output) {
    TreeArchiveWriter writer(output, ArchiveFormat::CpioNewc);
    writer.add_tree(inputs.bundle.root);
    for (const char* dir : {"dev", "proc", "sys", "tmp", "run", "work", "platbench"})
        if (!writer.contains(dir)) writer.add_directory(dir, dir == std::string("tmp") ? 01777 : 0755);
    // The kernel opens /dev/console for init's output before anything is mounted.
    writer.add_char_device("dev/console", 0600, 5, 1);
    writer.add_file("init", 0755, inputs.init);
    writer.add_directory(kModuleDir, 0755);
    std::string order;
    for (const std::string& module : inputs.modules) {
        const std::string name = std::string(kModuleDir) + "/" + module_file_name(module);
        const fs::path source = inputs.modules_dir / module;
        if (is_xz(module))
            writer.add_file_bytes(name, 0644, read_xz_file(source));
        else
            writer.add_file(name, 0644, source);
        order += "/" + name + "\n";
    }
    writer.add_file_bytes(kModuleOrderFile, 0644, order);
    writer.close();
}

}  // namespace

InitramfsOutcome ensure_initramfs(const InitramfsInputs& inputs, const fs::path& cache_dir) {
    const auto start = std::chrono::steady_clock::now();
    InitramfsOutcome outcome;
    outcome.key = inputs_key(inputs);
    outcome.path = cache_dir / ("initramfs-" + outcome.key.substr(0, 16) + ".cpio");
    std::error_code ec;
    if (fs::is_regular_file(outcome.path, ec)) {
        outcome.reused = true;
    } else {
        fs::create_directories(cache_dir);
        const fs::path staging = cache_dir / (outcome.path.filename().string() + ".tmp-" + std::to_string(::getpid()));
        try {
            write_initramfs(inputs, staging);
            fs::permissions(staging, fs::perms(0644));
            fs::rename(staging, outcome.path);
        } catch (...) {
            fs::remove(staging, ec);
            throw;
        }
    }
    outcome.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return outcome;
}

}  // namespace platbench::kvm
