// Experiment files. The whole file is checked before anything runs and every
// problem is collected, so a user fixes a file in one pass rather than one error
// per attempt (config/experiment_checker.hpp). The experiment's own keys are
// described by a ParamTable, so they are parsed and reported exactly like plugin
// parameters (config/key_tables.hpp).
#include "config/experiment.hpp"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <limits>
#include <sstream>

#include "config/experiment_checker.hpp"
#include "config/text_checks.hpp"
#include "platbench/hash.hpp"

namespace platbench {
namespace fs = std::filesystem;

namespace {

std::size_t edit_distance(const std::string& a, const std::string& b) {
    std::vector<std::size_t> previous(b.size() + 1), current(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) previous[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        current[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const bool same = std::tolower(static_cast<unsigned char>(a[i - 1])) ==
                              std::tolower(static_cast<unsigned char>(b[j - 1]));
            current[j] = std::min({previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (same ? 0 : 1)});
        }
        std::swap(previous, current);
    }
    return previous[b.size()];
}

}  // namespace

SlurmPlacement SlurmSettings::placement_of(const std::string& platform) const {
    SlurmPlacement placement = defaults;
    auto it = platforms.find(platform);
    if (it == platforms.end()) return placement;
    for (auto [mine, given] : {std::pair{&placement.partition, &it->second.partition},
                               std::pair{&placement.account, &it->second.account},
                               std::pair{&placement.nodes, &it->second.nodes},
                               std::pair{&placement.constraint, &it->second.constraint}})
        if (!given->empty()) *mine = *given;
    if (it->second.time_limit_seconds > 0) placement.time_limit_seconds = it->second.time_limit_seconds;
    return placement;
}

std::string format_config_errors(const std::vector<ConfigError>& errors) {
    std::ostringstream out;
    for (const ConfigError& error : errors) {
        out << error.where.file;
        if (error.where.line > 0) out << ":" << error.where.line << ":" << error.where.column;
        out << ": error: " << error.message << "\n";
        if (!error.hint.empty()) out << "  hint: " << error.hint << "\n";
    }
    return out.str();
}

ConfigErrors::ConfigErrors(std::vector<ConfigError> errors)
    : std::runtime_error(format_config_errors(errors)), errors_(std::move(errors)) {}

std::string did_you_mean(const std::string& word, const std::vector<std::string>& choices) {
    std::string best;
    std::size_t best_distance = std::numeric_limits<std::size_t>::max();
    for (const std::string& choice : choices) {
        const std::size_t distance = edit_distance(word, choice);
        if (distance < best_distance) {
            best_distance = distance;
            best = choice;
        }
    }
    // Close enough to be a typo: a couple of edits, or a third of the word.
    const std::size_t allowed = std::max<std::size_t>(2, word.size() / 3);
    return best_distance <= allowed && best_distance < word.size() ? best : "";
}

ExperimentConfig load_experiment_text(const std::string& text, const std::string& display_name,
                                      const fs::path& base_dir, PluginRegistry& registry,
                                      const ExperimentLoadOptions& options) {
    experiment_checking::ExperimentChecker checker(display_name, base_dir, registry, options);
    ExperimentConfig config = checker.check(text);
    config.file = display_name;
    config.file_hash = sha256_hex(text);
    return config;
}

// Reads at most one byte more than an experiment file may have, so /dev/zero or a
// huge file given by mistake costs nothing; the text checks then refuse it.
std::string read_experiment_file(const fs::path& file) {
    std::error_code ec;
    if (fs::is_directory(file, ec)) {
        throw ConfigErrors({{{file.string(), 0, 0}, "is a directory, not an experiment file", ""}});
    }
    if (fs::is_regular_file(file, ec) && fs::file_size(file, ec) > kMaxExperimentFileBytes && !ec) {
        const TextProblem problem = file_too_large(fs::file_size(file, ec));
        throw ConfigErrors({{{file.string(), problem.line, problem.column}, problem.message, problem.hint}});
    }
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        throw ConfigErrors({{{file.string(), 0, 0}, "cannot read the experiment file", "check the path and permissions"}});
    }
    std::string text(kMaxExperimentFileBytes + 1, '\0');
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    if (in.bad()) throw ConfigErrors({{{file.string(), 0, 0}, "error reading the experiment file", ""}});
    text.resize(static_cast<std::size_t>(in.gcount()));
    return text;
}

ExperimentConfig load_experiment(const fs::path& file, PluginRegistry& registry) {
    const std::string text = read_experiment_file(file);
    const fs::path base_dir = fs::absolute(file).parent_path();
    ExperimentConfig config = load_experiment_text(text, file.string(), base_dir, registry);
    config.file = file;
    return config;
}

}  // namespace platbench
