#include "external_program.hpp"

#include <stdlib.h>
#include <unistd.h>

#include "platbench/process.hpp"
#include "platbench/workload.hpp"

namespace platbench::external {
namespace fs = std::filesystem;
namespace {

bool is_executable(const fs::path& file) {
    std::error_code ec;
    return fs::is_regular_file(file, ec) && ::access(file.c_str(), X_OK) == 0;
}

}  // namespace

std::optional<fs::path> find_bundled_program(const std::string& name) {
    std::error_code ec;
    const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    if (!ec && is_executable(exe.parent_path() / name)) return exe.parent_path() / name;
    return find_program(name);
}

ScratchDir::ScratchDir(const fs::path& base, const std::string& prefix) {
    std::error_code ec;
    if (!fs::is_directory(base, ec))
        throw WorkloadError("directory " + base.string() + " does not exist; create it or choose another");
    std::string pattern = (base / (prefix + "XXXXXX")).string();
    if (::mkdtemp(pattern.data()) == nullptr)
        throw WorkloadError("cannot create a scratch directory in " + base.string() + "; is it writable?");
    path_ = pattern;
}

ScratchDir::~ScratchDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
}

std::string stderr_excerpt(const std::string& text, std::size_t limit) {
    const std::size_t end = text.find_last_not_of(" \n");
    if (end == std::string::npos) return "(nothing on stderr)";
    const std::size_t begin = end + 1 > limit ? end + 1 - limit : 0;
    return text.substr(begin, end + 1 - begin);
}

}  // namespace platbench::external
