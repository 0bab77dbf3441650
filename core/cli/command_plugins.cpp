// `platbench plugins [NAME]`: what is installed, generated from the parameter tables.
#include <algorithm>
#include <cmath>
#include <iomanip>
#include <iostream>
#include <sstream>

#include "cli_common.hpp"

namespace platbench::cli {
namespace po = boost::program_options;

namespace {

const char* kind_name(PluginKind kind) { return kind == PluginKind::Workload ? "workload" : "platform"; }

// A bound as a user would write it: 4MiB rather than 4.1943e+06, 1000 rather than 1e+03.
std::string number_text(const ParamSpec& spec, double value) {
    struct Suffix {
        double factor;
        const char* text;
    };
    static const Suffix kBinary[] = {{1099511627776.0, "TiB"}, {1073741824.0, "GiB"}, {1048576.0, "MiB"}, {1024.0, "KiB"}};
    // Only suffixes the parser takes back: counts stop at G, sizes go on to TB.
    static const Suffix kDecimalSizes[] = {{1e12, "T"}, {1e9, "G"}, {1e6, "M"}, {1e3, "k"}};
    static const Suffix kCounts[] = {{1e9, "G"}, {1e6, "M"}, {1e3, "k"}};
    auto scaled = [&](const Suffix* begin, const Suffix* end, const char* unit_tail) -> std::string {
        for (const Suffix* s = begin; s != end; ++s) {
            const double count = value / s->factor;
            if (count >= 1 && count == std::floor(count) && count <= 1e6) {
                return number_text(ParamSpec{}, count) + s->text + unit_tail;
            }
        }
        return "";
    };
    std::string text;
    if (spec.type == ParamType::Size) {
        text = scaled(std::begin(kBinary), std::end(kBinary), "");
        if (text.empty()) text = scaled(std::begin(kDecimalSizes), std::end(kDecimalSizes), "B");
    } else if (spec.type == ParamType::Count) {
        text = scaled(std::begin(kCounts), std::end(kCounts), "");
    }
    if (!text.empty()) return text;
    std::ostringstream out;
    if (value == std::floor(value) && std::fabs(value) < 1e15) {
        out << std::fixed << std::setprecision(0) << value;
    } else {
        out << value;
    }
    return out.str();
}

// "1..64", ">= 2", "one of: psync, libaio" — the accepted values of a parameter.
std::string accepted_values(const ParamSpec& spec) {
    if (spec.type == ParamType::Choice) {
        std::string text;
        for (const auto& choice : spec.choices) text += (text.empty() ? "" : ", ") + choice;
        return "one of: " + text;
    }
    const NumericRange range = numeric_range(spec);
    if (range.low && range.high) return number_text(spec, *range.low) + ".." + number_text(spec, *range.high);
    if (range.low) return ">= " + number_text(spec, *range.low);
    if (range.high) return "<= " + number_text(spec, *range.high);
    return "";
}

// "headline, central" / "central" / "": what the metric is for.
std::string roles_text(const MetricSpec& metric) {
    std::string text = (metric.roles & kMetricHeadline) != 0 ? "headline" : "";
    if ((metric.roles & kMetricCentral) != 0) text += text.empty() ? "central" : ", central";
    return text;
}

void print_metrics_text(const PluginDescriptor& d, std::ostream& out) {
    if (d.metrics.empty()) return;
    out << "  metrics (headline: leads the summary and the report; central: judged by the validity checks):\n";
    for (const MetricSpec& metric : d.metrics) {
        out << "    " << metric.name << " (" << metric.unit << ", "
            << (metric.better == Better::None ? std::string("no better direction")
                                              : std::string(better_name(metric.better)) + " is better");
        if (!roles_text(metric).empty()) out << ", " << roles_text(metric);
        out << ")  " << metric.help << "\n";
    }
}

void print_metrics_markdown(const PluginDescriptor& d, std::ostream& out) {
    if (d.metrics.empty()) return;
    out << "| metric | unit | better | role | description |\n|---|---|---|---|---|\n";
    for (const MetricSpec& metric : d.metrics)
        out << "| `" << metric.name << "` | " << metric.unit << " | " << better_name(metric.better) << " | "
            << roles_text(metric) << " | " << metric.help << " |\n";
    out << "\n";
}

// What the descriptor's flags and fingerprint declarations mean for a user, one sentence each.
std::vector<std::string> trait_sentences(const PluginDescriptor& d) {
    std::vector<std::string> sentences;
    const auto flagged = [&](std::uint32_t flag) { return (d.flags & flag) != 0; };
    if (flagged(kPlatformBaseline))
        sentences.push_back("the default baseline: bare metal, what the other platforms are compared with when an "
                            "experiment names no `baseline:`");
    if (flagged(kPlatformVirtualMachine))
        sentences.push_back("each run is a virtual machine of its own: `cpus` and `memory` size the VM");
    if (flagged(kPlatformNeedsBundle))
        sentences.push_back("runs the runner from the bundle (an image or a VM made from it)");
    if (flagged(kWorkloadBlockIo)) sentences.push_back("block I/O: the page-cache checks judge its runs");
    if (flagged(kWorkloadUsesWorkDir)) sentences.push_back("does its I/O in a work directory made for each run");
    std::string identifying;
    for (const ParamSpec& spec : d.params)
        if (spec.fingerprint) identifying += (identifying.empty() ? "" : ", ") + spec.name;
    for (const std::string& key : d.fingerprint_metadata) identifying += (identifying.empty() ? "" : ", ") + key;
    if (!identifying.empty())
        sentences.push_back("`platbench compare` says when two experiments differ in " + identifying);
    return sentences;
}

void print_plugin_text(const LoadedPlugin& plugin, std::ostream& out) {
    const PluginDescriptor& d = *plugin.descriptor;
    out << d.name << " (" << kind_name(d.kind) << " plugin): " << d.description << "\n"
        << "  file: " << plugin.file.string() << "\n";
    for (const std::string& sentence : trait_sentences(d)) out << "  " << sentence << "\n";
    if (d.params.empty()) {
        out << "  no parameters\n";
        print_metrics_text(d, out);
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
    print_metrics_text(d, out);
}

void print_plugin_markdown(const LoadedPlugin& plugin, std::ostream& out) {
    const PluginDescriptor& d = *plugin.descriptor;
    out << "### `" << d.name << "` (" << kind_name(d.kind) << ")\n\n" << d.description << "\n\n";
    const std::vector<std::string> traits = trait_sentences(d);
    for (const std::string& sentence : traits) out << "- " << sentence << "\n";
    if (!traits.empty()) out << "\n";
    if (d.params.empty()) {
        out << "No parameters.\n\n";
    } else {
        out << "| parameter | type | default | unit | accepted | description |\n|---|---|---|---|---|---|\n";
        for (const ParamSpec& spec : d.params) {
            out << "| `" << spec.name << "` | " << describe_param_type(spec.type) << " | "
                << (spec.default_value.empty() ? "—" : "`" + spec.default_value + "`") << " | " << spec.unit << " | "
                << accepted_values(spec) << " | " << spec.help << " |\n";
        }
        out << "\n";
    }
    print_metrics_markdown(d, out);
}

// The whole parameter reference (docs/plugins.md): platforms, then workloads, each by name.
void print_reference(const PluginRegistry& registry, std::ostream& out) {
    out << "# Plugin reference\n\n"
           "Generated by `platbench plugins --format markdown` from each plugin's parameter table, the same\n"
           "table that validates experiment files, and each workload's metric table (its headline metrics lead\n"
           "the summary and the report; its central metrics are the ones the validity checks judge). Sizes\n"
           "take `KiB`/`MiB`/`GiB` (1024-based) or `kB`/`MB`/`GB` (1000-based), counts `k`/`M`/`G`, durations\n"
           "`ms`/`s`/`m`/`h`; any parameter given as a list is a matrix dimension.\n\n";
    for (PluginKind kind : {PluginKind::Platform, PluginKind::Workload}) {
        out << "## " << (kind == PluginKind::Platform ? "Platforms" : "Workloads") << "\n\n";
        std::vector<const LoadedPlugin*> plugins = registry.plugins(kind);
        std::sort(plugins.begin(), plugins.end(),
                  [](const LoadedPlugin* a, const LoadedPlugin* b) { return a->name() < b->name(); });
        for (const LoadedPlugin* plugin : plugins) print_plugin_markdown(*plugin, out);
    }
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
        print_reference(registry, std::cout);
    } else {
        print_listing(registry, std::cout);
    }
    // Refused files are reported on every listing: a silently missing plugin is worse.
    warn_about_refused_plugins(registry, std::cerr);
    return status;
}

}  // namespace platbench::cli
