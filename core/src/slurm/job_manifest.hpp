// What a Slurm job runs, written into its batch script. The script starts with
//   #!<absolute path of platbench> slurm-job
// so that the node runs platbench itself on the script (no shell in between);
// the rest of the script is this manifest as JSON: the experiment file's text
// (the node needs no copy of it), and per array task the runs to make.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace platbench::slurm {

struct TaskRun {
    std::size_t cell = 0;   // index into the expanded matrix
    int repetition = 0;
    bool warmup = false;
    std::size_t index = 0;  // the run's number in the plan (names its work directory and labels)
};

struct JobManifest {
    std::string experiment_text;          // the experiment file, as it was read
    std::string experiment_file;          // its name, for messages
    std::filesystem::path base_dir;       // its directory: plugin_path: is relative to it
    std::int64_t experiment_id = 0;
    std::filesystem::path results_dir;    // where the job leaves each run's record
    std::filesystem::path work_dir;       // under which runs get their work directories (empty: the node's TMPDIR)
    std::vector<std::vector<TaskRun>> tasks;  // by array task id
};

// A batch script, its manifest included, is at most this large: the manifest holds
// the experiment file (1 MiB at most) and its runs' indices.
inline constexpr std::size_t kMaxBatchScriptBytes = std::size_t{64} << 20;

// The whole batch script. Throws std::runtime_error when `platbench` cannot be
// named on a #! line (a space in its path, or longer than the kernel reads).
std::string batch_script(const std::filesystem::path& platbench, const JobManifest& manifest);

// The manifest of a batch script. Throws std::runtime_error saying what is wrong.
JobManifest parse_batch_script(const std::string& script);

}  // namespace platbench::slurm
