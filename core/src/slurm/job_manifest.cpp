#include "slurm/job_manifest.hpp"

#include <stdexcept>

#include <nlohmann/json.hpp>

#include "util/bounded_json.hpp"

namespace platbench::slurm {

namespace {

// Linux reads at most this much of a #! line (BINPRM_BUF_SIZE on older kernels).
constexpr std::size_t kMaxShebangLine = 127;
// The runs' indices nest three levels under the body:
// [[[cell, repetition, warmup, index], ...], ...].
constexpr JsonLimits kManifestLimits{kMaxBatchScriptBytes, 4};

template <typename T>
T get(const nlohmann::json& json, const char* name) {
    auto it = json.find(name);
    if (it == json.end()) throw std::runtime_error(std::string("job manifest: no '") + name + "'");
    try {
        return it->get<T>();
    } catch (const nlohmann::json::exception&) {
        throw std::runtime_error(std::string("job manifest: '") + name + "' has the wrong type");
    }
}

}  // namespace

std::string batch_script(const std::filesystem::path& platbench, const JobManifest& manifest) {
    const std::string shebang = "#!" + platbench.string() + " slurm-job";
    if (platbench.string().find_first_of(" \t\n") != std::string::npos || shebang.size() > kMaxShebangLine) {
        throw std::runtime_error("cannot name " + platbench.string() +
                                 " on a batch script's #! line (no spaces, at most " +
                                 std::to_string(kMaxShebangLine - 12) + " characters): install platbench elsewhere");
    }
    nlohmann::json tasks = nlohmann::json::array();
    for (const auto& runs : manifest.tasks) {
        nlohmann::json task = nlohmann::json::array();
        for (const TaskRun& run : runs) task.push_back({run.cell, run.repetition, run.warmup, run.index});
        tasks.push_back(std::move(task));
    }
    const nlohmann::json body = {{"experiment_text", manifest.experiment_text},
                                 {"experiment_file", manifest.experiment_file},
                                 {"base_dir", manifest.base_dir.string()},
                                 {"experiment_id", manifest.experiment_id},
                                 {"results_dir", manifest.results_dir.string()},
                                 {"work_dir", manifest.work_dir.string()},
                                 {"tasks", std::move(tasks)}};
    std::string script = shebang + "\n" + body.dump() + "\n";
    if (script.size() > kManifestLimits.max_bytes)
        throw std::runtime_error("a job of this experiment would need a batch script over 64 MiB: use job_per: run");
    return script;
}

JobManifest parse_batch_script(const std::string& script) {
    const auto newline = script.find('\n');
    if (script.rfind("#!", 0) != 0 || newline == std::string::npos)
        throw std::runtime_error("not a platbench batch script (no #! line)");
    const nlohmann::json body =
        parse_bounded_json(std::string_view(script).substr(newline + 1), kManifestLimits, "job manifest");
    if (!body.is_object()) throw std::runtime_error("job manifest: not a JSON object");
    JobManifest manifest;
    manifest.experiment_text = get<std::string>(body, "experiment_text");
    manifest.experiment_file = get<std::string>(body, "experiment_file");
    manifest.base_dir = get<std::string>(body, "base_dir");
    manifest.experiment_id = get<std::int64_t>(body, "experiment_id");
    manifest.results_dir = get<std::string>(body, "results_dir");
    manifest.work_dir = get<std::string>(body, "work_dir");
    for (const nlohmann::json& task : get<nlohmann::json>(body, "tasks")) {
        std::vector<TaskRun> runs;
        for (const nlohmann::json& run : task) {
            if (!run.is_array() || run.size() != 4) throw std::runtime_error("job manifest: a run is not [cell, repetition, warmup, index]");
            try {
                runs.push_back({run[0].get<std::size_t>(), run[1].get<int>(), run[2].get<bool>(), run[3].get<std::size_t>()});
            } catch (const nlohmann::json::exception&) {
                throw std::runtime_error("job manifest: a run has a value of the wrong type");
            }
        }
        manifest.tasks.push_back(std::move(runs));
    }
    return manifest;
}

}  // namespace platbench::slurm
