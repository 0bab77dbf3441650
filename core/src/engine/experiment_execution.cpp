#include "engine/experiment_execution.hpp"

#include "engine/adaptive_rounds.hpp"

namespace platbench {

ExperimentExecution::ExperimentExecution(const ExperimentConfig& config, const EngineOptions& options,
                                         RunsFinish runs_finish)
    : config_(config),
      options_(options),
      cells_(expand_matrix(config)),
      seed_(config.seed ? *config.seed : fresh_order_seed()),
      plan_(plan_runs(cells_, config, seed_)),
      progress_(options.progress, runs_finish == RunsFinish::Here && options.progress_is_terminal, plan_.size()),
      interrupt_(options.interrupt != nullptr ? options.interrupt : &never_) {
    if (runs_finish == RunsFinish::Elsewhere) progress_.runs_finish_elsewhere();
}

void ExperimentExecution::start_session() { session_.emplace(config_, options_, progress_); }

void ExperimentExecution::open_experiment() { session_->open(cells_, seed_, plan_.size()); }

void ExperimentExecution::repeat_until_narrow(const std::function<bool(const std::vector<PlannedRun>&)>& run_round) {
    if (!config_.adaptive || report().interrupted) return;
    platbench::repeat_until_narrow(*config_.adaptive, {config_, cells_, seed_, *session_, progress_, started_},
                                   run_round);
}

}  // namespace platbench
