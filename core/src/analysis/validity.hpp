// Validity checks: can the figures of an experiment be trusted, and compared?
// Each finding says in one sentence what was seen and what to do. Pure functions
// of the stored runs, the host facts recorded at the start, and the comparison.
#pragma once

#include <iosfwd>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "analysis/comparison_table.hpp"
#include "analysis/metric_roles.hpp"
#include "analysis/plugin_traits.hpp"
#include "store/result_store.hpp"

namespace platbench {

struct ValidityFinding {
    ValidityFinding() = default;
    ValidityFinding(std::string check, std::string subject, std::string message, bool warning = true,
                    std::string figure = "", std::string summary = "")
        : check(std::move(check)), subject(std::move(subject)), message(std::move(message)), warning(warning),
          figure(std::move(figure)), summary(std::move(summary)) {}

    std::string check;      // resources | page-cache | emulation | noise | convergence | governor | host-load |
                            // huge-pages | node-variation | placement, or a workload's own (its warnings:
                            // caches, layout, oversubscribed, ..., "workload" when unnamed)
    std::string subject;    // a cell id, a platform instance, or "host"; several joined by ", " when
                            // one finding concerns them all
    std::string message;    // what was seen and what to do, one sentence
    bool warning = true;    // false: recorded for the reader, no action needed
    // For a check that finds the same thing in many cells with a figure of each
    // (noise): the figure ("14%") and the sentence for all of them, so that the
    // terminal gives one line for the check and the report a line per cell.
    std::string figure;
    std::string summary;
};

struct ValidityLimits {
    double max_cv = 0.10;             // a central metric's coefficient of variation above this is "noisy"
    double page_cache_factor = 2.0;   // buffered I/O on less than this many times the RAM seen
    double max_load_per_cpu = 0.5;    // load average per CPU at the start above this is "busy"
    MetricRoles metric_roles;         // which metrics are central (judged); the rest are details
    PluginTraits traits;              // block-I/O workloads, platforms of virtual machines
    double target_fraction = 0;       // adaptive repetitions' target (0: not adaptive)
    std::string target_metric;        // and its deciding metric ("" : each cell's first)
};

// The limits for an experiment, from its stored configuration (adaptive target and
// the workloads' metric tables included).
ValidityLimits limits_for(const nlohmann::json& experiment_config);

std::vector<ValidityFinding> check_validity(const std::vector<RunRecord>& runs, const nlohmann::json& host,
                                            const BaselineComparison& comparison, const ValidityLimits& limits = {});

// One line per finding, or per check where findings share a summary ("noise: 9
// cells: a (14%), b (12%): ..."): what the end of a run prints.
void print_validity(const std::vector<ValidityFinding>& findings, std::ostream& out);

}  // namespace platbench
