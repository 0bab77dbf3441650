#include "cli_common.hpp"

#include <signal.h>
#include <unistd.h>

#include <iostream>

namespace platbench::cli {
namespace {
std::atomic<bool> g_interrupted{false};

void on_interrupt(int) { g_interrupted.store(true); }
}  // namespace

void load_plugins(PluginRegistry& registry, const std::vector<std::string>& extra_dirs) {
    for (const SearchDir& search : PluginRegistry::default_search_dirs()) registry.load_directory(search.dir, search.origin);
    for (const auto& dir : extra_dirs) registry.load_directory(dir, "--plugin-path");
}

void warn_about_refused_plugins(const PluginRegistry& registry, std::ostream& out) {
    for (const PluginProblem& problem : registry.problems())
        out << "warning: plugin not loaded: " << describe(problem) << "\n";
}

const std::atomic<bool>& interrupt_flag() { return g_interrupted; }

void install_interrupt_handlers() {
    struct sigaction action {};
    action.sa_handler = on_interrupt;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, nullptr);
    sigaction(SIGTERM, &action, nullptr);
    sigaction(SIGHUP, &action, nullptr);
}

Parsed parse_command_line(const Args& args, const std::string& command,
                          const boost::program_options::options_description& visible,
                          const boost::program_options::options_description& hidden,
                          const boost::program_options::positional_options_description& positional,
                          const std::string& required, boost::program_options::variables_map& vm) {
    namespace po = boost::program_options;
    po::options_description all;
    all.add(visible).add(hidden);
    try {
        po::store(po::command_line_parser(args).options(all).positional(positional).run(), vm);
        po::notify(vm);
    } catch (const po::error& e) {
        std::cerr << "platbench " << command << ": " << e.what() << "\n\n" << visible;
        return Parsed::Usage;
    }
    if (vm.count("help") != 0) {
        std::cout << visible;
        return Parsed::HelpShown;
    }
    if (!required.empty() && vm.count(required) == 0) {
        std::cerr << "platbench " << command << ": missing " << required << "\n\n" << visible;
        return Parsed::Usage;
    }
    return Parsed::Proceed;
}

Parsed parse_results_command_line(const Args& args, const std::string& command,
                                  const boost::program_options::options_description& visible,
                                  boost::program_options::variables_map& vm) {
    namespace po = boost::program_options;
    po::options_description hidden;
    hidden.add_options()("RESULTS", po::value<std::string>(), "results");
    po::positional_options_description positional;
    positional.add("RESULTS", 1);
    return parse_command_line(args, command, visible, hidden, positional, "RESULTS", vm);
}

int exit_code_for(Parsed outcome) { return outcome == Parsed::HelpShown ? kExitOk : kExitUsage; }

bool stderr_is_terminal() { return isatty(STDERR_FILENO) != 0; }

}  // namespace platbench::cli
