// `platbench compare A B`: two stored experiments cell by cell (before/after a
// kernel upgrade, one host against another), B's figures as ratios to A's.
#include <iostream>

#include "analysis/comparison_table.hpp"
#include "analysis/fingerprint.hpp"
#include "analysis/report.hpp"
#include "cli_common.hpp"
#include "store/result_store.hpp"

namespace platbench::cli {
namespace po = boost::program_options;

namespace {

struct Side {
    std::unique_ptr<ResultStore> store;
    ReportInput input;
    std::string name;
};

Side load_side(const std::string& results, std::optional<std::int64_t> id, const char* letter) {
    Side side;
    side.store = ResultStore::open_existing(results);
    side.input = load_report_input(*side.store, id);
    side.name = std::string(letter) + " = " + results + ", experiment " + std::to_string(side.input.experiment.id);
    return side;
}

}  // namespace

int command_compare(const Args& args) {
    po::options_description visible("platbench compare A B [options]  (A, B: results directories or .db files)");
    visible.add_options()("help,h", "show this help")(
        "experiment-a", po::value<std::int64_t>(), "the experiment of A (default: its newest)")(
        "experiment-b", po::value<std::int64_t>(), "the experiment of B (default: its newest)");
    po::options_description hidden;
    hidden.add_options()("A", po::value<std::string>(), "A")("B", po::value<std::string>(), "B");
    po::positional_options_description positional;
    positional.add("A", 1).add("B", 1);
    po::variables_map vm;
    const Parsed outcome = parse_command_line(args, "compare", visible, hidden, positional, "A", vm);
    if (outcome != Parsed::Proceed) return exit_code_for(outcome);
    if (vm.count("B") == 0) {
        std::cerr << "platbench compare: give two results: platbench compare A B\n";
        return kExitUsage;
    }
    const auto id_of = [&](const char* option) {
        return vm.count(option) != 0 ? std::optional(vm[option].as<std::int64_t>()) : std::nullopt;
    };
    const Side a = load_side(vm["A"].as<std::string>(), id_of("experiment-a"), "A");
    const Side b = load_side(vm["B"].as<std::string>(), id_of("experiment-b"), "B");

    std::cout << b.name << "\n" << a.name << "\n";
    const std::vector<std::string> differences =
        fingerprint_differences(a.input.experiment, a.input.runs, b.input.experiment, b.input.runs);
    for (const std::string& difference : differences)
        std::cout << "warning: the fingerprints differ, so the ratios mix the platform with this change: " << difference
                  << "\n";
    if (differences.empty()) std::cout << "the fingerprints of the platforms in both match\n";
    print_comparison(compare_experiments(a.input.runs, b.input.runs, "A"), std::cout);
    return kExitOk;
}

}  // namespace platbench::cli
