// Shared pieces of the platbench subcommands: exit codes, plugin loading, errors.
#pragma once

#include <atomic>
#include <iosfwd>
#include <string>
#include <vector>

#include <boost/program_options.hpp>

#include "plugin/registry.hpp"

namespace platbench {
struct ReportInput;
}

namespace platbench::cli {

// Documented in README.md ("Exit codes") and `platbench --help`.
enum ExitCode : int {
    kExitOk = 0,           // everything ran (skipped platforms are not failures)
    kExitRunsFailed = 1,   // the experiment finished, some runs failed
    kExitUsage = 2,        // bad command line or experiment file: nothing was run or written
    kExitRuntime = 3,      // could not proceed: results database, plugins, I/O
    kExitInterrupted = 130 // Ctrl-C / SIGTERM: completed runs are kept; --resume continues
};

using Args = std::vector<std::string>;

enum class Parsed { Proceed, HelpShown, Usage };

// Parses a subcommand's arguments. `hidden` holds the positional options (named in
// `positional`); `required` names one that must be present, or is empty.
// Prints help / usage errors itself; throws nothing for bad input.
Parsed parse_command_line(const Args& args, const std::string& command,
                          const boost::program_options::options_description& visible,
                          const boost::program_options::options_description& hidden,
                          const boost::program_options::positional_options_description& positional,
                          const std::string& required, boost::program_options::variables_map& vm);

// parse_command_line for the commands that read stored results (export, summary,
// report): one positional argument, RESULTS (a results directory or .db file), required.
Parsed parse_results_command_line(const Args& args, const std::string& command,
                                  const boost::program_options::options_description& visible,
                                  boost::program_options::variables_map& vm);

// kExitOk for help, kExitUsage for errors; only for outcomes other than Proceed.
int exit_code_for(Parsed outcome);

// The default search dirs plus --plugin-path dirs, loaded.
void load_plugins(PluginRegistry& registry, const std::vector<std::string>& extra_dirs);

// One warning line per refused plugin file, the same whichever way its directory
// was named (installation, $PLATBENCH_PLUGIN_PATH, --plugin-path, plugin_path:).
void warn_about_refused_plugins(const PluginRegistry& registry, std::ostream& out);

// Set by SIGINT/SIGTERM once install_interrupt_handlers() ran.
const std::atomic<bool>& interrupt_flag();
void install_interrupt_handlers();

bool stderr_is_terminal();

int command_run(const Args& args, bool validate_only);
int command_plugins(const Args& args);
int command_export(const Args& args);
int command_clean(const Args& args);
int command_report(const Args& args);
int command_compare(const Args& args);
int command_summary(const Args& args);

// Every metric of every cell, every comparison and every validity finding in full
// (`--all` of summary and run).
void print_details(const ReportInput& input, std::ostream& out);
int command_slurm_job(const Args& args);  // internal: what a Slurm job runs on its node

}  // namespace platbench::cli
