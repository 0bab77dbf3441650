// `platbench export RESULTS --format csv|json [--aggregate]`: results for pandas and spreadsheets.
#include <fstream>
#include <iostream>

#include "analysis/aggregate_export.hpp"
#include "cli_common.hpp"
#include "store/result_store.hpp"

namespace platbench::cli {
namespace po = boost::program_options;

int command_export(const Args& args) {
    po::options_description visible("platbench export RESULTS [options]  (RESULTS: results directory or .db file)");
    visible.add_options()("help,h", "show this help")(
        "format,f", po::value<std::string>()->default_value("csv"), "csv (one row per run and metric) | json (everything)")(
        "aggregate,a", "csv: one row per cell and metric with its statistics and its ratio to the baseline")(
        "experiment,e", po::value<std::int64_t>(), "only this experiment id (default: all)")(
        "output,o", po::value<std::string>(), "write to this file (default: standard output)");
    po::variables_map vm;
    const Parsed outcome = parse_results_command_line(args, "export", visible, vm);
    if (outcome != Parsed::Proceed) return exit_code_for(outcome);

    const std::string format_name = vm["format"].as<std::string>();
    if (format_name != "csv" && format_name != "json") {
        std::cerr << "platbench export: unknown --format '" << format_name << "' (valid: csv, json)\n";
        return kExitUsage;
    }
    const ExportFormat format = format_name == "csv" ? ExportFormat::Csv : ExportFormat::Json;
    const bool aggregate = vm.count("aggregate") != 0;
    if (aggregate && format != ExportFormat::Csv) {
        std::cerr << "platbench export: --aggregate writes CSV; leave out --format json\n";
        return kExitUsage;
    }
    std::optional<std::int64_t> experiment;
    if (vm.count("experiment") != 0) experiment = vm["experiment"].as<std::int64_t>();

    auto store = ResultStore::open_existing(vm["RESULTS"].as<std::string>());
    const auto write = [&](std::ostream& out) {
        if (aggregate) export_aggregated_csv(*store, experiment, out);
        else export_results(*store, experiment, format, out);
    };
    if (vm.count("output") == 0) {
        write(std::cout);
        return kExitOk;
    }
    const std::string path = vm["output"].as<std::string>();
    // Written next to the target and renamed, so a failed export never leaves half a file.
    const std::string partial = path + ".partial";
    {
        std::ofstream out(partial, std::ios::binary | std::ios::trunc);
        if (!out) throw std::runtime_error("cannot write " + partial);
        write(out);
        out.flush();
        if (!out) throw std::runtime_error("error writing " + partial);
    }
    std::filesystem::rename(partial, path);
    return kExitOk;
}

}  // namespace platbench::cli
