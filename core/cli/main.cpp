// platbench: run virtualisation benchmark experiments and keep every result.
#include <iostream>
#include <string>
#include <string_view>

#include "cli_common.hpp"

namespace {

constexpr const char* kUsage = R"(usage: platbench <command> [options]

commands:
  run FILE        run an experiment file (--dry-run, --resume, --output DIR)
  validate FILE   check an experiment file and print its expanded matrix
  plugins [NAME]  list the plugins found, or show one plugin's parameters
  export RESULTS  write stored results as CSV or JSON (--format csv|json)
  summary RESULTS the answer at a glance of a stored experiment (--all: every detail)
  report RESULTS  write an experiment's report: report.md, report.html, figures (gnuplot)
  compare A B     compare two stored experiments cell by cell (B as ratios to A)
  clean           remove leftovers of interrupted runs (containers, cgroups, ...)

`platbench <command> --help` describes a command's options.

exit codes:
  0    success (runs of platforms not available here are recorded as skipped)
  1    the experiment finished but some runs failed
  2    bad command line or experiment file: nothing was run or written
  3    could not proceed (results database, plugins, I/O)
  130  interrupted: completed runs are kept, `platbench run FILE --resume` continues
)";

}  // namespace

int main(int argc, char** argv) {
    using namespace platbench::cli;
    if (argc < 2) {
        std::cerr << kUsage;
        return kExitUsage;
    }
    const std::string_view command = argv[1];
    const Args args(argv + 2, argv + argc);
    try {
        if (command == "run") return command_run(args, false);
        if (command == "validate") return command_run(args, true);
        if (command == "plugins") return command_plugins(args);
        if (command == "export") return command_export(args);
        if (command == "clean") return command_clean(args);
        if (command == "report") return command_report(args);
        if (command == "compare") return command_compare(args);
        if (command == "summary") return command_summary(args);
        if (command == "slurm-job") return command_slurm_job(args);
        if (command == "--help" || command == "-h" || command == "help") {
            std::cout << kUsage;
            return kExitOk;
        }
        if (command == "--version") {
            std::cout << "platbench " << PLATBENCH_CLI_VERSION << "\n";
            return kExitOk;
        }
    } catch (const std::exception& e) {
        std::cerr << "platbench " << command << ": " << e.what() << "\n";
        return kExitRuntime;
    }
    std::cerr << "platbench: unknown command '" << command << "'\n\n" << kUsage;
    return kExitUsage;
}
