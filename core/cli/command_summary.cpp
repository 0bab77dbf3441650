// `platbench summary RESULTS [--experiment ID] [--all]`: the answer at a glance
// of a stored experiment, the same text `platbench run` ends with; --all adds
// every metric of every cell, every comparison and every finding in full.
#include <iostream>

#include "analysis/glance.hpp"
#include "analysis/report.hpp"
#include "cli_common.hpp"
#include "store/result_store.hpp"

namespace platbench::cli {
namespace po = boost::program_options;

void print_details(const ReportInput& input, std::ostream& out) {
    out << "\nevery metric of every cell:\n";
    print_summary(input.summary, out);
    print_comparison(input.comparison, out);
    print_validity(input.findings, out);
}

int command_summary(const Args& args) {
    po::options_description visible("platbench summary RESULTS [options]  (RESULTS: results directory or .db file)");
    visible.add_options()("help,h", "show this help")(
        "experiment,e", po::value<std::int64_t>(), "the experiment id (default: the newest)")(
        "all,a", "then every metric of every cell, every comparison and every validity finding in full");
    po::variables_map vm;
    const Parsed outcome = parse_results_command_line(args, "summary", visible, vm);
    if (outcome != Parsed::Proceed) return exit_code_for(outcome);
    auto store = ResultStore::open_existing(vm["RESULTS"].as<std::string>());
    std::optional<std::int64_t> id;
    if (vm.count("experiment") != 0) id = vm["experiment"].as<std::int64_t>();
    const ReportInput input = load_report_input(*store, id);
    print_glance(input, std::cout);
    if (vm.count("all") != 0) print_details(input, std::cout);
    return kExitOk;
}

}  // namespace platbench::cli
