#include "matrix/matrix.hpp"

#include <random>

#include <cstdint>
#include <utility>

#include "config/combinations.hpp"
#include "platbench/hash.hpp"

namespace platbench {

namespace {

// "name=canonical value" per effective setting, sorted by name: equal text means equal settings.
void hash_settings(Sha256& hash, const ParamTable& table, const ParamValues& values) {
    for (const auto& [name, value] : values.all()) {
        std::string text = name + "=";
        for (const ParamSpec& spec : table) {
            if (spec.name == name) text += format_param_value(spec, value);
        }
        hash.update(text);
        hash.update("\n");
    }
}

std::string cell_config_hash(const PluginInstanceConfig& platform, const ParamValues& platform_settings,
                             const PluginInstanceConfig& workload, const ParamValues& workload_params) {
    Sha256 hash;
    hash.update("platbench cell v1\nplatform " + platform.plugin->name() + "\n");
    hash_settings(hash, platform.plugin->descriptor->params, platform_settings);
    hash.update("workload " + workload.plugin->name() + "\n");
    hash_settings(hash, workload.plugin->descriptor->params, workload_params);
    return hash.hex_digest();
}

std::string cell_id(const PluginInstanceConfig& platform, const Combination& platform_combination,
                    const PluginInstanceConfig& workload, const Combination& workload_combination) {
    std::string id = platform.name + "/" + workload.name;
    if (!platform_combination.label.empty()) id += "/" + platform_combination.label;
    if (!workload_combination.label.empty()) id += "/" + workload_combination.label;
    return id;
}

}  // namespace

std::vector<Cell> expand_matrix(const ExperimentConfig& config) {
    std::vector<std::vector<Combination>> platform_combinations, workload_combinations;
    for (const PluginInstanceConfig& platform : config.platforms) platform_combinations.push_back(combinations(platform));
    for (const PluginInstanceConfig& workload : config.workloads) workload_combinations.push_back(combinations(workload));

    std::vector<Cell> cells;
    cells.reserve(matrix_size(config));
    for (std::size_t p = 0; p < config.platforms.size(); ++p) {
        for (std::size_t w = 0; w < config.workloads.size(); ++w) {
            const PluginInstanceConfig& platform = config.platforms[p];
            const PluginInstanceConfig& workload = config.workloads[w];
            for (const Combination& platform_combination : platform_combinations[p]) {
                for (const Combination& workload_combination : workload_combinations[w]) {
                    Cell cell;
                    cell.index = cells.size();
                    cell.id = cell_id(platform, platform_combination, workload, workload_combination);
                    cell.platform = &platform;
                    cell.workload = &workload;
                    cell.platform_settings = platform_combination.values;
                    cell.workload_params = workload_combination.values;
                    cell.config_hash =
                        cell_config_hash(platform, cell.platform_settings, workload, cell.workload_params);
                    cells.push_back(std::move(cell));
                }
            }
        }
    }
    return cells;
}

std::string PlannedRun::key(const Cell& c) const {
    return c.id + "|" + c.config_hash.substr(0, 16) + "|" + (warmup ? "warmup " : "rep ") + std::to_string(repetition);
}

namespace {

// SplitMix64 (Steele, Lea and Flood): a tiny generator whose output is fixed by
// its definition, unlike std::shuffle's and std::uniform_int_distribution's.
class SplitMix64 {
public:
    explicit SplitMix64(std::uint64_t seed) : state_(seed) {}
    std::uint64_t next() {
        std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }
    // Uniform in [0, bound), without modulo bias (rejection of the short last range).
    std::uint64_t below(std::uint64_t bound) {
        const std::uint64_t limit = UINT64_MAX - UINT64_MAX % bound;
        std::uint64_t value;
        do value = next();
        while (value >= limit);
        return value % bound;
    }

private:
    std::uint64_t state_;
};

// Shuffles plan[start..] in place (Fisher-Yates).
void shuffle_tail(std::vector<PlannedRun>& plan, std::size_t start, SplitMix64& random) {
    for (std::size_t i = plan.size() - start; i > 1; --i) std::swap(plan[start + i - 1], plan[start + random.below(i)]);
}

// One round: every cell's run number `repetition`, in a shuffled order.
void append_round(std::vector<PlannedRun>& plan, std::size_t cells, int repetition, bool warmup,
                  SplitMix64& random) {
    const std::size_t start = plan.size();
    for (std::size_t cell = 0; cell < cells; ++cell) plan.push_back({cell, repetition, warmup});
    shuffle_tail(plan, start, random);
}

}  // namespace

std::vector<PlannedRun> plan_round(const std::vector<std::size_t>& cells, int repetition, std::uint64_t seed) {
    std::vector<PlannedRun> round;
    for (std::size_t cell : cells) round.push_back({cell, repetition, false});
    SplitMix64 random(seed);
    shuffle_tail(round, 0, random);
    return round;
}

std::uint64_t adaptive_round_seed(std::uint64_t experiment_seed, int repetition) {
    return experiment_seed + 0x9E3779B97F4A7C15ull * static_cast<std::uint64_t>(repetition);
}

std::vector<PlannedRun> plan_runs(const std::vector<Cell>& cells, const ExperimentConfig& config,
                                  std::uint64_t seed) {
    std::vector<PlannedRun> plan;
    plan.reserve(cells.size() * static_cast<std::size_t>(config.warmup + config.repetitions));
    if (config.order == RunOrder::Sequential) {
        for (const Cell& cell : cells) {
            for (int i = 0; i < config.warmup; ++i) plan.push_back({cell.index, i, true});
            for (int i = 0; i < config.repetitions; ++i) plan.push_back({cell.index, i, false});
        }
        return plan;
    }
    SplitMix64 random(seed);
    for (int i = 0; i < config.warmup; ++i) append_round(plan, cells.size(), i, true, random);
    for (int i = 0; i < config.repetitions; ++i) append_round(plan, cells.size(), i, false, random);
    return plan;
}

std::uint64_t fresh_order_seed() {
    std::random_device device;
    const std::uint64_t seed = (std::uint64_t{device()} << 32) ^ device();
    return seed & ((std::uint64_t{1} << 53) - 1);
}

}  // namespace platbench
