// The checker's slurm: section: job settings, the default placement and each
// platform's placement, with text Slurm takes as one option value.
#include <algorithm>
#include <cctype>
#include <string_view>

#include "config/experiment_checker.hpp"
#include "config/key_tables.hpp"

namespace platbench::experiment_checking {
namespace {

// Text given to Slurm as one option value: node lists, features, partitions.
bool is_slurm_word(const std::string& text) {
    return !text.empty() && text.front() != '-' && std::all_of(text.begin(), text.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) != 0 || std::string_view("_.-,[]&|!:*()").find(c) != std::string_view::npos;
    });
}

}  // namespace

// `slurm:`: job settings, default placement, and placements per platform.
void ExperimentChecker::read_slurm(const Entries& keys, ExperimentConfig& config) {
    auto given = keys.find("slurm");
    if (given == keys.end()) return;
    if (config.executor != Executor::Slurm) {
        add(given->second.key.Mark(), "'slurm:' settings apply only with 'executor: slurm'",
            "add 'executor: slurm', or remove the slurm: settings");
        return;
    }
    const YAML::Node& node = given->second.value;
    if (node.IsNull()) return;
    if (!node.IsMap()) {
        add(node.Mark(), "'slurm' must be a mapping of settings, found " + describe_node(node), "");
        return;
    }
    std::vector<std::string> known = {"platforms"};
    for (const auto* table : {&slurm_placement_table(), &slurm_job_table()})
        for (const ParamSpec& spec : *table) known.push_back(spec.name);
    const Entries entries = mapping_entries(node, &known, " in slurm:");
    config.slurm.defaults = read_placement(entries, "slurm: ");
    const ParamValues job = read_values(slurm_job_table(), entries, "slurm: ");
    config.slurm.exclusive = job.boolean("exclusive");
    config.slurm.job_per_run = job.text("job_per") == "run";
    config.slurm.requeue = static_cast<int>(job.integer("requeue"));
    config.slurm.poll_seconds = job.real("poll_interval");
    if (job.has("spool")) config.slurm.spool = job.text("spool");
    if (auto platforms = entries.find("platforms"); platforms != entries.end())
        read_slurm_platforms(platforms->second, config);
}

void ExperimentChecker::read_slurm_platforms(const KeyValue& platforms, ExperimentConfig& config) {
    if (!platforms.value.IsMap()) {
        add(platforms.value.Mark(), "'slurm: platforms' must map platform names to placements, found " +
                                        describe_node(platforms.value),
            "e.g. platforms: {native: {nodes: n1}, docker: {nodes: n2}}");
        return;
    }
    std::vector<std::string> names;
    for (const PluginInstanceConfig& platform : config.platforms) names.push_back(platform.name);
    std::vector<std::string> placement_keys;
    for (const ParamSpec& spec : slurm_placement_table()) placement_keys.push_back(spec.name);
    for (const auto& [name, entry] : mapping_entries(platforms.value, &names, " in slurm: platforms (a platform name)")) {
        if (!entry.value.IsMap()) {
            add(entry.value.Mark(), "the placement of '" + name + "' must be a mapping, found " +
                                        describe_node(entry.value), "e.g. {nodes: n1}");
            continue;
        }
        SlurmPlacement placement =
            read_placement(mapping_entries(entry.value, &placement_keys, " in a slurm placement"),
                           "slurm: platforms: " + name + ": ");
        config.slurm.platforms[name] = placement;
    }
}

SlurmPlacement ExperimentChecker::read_placement(const Entries& entries, const std::string& owner) {
    const ParamValues values = read_values(slurm_placement_table(), entries, owner);
    SlurmPlacement placement;
    const auto text = [&](const char* name, std::string& target) {
        if (!values.has(name)) return;
        target = values.text(name);
        if (!is_slurm_word(target))
            add(entries.at(name).value.Mark(), owner + "'" + name + "': '" + target + "' holds characters Slurm "
                "does not use there", "letters, digits and _ . - , [ ] & | ! : * ( ) only");
    };
    text("partition", placement.partition);
    text("account", placement.account);
    text("nodes", placement.nodes);
    text("constraint", placement.constraint);
    if (values.has("time_limit")) placement.time_limit_seconds = values.real("time_limit");
    return placement;
}

}  // namespace platbench::experiment_checking
