// `platbench report RESULTS [--output DIR]`: an experiment's report directory.
#include <iostream>

#include "analysis/report.hpp"
#include "cli_common.hpp"
#include "store/result_store.hpp"

namespace platbench::cli {
namespace po = boost::program_options;

int command_report(const Args& args) {
    po::options_description visible("platbench report RESULTS [options]  (RESULTS: results directory or .db file)");
    visible.add_options()("help,h", "show this help")(
        "experiment,e", po::value<std::int64_t>(), "the experiment id (default: the newest)")(
        "output,o", po::value<std::string>(), "report directory (default: RESULTS/report-<experiment id>)");
    po::variables_map vm;
    const Parsed outcome = parse_results_command_line(args, "report", visible, vm);
    if (outcome != Parsed::Proceed) return exit_code_for(outcome);

    const std::filesystem::path results = vm["RESULTS"].as<std::string>();
    auto store = ResultStore::open_existing(results);
    std::optional<std::int64_t> id;
    if (vm.count("experiment") != 0) id = vm["experiment"].as<std::int64_t>();
    const ReportInput input = load_report_input(*store, id);
    const std::filesystem::path base = std::filesystem::is_directory(results) ? results : results.parent_path();
    const std::filesystem::path dir = vm.count("output") != 0
                                          ? std::filesystem::path(vm["output"].as<std::string>())
                                          : base / ("report-" + std::to_string(input.experiment.id));
    const std::string problem = write_report(input, dir);
    if (!problem.empty()) std::cerr << "platbench report: figures not drawn: " << problem << "\n";
    std::cout << "report: " << (dir / "report.html").string() << " and report.md (" << input.runs.size()
              << " runs, " << input.findings.size() << " validity findings)\n";
    return kExitOk;
}

}  // namespace platbench::cli
