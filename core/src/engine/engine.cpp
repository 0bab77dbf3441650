#include "engine/engine.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <ostream>
#include <stdexcept>

#include "engine/adaptive_rounds.hpp"
#include "engine/experiment_session.hpp"
#include "engine/progress.hpp"
#include "engine/run_executor.hpp"
#include "matrix/matrix.hpp"

namespace platbench {
namespace fs = std::filesystem;

namespace {

class MatrixExecution {
public:
    MatrixExecution(const ExperimentConfig& config, const EngineOptions& options)
        : config_(config),
          options_(options),
          cells_(expand_matrix(config)),
          seed_(config.seed ? *config.seed : fresh_order_seed()),
          plan_(plan_runs(cells_, config, seed_)),
          progress_(options.progress, options.progress_is_terminal, plan_.size()),
          interrupt_(options.interrupt != nullptr ? options.interrupt : &never_),
          executor_(config, cells_, progress_, *interrupt_) {}

    EngineReport run() {
        session_.emplace(config_, options_, progress_);
        remove_leftovers_of_dead_runs();
        session_->open(cells_, seed_, plan_.size());
        if (config_.order == RunOrder::Interleaved)
            progress_.note("order: interleaved, seed " + std::to_string(seed_) + " (`seed: " + std::to_string(seed_) +
                           "` repeats it)");
        executor_.probe_platforms();
        run_plan(plan_, 0);
        if (config_.adaptive && !report().interrupted) repeat_until_narrow(*config_.adaptive);
        progress_.done();
        return report();
    }

private:
    // A platbench killed before it could clean up (SIGKILL, a crash, a power cut)
    // leaves containers, domains, images half built and run directories. Each
    // platform's clean() removes those of processes that are gone (a concurrent
    // run's are alive and kept); this run's own work directory is ours alone,
    // since we hold the lock.
    void remove_leftovers_of_dead_runs() {
        std::error_code ec;
        const fs::path work = fs::absolute(session_->output_dir()) / "work";
        if (fs::exists(work, ec) && !fs::is_empty(work, ec)) {
            fs::remove_all(work, ec);
            progress_.note("removed the work directory an earlier, killed run left in " + work.string());
        }
        std::set<const LoadedPlugin*> platforms;
        for (const Cell& cell : cells_) platforms.insert(cell.platform->plugin);
        for (const LoadedPlugin* plugin : platforms) {
            try {
                for (const std::string& leftover : plugin->descriptor->create_platform()->clean(false)) {
                    progress_.note("removed what an earlier, killed run left: " + plugin->name() + ": " + leftover);
                }
            } catch (const std::exception& e) {
                progress_.note("note: could not look for leftovers of " + plugin->name() + ": " + e.what());
            }
        }
    }

    EngineReport& report() { return session_->report(); }

    // Runs the planned runs not stored yet, numbering them from `first_index`;
    // stops at Ctrl-C.
    void run_plan(const std::vector<PlannedRun>& plan, std::size_t first_index) {
        for (std::size_t i = 0; i < plan.size(); ++i) {
            if (interrupt_->load()) {
                report().interrupted = true;
                return;
            }
            if (session_->is_done(plan[i].key(cells_[plan[i].cell]))) {
                ++report().already_done;
                continue;
            }
            execute(first_index + i, plan[i]);
            if (report().interrupted) return;
        }
    }

    // Adaptive repetitions (engine/adaptive_rounds): here a round's runs run one after the other.
    void repeat_until_narrow(const AdaptiveRepetitions& adaptive) {
        std::size_t index = plan_.size();
        platbench::repeat_until_narrow(adaptive, {config_, cells_, seed_, *session_, progress_, started_},
                                       [&](const std::vector<PlannedRun>& round) {
                                           run_plan(round, index);
                                           index += round.size();
                                           return !report().interrupted;
                                       });
    }

    static double seconds_since(std::chrono::steady_clock::time_point start) {
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    }

    void execute(std::size_t index, const PlannedRun& planned) {
        const std::string description = executor_.describe(planned);
        progress_.starting(index + 1, description);
        std::optional<RunRecord> record =
            executor_.execute(planned, index, session_->experiment_id(), fs::absolute(session_->output_dir()) / "work");
        if (!record) {
            // Interrupted runs are not stored: --resume runs them again.
            report().interrupted = true;
            progress_.note("interrupted: " + description + " was stopped and not stored");
            return;
        }
        session_->store(*record, description);
    }

    const ExperimentConfig& config_;
    const EngineOptions& options_;
    std::vector<Cell> cells_;
    std::uint64_t seed_;  // of the interleaved order, recorded with the experiment
    std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
    std::vector<PlannedRun> plan_;
    Progress progress_;
    std::atomic<bool> never_{false};    // the interrupt flag when the caller gives none
    const std::atomic<bool>* interrupt_;
    RunExecutor executor_;

    std::optional<ExperimentSession> session_;
};

}  // namespace

EngineReport run_experiment(const ExperimentConfig& config, const EngineOptions& options) {
    MatrixExecution execution(config, options);
    return execution.run();
}

}  // namespace platbench
