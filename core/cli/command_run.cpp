// `platbench run FILE` and `platbench validate FILE`.
#include <iostream>
#include <optional>

#include <boost/program_options.hpp>

#include "cli_common.hpp"
#include "config/combinations.hpp"
#include "config/experiment.hpp"
#include "config/limits.hpp"
#include "analysis/glance.hpp"
#include "analysis/report.hpp"
#include "engine/engine.hpp"
#include "engine/experiment_session.hpp"
#include "analysis/summary.hpp"
#include "matrix/matrix.hpp"
#include "slurm/slurm_execution.hpp"
#include "store/result_store.hpp"

namespace platbench::cli {
namespace po = boost::program_options;

namespace {

struct RunArguments {
    std::string file;
    bool dry_run = false;
    bool resume = false;
    bool quiet = false;
    bool all = false;  // every detail after the answer at a glance
    std::optional<int> repetitions;  // overrides the file's repetitions: / warmup:
    std::optional<int> warmup;
    std::string output;
    std::vector<std::string> plugin_path;
};

std::string settings_text(const PluginInstanceConfig& instance, const ParamValues& values) {
    std::string text;
    for (const ParamSpec& spec : instance.plugin->descriptor->params) {
        auto it = values.all().find(spec.name);
        if (it == values.all().end()) continue;
        text += (text.empty() ? "" : ", ") + spec.name + "=" + format_param_value(spec, it->second);
    }
    return text.empty() ? "(no settings)" : text;
}

// Where each platform's job array would go.
void print_slurm_placements(const ExperimentConfig& config, std::ostream& out) {
    out << "executor slurm: one job array per platform, a task per " << (config.slurm.job_per_run ? "run" : "cell")
        << (config.slurm.exclusive ? ", exclusive nodes" : "") << "\n";
    for (const PluginInstanceConfig& platform : config.platforms) {
        const SlurmPlacement placement = config.slurm.placement_of(platform.name);
        std::string where;
        for (const auto& [what, value] : {std::pair<const char*, std::string>{"partition", placement.partition},
                                          {"account", placement.account}, {"nodes", placement.nodes},
                                          {"constraint", placement.constraint}})
            if (!value.empty()) where += std::string(where.empty() ? "" : ", ") + what + " " + value;
        out << "  " << platform.name << ": " << (where.empty() ? "any node" : where) << "\n";
    }
}

void print_matrix(const ExperimentConfig& config, const std::vector<Cell>& cells, const std::string& output,
                  std::ostream& out) {
    const std::size_t runs_per_cell = static_cast<std::size_t>(config.repetitions + config.warmup);
    out << "experiment '" << config.name << "' (" << config.file.string() << "): " << cells.size() << " cells x ("
        << config.repetitions << " repetitions + " << config.warmup << " warmup) = " << cells.size() * runs_per_cell
        << " runs; timeout " << config.timeout_seconds << " s per run; results in " << output << "\n";
    if (config.executor == Executor::Slurm) print_slurm_placements(config, out);
    for (const Cell& cell : cells) {
        out << "  " << cell.id << "\n"
            << "      platform " << cell.platform->plugin->name() << ": " << settings_text(*cell.platform, cell.platform_settings)
            << "\n"
            << "      workload " << cell.workload->plugin->name() << ": " << settings_text(*cell.workload, cell.workload_params)
            << "\n";
    }
}

po::options_description run_options(bool validate_only) {
    po::options_description options(validate_only ? "platbench validate FILE [options]" : "platbench run FILE [options]");
    options.add_options()("help,h", "show this help")(
        "plugin-path", po::value<std::vector<std::string>>()->composing(), "also load plugins from this directory (repeatable)");
    if (!validate_only) {
        options.add_options()("dry-run,n", "validate and print the expanded matrix; run nothing")(
            "resume", "continue the newest stored experiment of this name: run only the runs not stored yet")(
            "output,o", po::value<std::string>(), "results directory (overrides the file's `output:`)")(
            "quiet,q", "no progress display")(
            "all,a", "after the answer at a glance, every metric of every cell, comparison and finding in full")(
            "repetitions", po::value<int>(), "measured runs per cell (overrides the file's `repetitions:`)")(
            "warmup", po::value<int>(), "warmup runs per cell (overrides the file's `warmup:`)");
    }
    return options;
}

Parsed parse(const Args& args, bool validate_only, RunArguments& parsed) {
    const po::options_description visible = run_options(validate_only);
    po::options_description hidden;
    hidden.add_options()("FILE", po::value<std::string>(), "experiment file");
    po::positional_options_description positional;
    positional.add("FILE", 1);
    po::variables_map vm;
    const Parsed outcome =
        parse_command_line(args, validate_only ? "validate" : "run", visible, hidden, positional, "FILE", vm);
    if (outcome != Parsed::Proceed) return outcome;
    parsed.file = vm["FILE"].as<std::string>();
    parsed.dry_run = vm.count("dry-run") != 0;
    parsed.resume = vm.count("resume") != 0;
    parsed.quiet = vm.count("quiet") != 0;
    parsed.all = vm.count("all") != 0;
    if (vm.count("repetitions") != 0) parsed.repetitions = vm["repetitions"].as<int>();
    if (vm.count("warmup") != 0) parsed.warmup = vm["warmup"].as<int>();
    if (vm.count("output") != 0) parsed.output = vm["output"].as<std::string>();
    if (vm.count("plugin-path") != 0) parsed.plugin_path = vm["plugin-path"].as<std::vector<std::string>>();
    return Parsed::Proceed;
}

// --repetitions / --warmup replace the file's values, e.g. for one quick pass over
// a large experiment. False (with the reason said) when a value is out of range.
bool apply_overrides(const RunArguments& parsed, ExperimentConfig& config) {
    if (parsed.repetitions) {
        if (*parsed.repetitions < 1 || *parsed.repetitions > kMaxRepetitions) {
            std::cerr << "platbench run: --repetitions must be between 1 and " << kMaxRepetitions << "\n";
            return false;
        }
        if (config.adaptive && config.adaptive->max_repetitions < *parsed.repetitions) {
            std::cerr << "platbench run: --repetitions " << *parsed.repetitions << " is above the file's max_repetitions "
                      << config.adaptive->max_repetitions << "\n";
            return false;
        }
        config.repetitions = *parsed.repetitions;
    }
    if (parsed.warmup) {
        if (*parsed.warmup < 0 || *parsed.warmup > kMaxWarmup) {
            std::cerr << "platbench run: --warmup must be between 0 and " << kMaxWarmup << "\n";
            return false;
        }
        config.warmup = *parsed.warmup;
    }
    const std::size_t runs = matrix_size(config) * static_cast<std::size_t>(config.repetitions + config.warmup);
    if (runs > kMaxRuns) {
        std::cerr << "platbench run: with --repetitions/--warmup the experiment would plan " << runs
                  << " runs, more than " << kMaxRuns << "\n";
        return false;
    }
    return true;
}

int report_outcome(const EngineReport& report, bool all) {
    auto store = ResultStore::open_existing(report.database);
    const ReportInput input = load_report_input(*store, report.experiment_id);
    std::cout << "\n";
    print_glance(input, std::cout);
    if (all) print_details(input, std::cout);
    std::cout << "\n" << report.ok << " ok, " << report.failed << " failed, " << report.skipped << " skipped";
    if (report.already_done != 0) std::cout << ", " << report.already_done << " already stored";
    std::cout << "; results: " << report.database.string() << " (experiment " << report.experiment_id << ")\n";
    const std::string results_dir = report.database.parent_path().string();
    std::cout << "every detail: platbench summary " << results_dir << " --all\n"
              << "the report:   platbench report " << results_dir << "\n";
    if (report.interrupted) {
        std::cerr << "interrupted: completed runs are stored; continue with `platbench run <file> --resume`\n";
        return kExitInterrupted;
    }
    return report.failed != 0 ? kExitRunsFailed : kExitOk;
}

}  // namespace

int command_run(const Args& args, bool validate_only) {
    RunArguments parsed;
    const Parsed outcome = parse(args, validate_only, parsed);
    if (outcome != Parsed::Proceed) return exit_code_for(outcome);
    PluginRegistry registry;
    load_plugins(registry, parsed.plugin_path);
    ExperimentConfig config;
    try {
        config = load_experiment(parsed.file, registry);
        warn_about_refused_plugins(registry, std::cerr);
    } catch (const ConfigErrors& e) {
        warn_about_refused_plugins(registry, std::cerr);
        std::cerr << format_config_errors(e.errors());
        std::cerr << e.errors().size() << (e.errors().size() == 1 ? " error" : " errors")
                  << " in " << parsed.file << "; nothing was run\n";
        return kExitUsage;
    }
    if (!apply_overrides(parsed, config)) return kExitUsage;
    const std::string output = parsed.output.empty() ? config.output_dir.string() : parsed.output;
    if (validate_only || parsed.dry_run) {
        print_matrix(config, expand_matrix(config), output, std::cout);
        std::cout << (validate_only ? "valid\n" : "dry run: nothing was run or written\n");
        return kExitOk;
    }
    install_interrupt_handlers();
    EngineOptions options;
    options.resume = parsed.resume;
    if (!parsed.output.empty()) options.output_dir = parsed.output;
    options.interrupt = &interrupt_flag();
    options.progress = parsed.quiet ? nullptr : &std::cerr;
    options.progress_is_terminal = stderr_is_terminal();
    try {
        return report_outcome(config.executor == Executor::Slurm ? slurm::run_experiment_on_slurm(config, options)
                                                                 : run_experiment(config, options),
                              parsed.all);
    } catch (const ResumeRefused& refused) {
        std::cerr << "platbench run: " << refused.what() << "\nnothing was run\n";
        return kExitUsage;
    }
}

}  // namespace platbench::cli
