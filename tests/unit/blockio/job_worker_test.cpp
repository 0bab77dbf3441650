// One job's I/O on a scratch file, driven directly: the data its writes carry,
// the order its random offsets take, and the page cache it starts from.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <set>
#include <string>
#include <vector>

#include "block_data.hpp"
#include "block_order.hpp"
#include "blockio_test_support.hpp"
#include "io_job.hpp"
#include "job_worker.hpp"

namespace blockio = platbench::blockio;
using platbench::io_job::Engine;
using platbench::io_job::Job;
using platbench::io_job::Pattern;

namespace {

constexpr std::uint64_t kBlock = 4096;

// A job file of `blocks` blocks, opened as blockio opens it.
struct JobFile {
    JobFile(const std::filesystem::path& path, bool direct) : path(path) {
        fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC | (direct ? O_DIRECT : 0), 0600);
        REQUIRE(fd >= 0);
    }
    ~JobFile() { ::close(fd); }
    std::string block(std::uint64_t index) const {
        void* aligned = nullptr;  // O_DIRECT reads need an aligned buffer
        REQUIRE(::posix_memalign(&aligned, kBlock, kBlock) == 0);
        const ssize_t got = ::pread(fd, aligned, kBlock, static_cast<off_t>(index * kBlock));
        std::string data(static_cast<const char*>(aligned), kBlock);
        std::free(aligned);
        REQUIRE(got == static_cast<ssize_t>(kBlock));
        return data;
    }
    std::filesystem::path path;
    int fd = -1;
};

Job size_based_job(Pattern pattern, bool direct = true) {
    Job job;
    job.pattern = pattern;
    job.engine = Engine::Psync;
    job.block_size = kBlock;
    job.direct = direct;
    job.seed = 7;
    return job;
}

blockio::JobTarget target_of(const JobFile& file, std::uint64_t blocks, bool lay_out) {
    blockio::JobTarget target;
    target.fd = file.fd;
    target.name = file.path.string();
    target.blocks = blocks;
    target.lay_out = lay_out;
    target.file = true;
    return target;
}

// Lays out and runs the job once over `blocks` blocks.
void run_job(const Job& job, const JobFile& file, std::uint64_t blocks) {
    std::atomic<bool> stop{false}, abort{false};
    blockio::JobWorker worker(job, 0, target_of(file, blocks, true), blockio::StopFlags{&stop, &abort});
    REQUIRE(worker.lay_out());
    blockio::JobFigures figures;
    REQUIRE(worker.run(figures));
}

// Blocks whose contents are still the layout's (the data fill_block gives their offset).
std::size_t blocks_as_laid_out(const JobFile& file, const Job& job, std::uint64_t blocks) {
    std::size_t unchanged = 0;
    for (std::uint64_t b = 0; b < blocks; ++b) {
        std::string expected(kBlock, '\0');
        blockio::fill_block(expected.data(), kBlock, job.seed, b * kBlock);
        if (file.block(b) == expected) ++unchanged;
    }
    return unchanged;
}

}  // namespace

TEST_CASE("successive writes from one I/O slot carry different data, so storage cannot deduplicate them") {
    blockio::test::TempDir dir;
    JobFile file(dir.path() / "job", true);
    // iodepth 1: every write goes out of the one slot's buffer.
    run_job(size_based_job(Pattern::Write), file, 64);
    std::set<std::string> contents;
    for (std::uint64_t b = 0; b < 64; ++b) contents.insert(file.block(b));
    CHECK(contents.size() == 64);
    // Written again by another run with the same seed, a block differs from its last write too.
    const std::string first = file.block(0);
    run_job(size_based_job(Pattern::Write), file, 1);
    CHECK(file.block(0) != first);
}

TEST_CASE("a size-based random job visits every block once, and norandommap draws with replacement, as fio") {
    blockio::test::TempDir dir;
    constexpr std::uint64_t kBlocks = 512;
    JobFile file(dir.path() / "job", true);
    Job mapped = size_based_job(Pattern::RandWrite);
    run_job(mapped, file, kBlocks);
    CHECK(blocks_as_laid_out(file, mapped, kBlocks) == 0);  // every block was written by the measured job
    Job unmapped = size_based_job(Pattern::RandWrite);
    unmapped.norandommap = true;
    run_job(unmapped, file, kBlocks);
    // With replacement about 1/e of the blocks (188 of 512) are never drawn.
    const std::size_t missed = blocks_as_laid_out(file, unmapped, kBlocks);
    CHECK(missed > 120);
    CHECK(missed < 260);
}

TEST_CASE("the random block order is a permutation of the region in every pass, a new one each pass") {
    for (const std::uint64_t blocks : {1ull, 2ull, 3ull, 1000ull, 4097ull, 65536ull}) {
        CAPTURE(blocks);
        blockio::RandomBlocks order(blocks, 42, false);
        std::vector<std::uint64_t> first(blocks), second(blocks);
        for (auto& block : first) block = order.next();
        for (auto& block : second) block = order.next();
        std::vector<std::uint64_t> sorted = first;
        std::sort(sorted.begin(), sorted.end());
        for (std::uint64_t i = 0; i < blocks; ++i) REQUIRE(sorted[i] == i);
        sorted = second;
        std::sort(sorted.begin(), sorted.end());
        for (std::uint64_t i = 0; i < blocks; ++i) REQUIRE(sorted[i] == i);
        if (blocks >= 1000) {
            CHECK(first != second);
            // Not the identity, nor nearly so: few blocks in their own place.
            std::size_t in_place = 0;
            for (std::uint64_t i = 0; i < blocks; ++i) in_place += first[i] == i ? 1 : 0;
            CHECK(in_place < blocks / 50);
        }
    }
}

TEST_CASE("a buffered job starts with none of its file in the page cache, as fio's invalidate") {
    blockio::test::TempDir dir;
    constexpr std::uint64_t kBlocks = 2048;  // 8 MiB
    JobFile file(dir.path() / "job", false);
    std::atomic<bool> stop{false}, abort{false};
    blockio::JobWorker worker(size_based_job(Pattern::RandRead, false), 0, target_of(file, kBlocks, true),
                              blockio::StopFlags{&stop, &abort});
    REQUIRE(worker.lay_out());
    const std::size_t bytes = kBlocks * kBlock;
    void* mapped = ::mmap(nullptr, bytes, PROT_READ, MAP_SHARED, file.fd, 0);
    REQUIRE(mapped != MAP_FAILED);
    std::vector<unsigned char> resident(kBlocks);
    REQUIRE(::mincore(mapped, bytes, resident.data()) == 0);
    ::munmap(mapped, bytes);
    const auto cached = std::count_if(resident.begin(), resident.end(), [](unsigned char page) { return page & 1; });
    CHECK(cached == 0);  // the layout wrote 8 MiB through the page cache; none of it may be left
}
