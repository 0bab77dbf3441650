#include "analysis/validity.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <ostream>
#include <set>

#include "analysis/convergence.hpp"
#include "platbench/params.hpp"
#include "stats/comparison.hpp"
#include "stats/statistics.hpp"
#include "store/run_caveats.hpp"

namespace platbench {
namespace {

using nlohmann::json;

// "7.2", "0.488", "123.5": a figure in a sentence, with `decimals` after the point.
std::string decimal(double value, int decimals) {
    char text[32];
    std::snprintf(text, sizeof text, "%.*f", decimals, value);
    return text;
}

std::string mib(double bytes) { return std::to_string(static_cast<long long>(std::llround(bytes / (1 << 20)))) + " MiB"; }

// The first way the run's observed resources differ from its platform's settings, or "".
// In a platform's own VM, `cpus` and `memory` size the VM: nothing to see inside.
std::string resource_mismatch(const RunRecord& run, const PluginTraits& traits) {
    const bool own_vm = traits.virtual_machine(run.platform_plugin);
    const json& settings = run.platform_settings;
    const json& seen = run.observed_environment;
    if (settings.contains("cpuset") && settings["cpuset"].is_string() && seen.contains("affinity")) {
        auto wanted = expand_cpu_list(settings["cpuset"].get<std::string>());
        std::vector<int> affinity;
        for (const json& cpu : seen["affinity"])
            if (cpu.is_number_integer()) affinity.push_back(cpu.get<int>());
        // In a VM the vCPUs are numbered afresh: compare counts there, CPU numbers elsewhere.
        const bool vm = seen.value("virtualization", "") == "vm" && own_vm;
        if (wanted && (vm ? wanted->size() != affinity.size() : *wanted != affinity))
            return "cpuset " + settings["cpuset"].get<std::string>() + " was requested but the workload ran on CPUs " +
                   format_cpu_list(affinity);
    }
    if (settings.contains("cpus") && settings["cpus"].is_number() && !own_vm) {
        const double wanted = settings["cpus"].get<double>();
        const json& quota = seen.contains("cpu_quota") ? seen["cpu_quota"] : json();
        if (!quota.is_number() || std::fabs(quota.get<double>() - wanted) > 0.01 * wanted)
            return "a limit of " + std::to_string(wanted) + " CPUs was requested but the workload saw " +
                   (quota.is_number() ? std::to_string(quota.get<double>()) + " CPUs" : "no CPU quota");
    }
    if (settings.contains("memory") && settings["memory"].is_number() && !own_vm) {
        const double wanted = settings["memory"].get<double>();
        const json& limit = seen.contains("memory_limit_bytes") ? seen["memory_limit_bytes"] : json();
        if (!limit.is_number() || std::fabs(limit.get<double>() - wanted) > 0.01 * wanted)
            return "a memory limit of " + mib(wanted) + " was requested but the workload saw " +
                   (limit.is_number() ? mib(limit.get<double>()) : "no memory limit");
    }
    return {};
}

// RAM the workload could use, as it saw it.
double memory_seen(const RunRecord& run) {
    const json& seen = run.observed_environment;
    for (const char* key : {"usable_memory_bytes", "memory_limit_bytes", "memory_total_bytes"})
        if (seen.contains(key) && seen[key].is_number() && seen[key].get<double>() > 0) return seen[key].get<double>();
    return 0;
}

void check_page_cache(const RunRecord& run, const ValidityLimits& limits, std::vector<ValidityFinding>& findings) {
    const json& params = run.workload_params;
    if (!limits.traits.block_io(run.workload_plugin) || params.value("direct", true) || !params.contains("file_size")) return;
    const double data = params["file_size"].get<double>() * params.value("jobs", 1);
    const double memory = memory_seen(run);
    if (memory <= 0 || data >= limits.page_cache_factor * memory) return;
    findings.push_back({"page-cache", run.cell_id,
                        "buffered I/O (direct: false) on " + mib(data) + " of data with " + mib(memory) +
                            " of RAM seen: a page-cache effect is likely, so the figures measure memory, not the "
                            "disk; use direct: true or a data set over twice the RAM"});
}

// "page-cache: buffered I/O ..." -> ("page-cache", "buffered I/O ..."); a warning
// without a check name of its own is the workload's.
std::pair<std::string, std::string> split_warning(const std::string& warning) {
    const std::size_t colon = warning.find(": ");
    const std::string name = colon == std::string::npos ? "" : warning.substr(0, colon);
    const bool named = !name.empty() && name.size() <= 32 && name.front() != '-' && name.back() != '-' &&
                       std::all_of(name.begin(), name.end(), [](char c) { return (c >= 'a' && c <= 'z') || c == '-'; });
    if (!named) return {"workload", warning};
    return {name, warning.substr(colon + 2)};
}

// What the workloads themselves warned about (STREAM's cache rule, buffered I/O the
// page cache may serve, a device read without layout, ...): per cell and check, the
// first run's words and how many of the cell's runs said so. A cell that an
// engine check already flagged for the same reason is not flagged twice.
void check_workload_warnings(const std::vector<RunRecord>& runs, std::vector<ValidityFinding>& findings) {
    std::set<std::pair<std::string, std::string>> already;
    for (const ValidityFinding& finding : findings) already.insert({finding.subject, finding.check});
    struct Said {
        std::string message;
        std::size_t runs = 0;
    };
    std::vector<std::pair<std::string, std::string>> order;  // (cell, check)
    std::map<std::pair<std::string, std::string>, Said> said;
    std::map<std::string, std::size_t> measured;  // ok measured runs per cell
    for (const RunRecord& run : runs) {
        if (run.warmup || run.status != RunStatus::Ok) continue;
        ++measured[run.cell_id];
        std::set<std::string> checks_of_run;
        for (const std::string& warning : run.warnings) {
            auto [check, message] = split_warning(warning);
            if (!checks_of_run.insert(check).second) continue;
            auto [it, inserted] = said.try_emplace({run.cell_id, check}, Said{message, 0});
            if (inserted) order.push_back(it->first);
            ++it->second.runs;
        }
    }
    for (const auto& key : order) {
        if (already.count(key) != 0) continue;
        const Said& what = said[key];
        const std::size_t of = measured[key.first];
        const std::string share = what.runs == of ? std::string()
                                                  : " (said in " + std::to_string(what.runs) + " of " +
                                                        std::to_string(of) + " runs)";
        findings.push_back({key.second, key.first, what.message + share});
    }
}

void check_runs(const std::vector<RunRecord>& runs, const ValidityLimits& limits,
                std::vector<ValidityFinding>& findings) {
    std::set<std::string> cells_seen, platforms_seen;
    for (const RunRecord& run : runs) {
        if (run.warmup || run.status != RunStatus::Ok || !cells_seen.insert(run.cell_id).second) continue;
        if (const std::string mismatch = resource_mismatch(run, limits.traits); !mismatch.empty())
            findings.push_back({"resources", run.cell_id, mismatch + "; check the platform's settings and the host"});
        check_page_cache(run, limits, findings);
        const auto emulation = emulation_caveat(run);
        if (emulation && platforms_seen.insert(run.platform_instance).second)
            findings.push_back({"emulation", run.platform_instance, *emulation});
    }
}

// Per cell, how much its central metrics vary between runs: the median of their
// coefficients of variation, one judgement per cell. (The noisiest of a cell's
// ~8 metrics, each estimated from a few runs, would exceed the limit by chance
// alone in most cells.)
void check_noise(const std::vector<RunRecord>& runs, const ValidityLimits& limits,
                 std::vector<ValidityFinding>& findings) {
    std::vector<std::string> order;
    std::map<std::string, std::map<std::string, std::vector<double>>> samples;
    for (const RunRecord& run : runs) {
        if (run.warmup || run.status != RunStatus::Ok) continue;
        if (samples.count(run.cell_id) == 0) order.push_back(run.cell_id);
        for (const Metric& metric : run.metrics)
            if (limits.metric_roles.central(run.workload_plugin, metric))
                samples[run.cell_id][metric.name].push_back(metric.value);
    }
    const auto percent = [](double fraction) { return std::to_string(static_cast<int>(std::lround(fraction * 100))) + "%"; };
    for (const std::string& cell : order) {
        std::vector<double> variations;
        std::string noisiest;
        double worst = 0;
        for (const auto& [metric, values] : samples[cell]) {
            const double cv = coefficient_of_variation(values);
            if (!std::isfinite(cv)) continue;
            variations.push_back(cv);
            if (cv > worst) worst = cv, noisiest = metric;
        }
        if (variations.empty()) continue;
        const double typical = median(variations);
        if (!(typical > limits.max_cv)) continue;
        findings.push_back({"noise", cell,
                            "its central metrics vary by " + percent(typical) +
                                " of their mean between runs (the median; " + noisiest + " " + percent(worst) +
                                "): the machine is noisy; add repetitions, stop other load, or pin the run with cpuset",
                            true, percent(typical),
                            "central metrics vary by more than " + percent(limits.max_cv) +
                                " of their mean between runs (the median over each cell's): the machine is noisy; add "
                                "repetitions, stop other load, or pin the run with cpuset"});
    }
}

// A platform faster than the baseline on a central I/O metric is suspicious: a
// cache in between. Extremes (one lucky I/O) are no evidence either way.
void check_io_faster(const std::vector<RunRecord>& runs, const BaselineComparison& comparison,
                     const ValidityLimits& limits, std::vector<ValidityFinding>& findings) {
    std::map<std::string, std::string> io_cells;  // cell -> its workload plugin
    std::set<std::string> reported;
    for (const RunRecord& run : runs)
        if (limits.traits.block_io(run.workload_plugin)) io_cells[run.cell_id] = run.workload_plugin;
    for (const ComparisonRow& row : comparison.rows) {
        auto io_cell = io_cells.find(row.cell_id);
        if (row.verdict != Verdict::Faster || io_cell == io_cells.end() ||
            !limits.metric_roles.central(io_cell->second, Metric{row.metric, 0, row.unit, row.better}) ||
            !reported.insert(row.cell_id).second)
            continue;
        findings.push_back({"page-cache", row.cell_id,
                            row.metric + " is faster than " + comparison.baseline + " beyond chance (ratio " +
                                decimal(row.ratio.ratio, 3) +
                                "): a cache between the workload and the disk (host page cache, a disk cache mode) "
                                "is the likely reason; check direct I/O and the platform's disk cache settings"});
    }
}

// Adaptive repetitions that stopped (max_repetitions, budget) before a cell's interval narrowed.
void check_convergence(const std::vector<RunRecord>& runs, const ValidityLimits& limits,
                       std::vector<ValidityFinding>& findings) {
    if (limits.target_fraction <= 0) return;
    std::vector<std::string> order;
    for (const RunRecord& run : runs)
        if (std::find(order.begin(), order.end(), run.cell_id) == order.end()) order.push_back(run.cell_id);
    const auto convergence = cell_convergence(runs, limits.target_metric, limits.target_fraction);
    for (const std::string& cell : order) {
        const CellConvergence& state = convergence.at(cell);
        if (state.metric.empty() || state.converged) continue;
        const std::string reached = std::isfinite(state.relative_half_width)
                                        ? decimal(state.relative_half_width * 100, 2) + "%"
                                        : std::string("no interval");
        findings.push_back({"convergence", cell,
                            state.metric + " did not converge: its 95% interval is ±" + reached + " of the mean after " +
                                std::to_string(state.n) + " runs, the target was ±" +
                                decimal(limits.target_fraction * 100, 2) +
                                "%; raise max_repetitions or budget, or quiet the machine"});
    }
}

void check_host(const json& host, const ValidityLimits& limits, std::vector<ValidityFinding>& findings) {
    if (host.contains("cpu_governor") && host["cpu_governor"].is_string() && host["cpu_governor"] != "performance")
        findings.push_back({"governor", "host",
                            "the CPU frequency governor is '" + host["cpu_governor"].get<std::string>() +
                                "', so clock speed varies with load; set 'performance' for steadier figures"});
    if (host.contains("load_average_1m") && host["load_average_1m"].is_number()) {
        const double load = host["load_average_1m"].get<double>();
        const double cpus = host.value("cpu_cores", 1.0);
        if (load > limits.max_load_per_cpu * cpus)
            findings.push_back({"host-load", "host",
                                "the load average was " + decimal(load, 2) + " on " +
                                    std::to_string(static_cast<int>(cpus)) +
                                    " CPUs at the start: other work competed with the benchmark; run on an idle "
                                    "machine"});
    }
    if (host.contains("transparent_hugepages") && host["transparent_hugepages"].is_string())
        findings.push_back({"huge-pages", "host",
                            "transparent huge pages: " + host["transparent_hugepages"].get<std::string>() +
                                " (recorded: it changes memory-bound figures; compare experiments with the same mode)",
                            false});
}

// Findings that say the same thing of several subjects become one, naming them all.
std::vector<ValidityFinding> merge_alike(std::vector<ValidityFinding> findings) {
    std::vector<ValidityFinding> merged;
    for (ValidityFinding& finding : findings) {
        // Findings with a figure of their own stay one per subject (printed together by their summary).
        auto same = std::find_if(merged.begin(), merged.end(), [&](const ValidityFinding& earlier) {
            return finding.summary.empty() && earlier.check == finding.check && earlier.message == finding.message &&
                   earlier.warning == finding.warning;
        });
        if (same == merged.end()) merged.push_back(std::move(finding));
        else same->subject += ", " + finding.subject;
    }
    return merged;
}

}  // namespace

std::string node_of(const RunRecord& run) { return run.platform_metadata.value("slurm_node", std::string()); }

// A cell whose runs ran on several Slurm nodes: a node that measures differently
// from the others beyond chance (Welch, 5%) is itself a finding.
void check_node_variation(const std::vector<RunRecord>& runs, const ValidityLimits& limits,
                          std::vector<ValidityFinding>& findings) {
    std::vector<std::string> order;
    std::map<std::string, std::map<std::string, std::map<std::string, std::vector<double>>>> samples;  // cell, metric, node
    for (const RunRecord& run : runs) {
        if (run.warmup || run.status != RunStatus::Ok || node_of(run).empty()) continue;
        if (samples.count(run.cell_id) == 0) order.push_back(run.cell_id);
        for (const Metric& metric : run.metrics)
            if (limits.metric_roles.central(run.workload_plugin, metric))
                samples[run.cell_id][metric.name][node_of(run)].push_back(metric.value);
    }
    for (const std::string& cell : order) {
        for (const auto& [metric, by_node] : samples[cell]) {
            if (by_node.size() < 2) continue;
            const auto& [first_node, first] = *by_node.begin();
            for (const auto& [node, values] : by_node) {
                if (node == first_node) continue;
                const WelchTest test = welch_t_test(values, first);
                if (!(test.p_value < 0.05)) continue;
                findings.push_back({"node-variation", cell,
                                    metric + " differs between nodes " + first_node + " and " + node + " (" + node +
                                        "/" + first_node + " = " + decimal(mean(values) / mean(first), 3) +
                                        ", p = " + decimal(test.p_value, 3) +
                                        "): the nodes are not alike; compare platforms on the same nodes"});
                break;
            }
        }
    }
}

// Platforms compared with the baseline while on other nodes: the ratio holds
// the nodes' difference too. Said once per platform.
void check_placement(const std::vector<RunRecord>& runs, const BaselineComparison& comparison,
                     std::vector<ValidityFinding>& findings) {
    std::map<std::string, std::set<std::string>> nodes;  // platform instance -> its nodes
    for (const RunRecord& run : runs)
        if (!node_of(run).empty() && run.status == RunStatus::Ok) nodes[run.platform_instance].insert(node_of(run));
    auto baseline = nodes.find(comparison.baseline);
    if (baseline == nodes.end()) return;
    for (const auto& [platform, its_nodes] : nodes) {
        if (platform == comparison.baseline || its_nodes == baseline->second) continue;
        const auto list = [](const std::set<std::string>& set) {
            std::string text;
            for (const std::string& node : set) text += (text.empty() ? "" : ",") + node;
            return text;
        };
        findings.push_back({"placement", platform,
                            "ran on " + list(its_nodes) + ", " + comparison.baseline + " on " + list(baseline->second) +
                                ": its ratios include any difference between those nodes; place a platform on both "
                                "(nodes: n[1-2], job_per: run) to measure it",
                            false});
    }
}

std::vector<ValidityFinding> check_validity(const std::vector<RunRecord>& runs, const json& host,
                                            const BaselineComparison& comparison, const ValidityLimits& limits) {
    std::vector<ValidityFinding> findings;
    check_host(host, limits, findings);
    check_runs(runs, limits, findings);
    check_workload_warnings(runs, findings);
    check_io_faster(runs, comparison, limits, findings);
    check_noise(runs, limits, findings);
    check_convergence(runs, limits, findings);
    check_node_variation(runs, limits, findings);
    check_placement(runs, comparison, findings);
    return merge_alike(std::move(findings));
}

ValidityLimits limits_for(const json& experiment_config) {
    ValidityLimits limits;
    limits.metric_roles = MetricRoles::from_experiment(experiment_config);
    limits.traits = PluginTraits::from_experiment(experiment_config);
    const json adaptive = experiment_config.value("adaptive", json());
    if (adaptive.is_object()) {
        limits.target_fraction = adaptive.value("target_ci_percent", 0.0) / 100;
        limits.target_metric = adaptive.value("metric", "");
    }
    return limits;
}

void print_validity(const std::vector<ValidityFinding>& findings, std::ostream& out) {
    if (findings.empty()) return;
    out << "\nvalidity checks:\n";
    std::set<std::size_t> printed;
    for (std::size_t i = 0; i < findings.size(); ++i) {
        if (printed.count(i) != 0) continue;
        const ValidityFinding& finding = findings[i];
        const char* level = finding.warning ? "warning: " : "note: ";
        if (finding.summary.empty()) {
            out << level << finding.subject << ": " << finding.message << " [" << finding.check << "]\n";
            continue;
        }
        std::vector<std::string> subjects;
        for (std::size_t j = i; j < findings.size(); ++j) {
            const ValidityFinding& other = findings[j];
            if (other.check != finding.check || other.summary != finding.summary || other.warning != finding.warning)
                continue;
            subjects.push_back(other.subject + (other.figure.empty() ? "" : " (" + other.figure + ")"));
            printed.insert(j);
        }
        std::string listed;
        for (const std::string& subject : subjects) listed += (listed.empty() ? "" : ", ") + subject;
        out << level << subjects.size() << (subjects.size() == 1 ? " cell: " : " cells: ") << listed << ": "
            << finding.summary << " [" << finding.check << "]\n";
    }
}

}  // namespace platbench
