// The experiment files of the two studies users can rerun straight away: they load,
// expand as designed, and the validity checks flag exactly the CSC496 jobs whose
// buffered I/O on small files misled that study, and none of IBM 2014's.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>

#include "analysis/validity.hpp"
#include "config/experiment.hpp"
#include "engine/param_json.hpp"
#include "matrix/matrix.hpp"
#include "plugin/registry.hpp"

using namespace platbench;
namespace fs = std::filesystem;

namespace {

const fs::path kRepoConfigs = fs::path(PLATBENCH_SOURCE_DIR) / "configs";

struct LoadedStudy {
    PluginRegistry registry;
    ExperimentConfig config;
    std::vector<Cell> cells;
};

std::unique_ptr<LoadedStudy> load_study(const std::string& file) {
    auto study = std::make_unique<LoadedStudy>();
    study->registry.load_directory(PLATBENCH_PLUGIN_DIR);
    study->config = load_experiment(kRepoConfigs / file, study->registry);
    study->cells = expand_matrix(study->config);
    return study;
}

// The limits the study's experiment records: its plugins' traits and metric tables.
ValidityLimits limits_of(const LoadedStudy& study) {
    std::vector<const PluginDescriptor*> plugins;
    for (const LoadedPlugin* plugin : study.registry.plugins()) plugins.push_back(plugin->descriptor);
    return limits_for({{"plugin_traits", PluginTraits::to_json(plugins)}});
}

// One successful run per cell, as if each platform gave its workload 2 GiB of RAM.
std::vector<RunRecord> runs_of(const LoadedStudy& study) {
    std::vector<RunRecord> runs;
    for (const Cell& cell : study.cells) {
        RunRecord run;
        run.cell_id = cell.id;
        run.platform_instance = cell.platform->name;
        run.platform_plugin = cell.platform->plugin->name();
        run.workload_instance = cell.workload->name;
        run.workload_plugin = cell.workload->plugin->name();
        run.workload_params = to_json(cell.workload_params);
        run.status = RunStatus::Ok;
        run.observed_environment = {{"usable_memory_bytes", 2.0 * (1 << 30)}};
        run.metrics = {{"read_iops", 1000, "IOPS", Better::Higher}};
        runs.push_back(run);
    }
    return runs;
}

// The cells the page-cache check names, in order; a finding that concerns several
// cells alike names them all ("native/randwrite, docker/randwrite").
std::vector<std::string> page_cache_subjects(const std::vector<ValidityFinding>& findings) {
    std::vector<std::string> subjects;
    for (const ValidityFinding& finding : findings) {
        if (finding.check != "page-cache") continue;
        for (std::size_t start = 0; start <= finding.subject.size();) {
            const std::size_t comma = std::min(finding.subject.find(", ", start), finding.subject.size());
            subjects.push_back(finding.subject.substr(start, comma - start));
            start = comma + 2;
        }
    }
    std::sort(subjects.begin(), subjects.end());
    return subjects;
}

}  // namespace

TEST_CASE("configs/csc496-group8.yaml: its two buffered jobs are flagged on every platform, the direct one is not") {
    const auto study = load_study("csc496-group8.yaml");
    CHECK(study->config.baseline == "native");
    REQUIRE(study->cells.size() == 3 * 3);
    const auto flagged = page_cache_subjects(check_validity(runs_of(*study), {}, {}, limits_of(*study)));
    CHECK(flagged == std::vector<std::string>{"docker/randread", "docker/randwrite", "kvm/randread", "kvm/randwrite",
                                              "native/randread", "native/randwrite"});
}

TEST_CASE("configs/ibm2014.yaml: the study's design, direct libaio I/O throughout, nothing for the page-cache check") {
    const auto study = load_study("ibm2014.yaml");
    // 4 platforms x (linpack + randomaccess + stream + seqread qd 1, 2 + seqwrite + random4k 2 patterns
    // x 2 job counts + mixed + net's three modes).
    REQUIRE(study->cells.size() == 4 * 14);
    for (const Cell& cell : study->cells) {
        if (cell.workload->plugin->name() != "blockio") continue;
        CAPTURE(cell.id);
        CHECK(cell.workload_params.boolean("direct"));
        CHECK(cell.workload_params.text("engine") == "libaio");
    }
    const auto kvm = std::find_if(study->cells.begin(), study->cells.end(),
                                  [](const Cell& cell) { return cell.platform->name == "kvm"; });
    REQUIRE(kvm != study->cells.end());
    CHECK(kvm->platform_settings.text("disk_bus") == "virtio-blk");
    CHECK(kvm->platform_settings.text("disk_cache") == "none");
    CHECK(kvm->platform_settings.text("disk_io") == "native");
    CHECK(page_cache_subjects(check_validity(runs_of(*study), {}, {}, limits_of(*study))).empty());
}
