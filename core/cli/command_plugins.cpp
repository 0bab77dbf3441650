// `platbench plugins [NAME]`: what is installed, generated from the parameter tables.
#include <cmath>
#include <iostream>
#include <sstream>

#include "cli_common.hpp"

namespace platbench::cli {
namespace po = boost::program_options;

namespace {

const char* kind_name(PluginKind kind) { return kind == PluginKind::Workload ? "workload" : "platform"; }

std::string number_text(double value) {
    std::ostringstream out;
    out << value;
    return out.str();
}

// "1..64", ">= 2", "one of: psync, libaio" — the accepted values of a parameter.
std::string accepted_values(const ParamSpec& spec) {
    if (spec.type == ParamType::Choice) {
        std::string text;
        for (const auto& choice : spec.choices) text += (text.empty() ? "" : ", ") + choice;
        return "one of: " + text;
    }
    const bool has_min = std::isfinite(spec.min), has_max = std::isfinite(spec.max);
    if (has_min && has_max) return number_text(spec.min) + ".." + number_text(spec.max);
    if (has_min) return ">= " + number_text(spec.min);
    if (has_max) return "<= " + number_text(spec.max);
    return "";
}

void print_plugin_text(const LoadedPlugin& plugin, std::ostream& out) {
    const PluginDescriptor& d = *plugin.descriptor;
    out << d.name << " (" << kind_name(d.kind) << " plugin): " << d.description << "\n"
        << "  file: " << plugin.file.string() << "\n";
    if (d.params.empty()) {
        out << "  no parameters\n";
        return;
    }
    out << "  parameters:\n";
    for (const ParamSpec& spec : d.params) {
        out << "    " << spec.name << " (" << describe_param_type(spec.type);
        if (!spec.unit.empty()) out << ", " << spec.unit;
        out << ")";
        out << "  default: " << (spec.default_value.empty() ? "none" : spec.default_value);
        const std::string accepted = accepted_values(spec);
        if (!accepted.empty()) out << "  accepted: " << accepted;
        out << "\n        " << spec.help << "\n";
    }
}

void print_plugin_markdown(const LoadedPlugin& plugin, std::ostream& out) {
    const PluginDescriptor& d = *plugin.descriptor;
    out << "### `" << d.name << "` (" << kind_name(d.kind) << ")\n\n" << d.description << "\n\n";
    if (d.params.empty()) {
        out << "No parameters.\n\n";
        return;
    }
    out << "| parameter | type | default | unit | accepted | description |\n|---|---|---|---|---|---|\n";
    for (const ParamSpec& spec : d.params) {
        out << "| `" << spec.name << "` | " << describe_param_type(spec.type) << " | "
            << (spec.default_value.empty() ? "—" : "`" + spec.default_value + "`") << " | " << spec.unit << " | "
            << accepted_values(spec) << " | " << spec.help << " |\n";
    }
    out << "\n";
}

void print_listing(const PluginRegistry& registry, std::ostream& out) {
    for (PluginKind kind : {PluginKind::Platform, PluginKind::Workload}) {
        out << kind_name(kind) << " plugins:\n";
        for (const LoadedPlugin* plugin : registry.plugins(kind)) {
            out << "  " << plugin->name() << "  " << plugin->descriptor->description << "\n";
        }
    }
    out << "searched: ";
    for (const auto& dir : registry.searched_dirs()) out << dir.string() << " ";
    out << "\n`platbench plugins NAME` shows a plugin's parameters.\n";
}

}  // namespace

int command_plugins(const Args& args) {
    po::options_description visible("platbench plugins [NAME] [options]");
    visible.add_options()("help,h", "show this help")(
        "plugin-path", po::value<std::vector<std::string>>()->composing(), "also load plugins from this directory")(
        "format", po::value<std::string>()->default_value("text"), "text | markdown (the parameter reference)");
    po::options_description hidden;
    hidden.add_options()("NAME", po::value<std::string>(), "plugin name");
    po::positional_options_description positional;
    positional.add("NAME", 1);
    po::variables_map vm;
    const Parsed outcome = parse_command_line(args, "plugins", visible, hidden, positional, "", vm);
    if (outcome != Parsed::Proceed) return exit_code_for(outcome);
    const std::string format = vm["format"].as<std::string>();
    if (format != "text" && format != "markdown") {
        std::cerr << "platbench plugins: unknown --format '" << format << "' (valid: text, markdown)\n";
        return kExitUsage;
    }

    PluginRegistry registry;
    load_plugins(registry, vm.count("plugin-path") ? vm["plugin-path"].as<std::vector<std::string>>()
                                                   : std::vector<std::string>{});
    auto print = format == "markdown" ? print_plugin_markdown : print_plugin_text;
    int status = kExitOk;
    if (vm.count("NAME") != 0) {
        const std::string name = vm["NAME"].as<std::string>();
        bool found = false;
        for (const LoadedPlugin* plugin : registry.plugins()) {
            if (plugin->name() != name) continue;
            print(*plugin, std::cout);
            found = true;
        }
        if (!found) {
            std::cerr << "platbench plugins: no plugin named '" << name << "'\n";
            print_listing(registry, std::cerr);
            status = kExitUsage;
        }
    } else if (format == "markdown") {
        for (const LoadedPlugin* plugin : registry.plugins()) print(*plugin, std::cout);
    } else {
        print_listing(registry, std::cout);
    }
    // Refused files are reported on every listing: a silently missing plugin is worse.
    for (const PluginProblem& problem : registry.problems()) {
        std::cerr << "warning: plugin not loaded: " << problem.message << "\n";
    }
    return status;
}

}  // namespace platbench::cli
