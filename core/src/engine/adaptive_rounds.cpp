#include "engine/adaptive_rounds.hpp"

#include "analysis/convergence.hpp"

namespace platbench {

void repeat_until_narrow(const AdaptiveRepetitions& adaptive, const AdaptiveContext& context,
                         const std::function<bool(const std::vector<PlannedRun>&)>& run_round) {
    for (int repetition = context.config.repetitions; repetition < adaptive.max_repetitions; ++repetition) {
        const std::vector<std::size_t> wide =
            cells_still_wide(context.cells, context.session.results().runs(context.session.experiment_id()),
                             adaptive.metric, adaptive.target_fraction);
        if (wide.empty()) return;
        const double spent = std::chrono::duration<double>(std::chrono::steady_clock::now() - context.started).count();
        if (adaptive.budget_seconds > 0 && spent >= adaptive.budget_seconds) {
            context.progress.note("adaptive repetitions: the budget of " +
                                  Progress::format_duration(adaptive.budget_seconds) + " is spent; " +
                                  std::to_string(wide.size()) + " cells stay above the target");
            return;
        }
        const std::vector<PlannedRun> round = plan_round(wide, repetition, adaptive_round_seed(context.seed, repetition));
        context.progress.add_planned(round.size());
        context.session.report().planned += round.size();
        context.progress.note("adaptive repetitions: round " + std::to_string(repetition + 1) + " for " +
                              std::to_string(wide.size()) + " cells whose interval is still too wide");
        if (!run_round(round)) return;
    }
}

}  // namespace platbench
