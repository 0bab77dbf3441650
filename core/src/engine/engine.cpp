#include "engine/engine.hpp"

#include <exception>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "engine/experiment_execution.hpp"
#include "engine/run_executor.hpp"

namespace platbench {
namespace fs = std::filesystem;

namespace {

// The local executor: the runs one after the other on this machine.
class MatrixExecution : private ExperimentExecution {
public:
    MatrixExecution(const ExperimentConfig& config, const EngineOptions& options)
        : ExperimentExecution(config, options, RunsFinish::Here), executor_(config, cells_, progress_, *interrupt_) {}

    EngineReport run() {
        start_session();
        remove_leftovers_of_dead_runs();
        open_experiment();
        if (config_.order == RunOrder::Interleaved)
            progress_.note("order: interleaved, seed " + std::to_string(seed_) + " (`seed: " + std::to_string(seed_) +
                           "` repeats it)");
        executor_.probe_platforms();
        run_plan(plan_, 0);
        repeat_until_narrow();
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

    // Adaptive repetitions: here a round's runs run one after the other.
    void repeat_until_narrow() {
        std::size_t index = plan_.size();
        ExperimentExecution::repeat_until_narrow([&](const std::vector<PlannedRun>& round) {
            run_plan(round, index);
            index += round.size();
            return !report().interrupted;
        });
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

    RunExecutor executor_;
};

}  // namespace

EngineReport run_experiment(const ExperimentConfig& config, const EngineOptions& options) {
    MatrixExecution execution(config, options);
    return execution.run();
}

}  // namespace platbench
