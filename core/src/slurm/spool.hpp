// The spool: a directory on storage shared by the head and the nodes, where each
// job leaves one file per finished run. Only the head writes the database: SQLite
// is never written over a network filesystem, and never by several nodes.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "store/result_store.hpp"

namespace platbench::slurm {

// Writes the record as <dir>/<hash of its run key>.json, atomically (a temporary
// file, synced, renamed): the head never reads half a record.
void write_spooled_run(const std::filesystem::path& dir, const RunRecord& record);

struct SpooledRun {
    std::filesystem::path file;
    std::optional<RunRecord> record;  // nullopt: unreadable, see `problem`
    std::string problem;
};

// The finished records in `dir` (temporary files of writers still at work are skipped).
std::vector<SpooledRun> read_spooled_runs(const std::filesystem::path& dir);

}  // namespace platbench::slurm
