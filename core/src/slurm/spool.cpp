#include "slurm/spool.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <stdexcept>

#include "store/run_record_json.hpp"
#include "util/bounded_json.hpp"
#include "platbench/hash.hpp"

namespace platbench::slurm {
namespace fs = std::filesystem;

namespace {

constexpr const char* kTemporaryPrefix = ".writing-";
// A record is a run's metrics and info: kilobytes. The bounds are those of the
// runner's own output (protocol/result_decoder.cpp), which a record carries.
constexpr JsonLimits kRecordLimits{std::size_t{64} << 20, 32};

void write_and_sync(const fs::path& file, const std::string& text) {
    const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) throw std::runtime_error("cannot create " + file.string());
    std::size_t written = 0;
    while (written < text.size()) {
        const ssize_t n = ::write(fd, text.data() + written, text.size() - written);
        if (n <= 0) {
            ::close(fd);
            throw std::runtime_error("cannot write " + file.string());
        }
        written += static_cast<std::size_t>(n);
    }
    const bool synced = ::fsync(fd) == 0;
    ::close(fd);
    if (!synced) throw std::runtime_error("cannot sync " + file.string());
}

}  // namespace

void write_spooled_run(const fs::path& dir, const RunRecord& record) {
    fs::create_directories(dir);
    const std::string name = sha256_hex(record.run_key).substr(0, 32) + ".json";
    const fs::path temporary = dir / (kTemporaryPrefix + name + "-" + std::to_string(::getpid()));
    write_and_sync(temporary, run_to_json(record).dump() + "\n");
    fs::rename(temporary, dir / name);
}

std::vector<SpooledRun> read_spooled_runs(const fs::path& dir) {
    std::vector<SpooledRun> runs;
    std::error_code ec;
    for (const fs::directory_entry& entry : fs::directory_iterator(dir, ec)) {
        const std::string name = entry.path().filename().string();
        if (name.rfind(kTemporaryPrefix, 0) == 0 || entry.path().extension() != ".json") continue;
        SpooledRun run{entry.path(), std::nullopt, ""};
        try {
            run.record = run_from_json(read_bounded_json_file(entry.path(), kRecordLimits, "spooled run record"));
        } catch (const std::exception& e) {
            run.problem = e.what();
        }
        runs.push_back(std::move(run));
    }
    return runs;
}

}  // namespace platbench::slurm
