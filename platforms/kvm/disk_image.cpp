#include "disk_image.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <stdexcept>
#include <vector>

#include "platbench/process.hpp"

namespace platbench::kvm {
namespace fs = std::filesystem;
namespace {

constexpr double kToolSeconds = 300;

// mkfs.ext4 lives in /usr/sbin, which a user's PATH may lack.
std::string tool_path(const std::string& name) {
    if (auto found = find_program(name)) return found->string();
    for (const char* dir : {"/usr/sbin/", "/sbin/", "/usr/bin/"})
        if (::access((std::string(dir) + name).c_str(), X_OK) == 0) return std::string(dir) + name;
    throw std::runtime_error(name + " is not installed; it makes the VM's disk (Debian: apt-get install " +
                             (name == "qemu-img" ? std::string("qemu-utils") : std::string("e2fsprogs")) + ")");
}

void run_tool(std::vector<std::string> argv) {
    ChildRequest request;
    request.argv = std::move(argv);
    request.timeout = std::chrono::duration<double>(kToolSeconds);
    const ChildOutcome outcome = run_child(request);
    if (!outcome.started) throw std::runtime_error("cannot run " + request.argv[0] + ": " + outcome.failure);
    if (outcome.exit_code != 0) {
        std::string message = outcome.stderr_text.empty() ? outcome.stdout_text : outcome.stderr_text;
        if (message.size() > 2000) message.resize(2000);
        throw std::runtime_error(request.argv[0] + " failed (exit " + std::to_string(outcome.exit_code) + "): " + message);
    }
}

void create_sparse_file(const fs::path& path, std::uint64_t size) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) throw std::runtime_error("cannot create the disk image " + path.string());
    const bool sized = ::ftruncate(fd, static_cast<off_t>(size)) == 0;
    ::close(fd);
    if (!sized) throw std::runtime_error("cannot size the disk image " + path.string());
}

void make_ext4(const fs::path& path) {
    run_tool({tool_path("mkfs.ext4"), "-F", "-q", "-L", "platbench", "-E", "lazy_itable_init=0,lazy_journal_init=0",
              path.string()});
}

}  // namespace

void create_disk_image(const DiskImageSpec& spec) {
    std::error_code ec;
    fs::remove(spec.path, ec);
    if (spec.format == "raw") {
        create_sparse_file(spec.path, spec.size_bytes);
        if (spec.filesystem) make_ext4(spec.path);
        return;
    }
    if (spec.format != "qcow2") throw std::runtime_error("unknown disk format " + spec.format);
    if (!spec.filesystem) {
        run_tool({tool_path("qemu-img"), "create", "-q", "-f", "qcow2", spec.path.string(), std::to_string(spec.size_bytes)});
        return;
    }
    // A filesystem cannot be made inside a qcow2 file directly: make it in a sparse
    // raw file and convert (only the written blocks are copied).
    const fs::path raw = spec.path.string() + ".raw";
    struct RemoveRaw {
        fs::path path;
        ~RemoveRaw() {
            std::error_code ignored;
            fs::remove(path, ignored);
        }
    } cleanup{raw};
    create_sparse_file(raw, spec.size_bytes);
    make_ext4(raw);
    run_tool({tool_path("qemu-img"), "convert", "-q", "-f", "raw", "-O", "qcow2", raw.string(), spec.path.string()});
}

}  // namespace platbench::kvm
