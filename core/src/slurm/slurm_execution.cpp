#include "slurm/slurm_execution.hpp"

#include <chrono>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "engine/experiment_execution.hpp"
#include "host/host_info.hpp"
#include "platbench/process.hpp"
#include "plugin/registry.hpp"
#include "slurm/job_manifest.hpp"
#include "slurm/slurm_commands.hpp"
#include "slurm/spool.hpp"
#include "util/bounded_json.hpp"
#include "platbench/hash.hpp"
#include "platbench/names.hpp"

namespace platbench::slurm {
namespace fs = std::filesystem;

namespace {

constexpr double kToolSeconds = 60;
// jobs.json: a list of {job_id, platform, tasks: [[run keys]], attempt}, three levels.
constexpr JsonLimits kJobsFileLimits{std::size_t{64} << 20, 4};

// A job array platbench submitted: whose placement, and the runs of each task.
struct SubmittedJob {
    std::string job_id;
    std::string platform;
    std::vector<std::vector<std::string>> tasks;  // run keys per array task
    int attempt = 0;                              // how many times these runs were submitted before
};

nlohmann::json job_to_json(const SubmittedJob& job) {
    return {{"job_id", job.job_id}, {"platform", job.platform}, {"tasks", job.tasks}, {"attempt", job.attempt}};
}

SubmittedJob job_from_json(const nlohmann::json& json) {
    return {json.at("job_id").get<std::string>(), json.at("platform").get<std::string>(),
            json.at("tasks").get<std::vector<std::vector<std::string>>>(), json.at("attempt").get<int>()};
}

// Runs one of Slurm's tools; its stdout, or throws with what it said.
std::string run_slurm_tool(const std::string& program, const std::vector<std::string>& args) {
    ChildRequest request;
    request.argv = {find_program(program).value_or(program).string()};
    request.argv.insert(request.argv.end(), args.begin(), args.end());
    request.timeout = std::chrono::duration<double>(kToolSeconds);
    const ChildOutcome outcome = run_child(request);
    if (!outcome.started) throw std::runtime_error(program + " could not be run: " + outcome.failure);
    if (outcome.exit_code != 0) {
        std::string said = outcome.stderr_text.empty() ? outcome.stdout_text : outcome.stderr_text;
        while (!said.empty() && (said.back() == '\n' || said.back() == ' ')) said.pop_back();
        throw std::runtime_error(program + " failed: " + said.substr(0, 500));
    }
    return outcome.stdout_text;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

class SlurmExecution : private ExperimentExecution {
public:
    SlurmExecution(const ExperimentConfig& config, const EngineOptions& options)
        : ExperimentExecution(config, options, RunsFinish::Elsewhere) {
        for (std::size_t i = 0; i < plan_.size(); ++i) plan_index_[plan_[i].key(cells_[plan_[i].cell])] = i;
    }

    EngineReport run() {
        start_session();
        open_experiment();
        experiment_text();
        prepare_spool();
        if (options_.resume) load_jobs();
        ingest();
        refresh_states();
        attach_to_live_jobs();
        submit(runs_to_submit(), 0);
        watch();
        repeat_until_narrow();
        progress_.done();
        return report();
    }

    // Adaptive repetitions: once every job of a round is over, a further round is
    // submitted as a job array per platform; on --resume, runs of a round already
    // stored are not run again.
    void repeat_until_narrow() {
        ExperimentExecution::repeat_until_narrow([&](const std::vector<PlannedRun>& round) {
            std::vector<std::size_t> added;
            for (const PlannedRun& run : round) {
                plan_index_[run.key(cells_[run.cell])] = plan_.size();
                added.push_back(plan_.size());
                plan_.push_back(run);
            }
            submit(not_done(added), 0);
            watch();
            return !report().interrupted;
        });
    }

    void prepare_spool() {
        const fs::path spool = config_.slurm.spool.empty() ? session_->output_dir() / "slurm-spool" : config_.slurm.spool;
        experiment_dir_ = fs::absolute(spool) / ("experiment-" + std::to_string(session_->experiment_id()));
        results_dir_ = experiment_dir_ / "results";
        for (const char* sub : {"results", "jobs", "logs"}) fs::create_directories(experiment_dir_ / sub);
        progress_.note("slurm: spool " + experiment_dir_.string() + " (must be on storage the nodes share)");
    }

    fs::path jobs_file() const { return experiment_dir_ / "jobs.json"; }

    void save_jobs() const {
        nlohmann::json list = nlohmann::json::array();
        for (const SubmittedJob& job : jobs_) list.push_back(job_to_json(job));
        const fs::path temporary = jobs_file().string() + ".tmp";
        std::ofstream(temporary) << list.dump(1) << "\n";
        fs::rename(temporary, jobs_file());
    }

    void load_jobs() {
        std::error_code ec;
        if (!fs::exists(jobs_file(), ec)) return;
        try {
            for (const nlohmann::json& job : read_bounded_json_file(jobs_file(), kJobsFileLimits, "the list of jobs"))
                jobs_.push_back(job_from_json(job));
        } catch (const std::exception& e) {
            progress_.note("slurm: cannot read " + jobs_file().string() + " (" + e.what() +
                           "): its jobs are not followed; their runs are submitted again");
            jobs_.clear();
        }
    }

    // Stores each record the jobs left, once: a run already stored as ok is not
    // stored again (ingesting twice stores once), then the file goes.
    void ingest() {
        for (const SpooledRun& spooled : read_spooled_runs(results_dir_)) {
            std::error_code ec;
            if (!spooled.record) {
                progress_.note("slurm: ignoring " + spooled.file.string() + ": " + spooled.problem);
                fs::rename(spooled.file, spooled.file.string() + ".bad", ec);
                continue;
            }
            RunRecord record = *spooled.record;
            auto known = plan_index_.find(record.run_key);
            if (known != plan_index_.end() && !session_->is_done(record.run_key) &&
                record.experiment_id == session_->experiment_id()) {
                record.info["slurm_submit_to_ingest_seconds"] = seconds_since_submission(record);
                session_->store(record, describe(known->second) + " on " +
                                            record.platform_metadata.value("slurm_node", std::string("?")));
            }
            owned_.erase(record.run_key);
            fs::remove(spooled.file, ec);
        }
    }

    // From the submission of the run's job to now: Slurm's scheduling, the run
    // itself and the spool's round trip (null when the job was submitted by an
    // earlier head).
    nlohmann::json seconds_since_submission(const RunRecord& record) const {
        const std::string job = record.platform_metadata.value("slurm_job", std::string());
        auto it = submitted_at_.find(job.substr(0, job.find('_')));
        if (it == submitted_at_.end()) return nullptr;
        return seconds_since(it->second);
    }

    std::string describe(std::size_t plan_index) const {
        const PlannedRun& planned = plan_[plan_index];
        const Cell& cell = cells_[planned.cell];
        return cell.id + (planned.warmup ? " warmup " : " rep ") + std::to_string(planned.repetition + 1);
    }

    // ------------------------------------------------------------------ jobs

    // The runs of the plan not stored as ok and not in a job that may still run them.
    std::vector<std::size_t> runs_to_submit() {
        std::vector<std::size_t> all(plan_.size());
        for (std::size_t i = 0; i < plan_.size(); ++i) all[i] = i;
        return not_done(all);
    }

    // Those of `indices` (into the plan) not stored as ok nor owned by a job; the
    // ones already stored are counted as such.
    std::vector<std::size_t> not_done(const std::vector<std::size_t>& indices) {
        std::vector<std::size_t> runs;
        for (std::size_t i : indices) {
            const std::string key = plan_[i].key(cells_[plan_[i].cell]);
            if (session_->is_done(key)) {
                ++report().already_done;
                continue;
            }
            if (owned_.count(key) == 0) runs.push_back(i);
        }
        return runs;
    }

    // Array tasks of `runs`: one per cell (its runs in plan order), or one per run.
    std::map<std::string, std::vector<std::vector<std::size_t>>> tasks_by_platform(const std::vector<std::size_t>& runs) const {
        std::map<std::string, std::vector<std::vector<std::size_t>>> tasks;
        std::map<std::size_t, std::size_t> task_of_cell;  // cell -> its task's position in its platform's list
        for (std::size_t i : runs) {
            const Cell& cell = cells_[plan_[i].cell];
            auto& list = tasks[cell.platform->name];
            if (config_.slurm.job_per_run) {
                list.push_back({i});
                continue;
            }
            auto [it, inserted] = task_of_cell.emplace(cell.index, list.size());
            if (inserted) list.emplace_back();
            list[it->second].push_back(i);
        }
        return tasks;
    }

    void submit(const std::vector<std::size_t>& runs, int attempt) {
        if (runs.empty()) return;
        for (const auto& [platform, tasks] : tasks_by_platform(runs)) submit_array(platform, tasks, attempt);
    }

    void submit_array(const std::string& platform, const std::vector<std::vector<std::size_t>>& tasks, int attempt) {
        JobManifest manifest{experiment_text(), config_.file.string(), fs::absolute(config_.file).parent_path(),
                             session_->experiment_id(), results_dir_, {}, {}};
        SubmittedJob job{"", platform, {}, attempt};
        for (const auto& task : tasks) {
            std::vector<TaskRun> runs;
            std::vector<std::string> keys;
            for (std::size_t i : task) {
                runs.push_back({plan_[i].cell, plan_[i].repetition, plan_[i].warmup, i});
                keys.push_back(plan_[i].key(cells_[plan_[i].cell]));
            }
            manifest.tasks.push_back(std::move(runs));
            job.tasks.push_back(std::move(keys));
        }
        const fs::path script = experiment_dir_ / "jobs" /
                                (with_safe_name_characters(platform) + "-" + std::to_string(++scripts_written_) + ".job");
        {
            std::ofstream out(script);
            out << batch_script(executable_dir() / "platbench", manifest);
        }
        fs::permissions(script, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                                    fs::perms::others_read | fs::perms::others_exec);
        SubmitRequest request;
        request.job_name = "platbench-" + with_safe_name_characters(config_.name) + "-" + with_safe_name_characters(platform);
        request.placement = config_.slurm.placement_of(platform);
        if (several_nodes(request.placement.nodes)) {
            request.exclude = excluded_nodes(request.placement.nodes);
            request.placement.nodes.clear();
        }
        request.exclusive = config_.slurm.exclusive;
        request.array_tasks = static_cast<int>(manifest.tasks.size());
        request.output_pattern = (experiment_dir_ / "logs" / "%A_%a.out").string();
        request.comment = "platbench:" + with_safe_name_characters(config_.name) + ":" +
                          std::to_string(session_->experiment_id());
        request.script = script.string();
        const std::string output = run_slurm_tool("sbatch", sbatch_arguments(request));
        const std::optional<std::string> id = parse_submitted_job_id(output);
        if (!id) throw std::runtime_error("sbatch printed no job id: " + output.substr(0, 200));
        job.job_id = *id;
        for (const auto& keys : job.tasks) owned_.insert(keys.begin(), keys.end());
        jobs_.push_back(job);
        save_jobs();
        submitted_at_[job.job_id] = std::chrono::steady_clock::now();
        progress_.note("slurm: submitted job " + job.job_id + " for " + platform + ": " +
                       std::to_string(job.tasks.size()) + " tasks" +
                       (attempt > 0 ? " (again, attempt " + std::to_string(attempt + 1) + ")" : ""));
    }

    static std::vector<std::string> words_of(const std::string& text) {
        std::vector<std::string> words;
        std::istringstream in(text);
        for (std::string word; in >> word;) words.push_back(word);
        return words;
    }

    static std::vector<std::string> expanded_nodes(const std::string& nodes) {
        return nodes.empty() ? std::vector<std::string>{} : words_of(run_slurm_tool("scontrol", {"show", "hostnames", nodes}));
    }

    static bool several_nodes(const std::string& nodes) { return expanded_nodes(nodes).size() > 1; }

    // For a placement of several nodes, the cluster's other nodes (Slurm's
    // --nodelist would put every listed node into each job).
    static std::string excluded_nodes(const std::string& nodes) {
        return nodes_to_exclude(expanded_nodes(nodes), words_of(run_slurm_tool("sinfo", {"-h", "-N", "-o", "%N"})));
    }

    // The experiment file as validated: the nodes get its text, so it is read
    // once and checked against the hash taken when it was loaded (an edit since
    // would send unvalidated settings to the nodes).
    const std::string& experiment_text() {
        if (!experiment_text_.empty()) return experiment_text_;
        std::ifstream in(config_.file, std::ios::binary);
        std::stringstream text;
        text << in.rdbuf();
        if (sha256_hex(text.str()) != config_.file_hash)
            throw std::runtime_error(config_.file.string() + " changed since it was validated; run platbench again");
        experiment_text_ = text.str();
        return experiment_text_;
    }

    // ------------------------------------------------------------------ watching

    // Slurm's view of every job not known to be over; a job Slurm no longer knows
    // (purged after it ended) is marked as such.
    void refresh_states() {
        for (std::size_t j = 0; j < jobs_.size(); ++j) {
            if (over_jobs_.count(j) != 0) continue;
            std::string output;
            try {
                output = run_slurm_tool("scontrol", {"show", "job", "-o", jobs_[j].job_id});
            } catch (const std::exception& e) {
                if (std::string(e.what()).find("Invalid job id") == std::string::npos) {
                    progress_.note(std::string("slurm: ") + e.what());
                    continue;  // asked again at the next poll
                }
                for (std::size_t t = 0; t < jobs_[j].tasks.size(); ++t)
                    states_[{j, t}] = JobState{jobs_[j].job_id, jobs_[j].job_id, {}, "UNKNOWN", "no longer known to Slurm",
                                               "", ""};
                over_jobs_.insert(j);
                continue;
            }
            for (const JobState& state : parse_show_job(output)) {
                if (state.array_tasks.empty()) {
                    states_[{j, 0}] = state;
                    continue;
                }
                for (int task : state.array_tasks) states_[{j, static_cast<std::size_t>(task)}] = state;
            }
            bool all_over = true;
            for (std::size_t t = 0; t < jobs_[j].tasks.size(); ++t) all_over = all_over && task_over(j, t);
            if (all_over) over_jobs_.insert(j);  // asked no more
        }
    }

    bool task_over(std::size_t job, std::size_t task) const {
        auto it = states_.find({job, task});
        return it != states_.end() && (it->second.ended() || it->second.state == "UNKNOWN");
    }

    // On --resume: runs of tasks Slurm may still run stay theirs.
    void attach_to_live_jobs() {
        std::size_t attached = 0;
        for (std::size_t j = 0; j < jobs_.size(); ++j) {
            for (std::size_t t = 0; t < jobs_[j].tasks.size(); ++t) {
                if (task_over(j, t)) continue;
                for (const std::string& key : jobs_[j].tasks[t])
                    if (!session_->is_done(key)) owned_.insert(key);
                ++attached;
            }
        }
        if (attached != 0)
            progress_.note("slurm: re-attached to " + std::to_string(attached) +
                           " tasks still queued or running; they are not submitted again");
    }

    void watch() {
        while (true) {
            if (interrupt_->load()) return cancel_all();
            ingest();
            refresh_states();
            ingest();  // records written just before their job ended
            cancel_stuck_tasks();
            settle_ended_tasks();
            show_progress();
            if (owned_.empty()) return;
            std::this_thread::sleep_for(std::chrono::duration<double>(config_.slurm.poll_seconds));
        }
    }

    // Tasks that will never start (their node is down, no node has the features):
    // cancelled, so that their runs fail now rather than wait forever.
    void cancel_stuck_tasks() {
        for (auto& [ref, state] : states_) {
            if (!state.stuck() || cancelled_stuck_.count(ref) != 0) continue;
            const std::string id = jobs_[ref.first].job_id + "_" + std::to_string(ref.second);
            try {
                run_slurm_tool("scancel", {id});
            } catch (const std::exception& e) {
                progress_.note(std::string("slurm: ") + e.what());
            }
            cancelled_stuck_[ref] = state.reason;
        }
    }

    // Runs of ended tasks that left no record: submitted again while `requeue:`
    // allows, else failed with what Slurm says happened.
    void settle_ended_tasks() {
        std::map<int, std::vector<std::size_t>> again;  // attempt -> runs
        for (std::size_t j = 0; j < jobs_.size(); ++j) {
            for (std::size_t t = 0; t < jobs_[j].tasks.size(); ++t) {
                if (!task_over(j, t) && cancelled_stuck_.count({j, t}) == 0) continue;
                if (!settled_tasks_.insert({j, t}).second) continue;  // handled at an earlier poll
                for (const std::string& key : jobs_[j].tasks[t]) {
                    if (owned_.count(key) == 0) continue;  // ingested, or settled before
                    if (jobs_[j].attempt < config_.slurm.requeue) {
                        again[jobs_[j].attempt + 1].push_back(plan_index_.at(key));
                    } else {
                        fail_run(key, slurm_reason(j, t));
                    }
                    owned_.erase(key);
                }
            }
        }
        for (const auto& [attempt, runs] : again) submit(runs, attempt);
    }

    std::string slurm_reason(std::size_t job, std::size_t task) const {
        const std::string id = jobs_[job].job_id + "_" + std::to_string(task);
        if (auto stuck = cancelled_stuck_.find({job, task}); stuck != cancelled_stuck_.end())
            return "slurm job " + id + " could not start: " + stuck->second;
        const JobState& state = states_.at({job, task});
        std::string reason = "slurm job " + id + (state.nodes.empty() ? "" : " on " + state.nodes) + " ended " +
                             state.state;
        if (!state.reason.empty() && state.reason != "None") reason += " (" + state.reason + ")";
        if (!state.exit_code.empty() && state.exit_code != "0:0") reason += ", exit code " + state.exit_code;
        return reason + " without the run's result; its log: " +
               (experiment_dir_ / "logs" / (jobs_[job].job_id + "_" + std::to_string(task) + ".out")).string();
    }

    void fail_run(const std::string& key, const std::string& reason) {
        const std::size_t i = plan_index_.at(key);
        const Cell& cell = cells_[plan_[i].cell];
        RunRecord record;
        record.experiment_id = session_->experiment_id();
        record.run_key = key;
        record.cell_id = cell.id;
        record.cell_config_hash = cell.config_hash;
        record.platform_instance = cell.platform->name;
        record.platform_plugin = cell.platform->plugin->name();
        record.workload_instance = cell.workload->name;
        record.workload_plugin = cell.workload->plugin->name();
        record.repetition = plan_[i].repetition;
        record.warmup = plan_[i].warmup;
        record.status = RunStatus::Failed;
        record.reason = reason;
        record.started_at = record.ended_at = utc_timestamp_now();
        session_->store(record, describe(i));
    }

    void cancel_all() {
        std::vector<std::string> ids;
        for (std::size_t j = 0; j < jobs_.size(); ++j)
            if (over_jobs_.count(j) == 0) ids.push_back(jobs_[j].job_id);
        if (!ids.empty()) {
            try {
                run_slurm_tool("scancel", ids);
                progress_.note("slurm: cancelled jobs " + join(ids));
            } catch (const std::exception& e) {
                progress_.note(std::string("slurm: ") + e.what());
            }
        }
        ingest();
        report().interrupted = true;
    }

    // One line whenever the picture changes: runs queued, running (per node), done, failed.
    void show_progress() {
        std::size_t queued = 0, running = 0;
        std::map<std::string, std::size_t> per_node;
        for (std::size_t j = 0; j < jobs_.size(); ++j) {
            for (std::size_t t = 0; t < jobs_[j].tasks.size(); ++t) {
                auto it = states_.find({j, t});
                std::size_t open = 0;
                for (const std::string& key : jobs_[j].tasks[t]) open += owned_.count(key);
                if (open == 0 || it == states_.end()) continue;
                if (it->second.state == "RUNNING" || it->second.state == "COMPLETING") {
                    running += open;
                    ++per_node[it->second.nodes];
                } else if (!it->second.ended()) {
                    queued += open;
                }
            }
        }
        std::string nodes;
        for (const auto& [node, tasks] : per_node) nodes += (nodes.empty() ? "" : ", ") + node + ": " + std::to_string(tasks);
        const EngineReport& report = session_->report();
        const std::string line = "slurm: " + std::to_string(queued) + " runs queued, " + std::to_string(running) +
                                 " running" + (nodes.empty() ? "" : " (tasks per node: " + nodes + ")") + ", " +
                                 std::to_string(report.ok) + " ok, " + std::to_string(report.failed) + " failed, " +
                                 std::to_string(report.skipped) + " skipped";
        if (line != last_progress_) progress_.note(line);
        last_progress_ = line;
    }

    static std::string join(const std::vector<std::string>& words) {
        std::string text;
        for (const std::string& word : words) text += (text.empty() ? "" : " ") + word;
        return text;
    }

    std::map<std::string, std::size_t> plan_index_;  // run key -> index in plan_
    fs::path experiment_dir_, results_dir_;
    std::string experiment_text_;
    std::vector<SubmittedJob> jobs_;
    std::size_t scripts_written_ = 0;
    std::set<std::string> owned_;     // runs a job may still deliver
    std::map<std::pair<std::size_t, std::size_t>, JobState> states_;  // (job, task) -> Slurm's view
    std::set<std::size_t> over_jobs_;
    std::set<std::pair<std::size_t, std::size_t>> settled_tasks_;  // ended tasks whose missing runs were dealt with
    std::map<std::pair<std::size_t, std::size_t>, std::string> cancelled_stuck_;
    std::map<std::string, std::chrono::steady_clock::time_point> submitted_at_;
    std::string last_progress_;
};

}  // namespace

EngineReport run_experiment_on_slurm(const ExperimentConfig& config, const EngineOptions& options) {
    SlurmExecution execution(config, options);
    return execution.run();
}

}  // namespace platbench::slurm
