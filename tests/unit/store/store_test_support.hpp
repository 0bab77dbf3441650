// Shared fixtures of the store tests: a scratch directory and hand-built records.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>

#include "store/result_store.hpp"
#include "temp_dir.hpp"

namespace platbench::test {

using TempDir = ::test::TempDir;



inline ExperimentRecord make_experiment(const std::string& name = "stream-overhead") {
    ExperimentRecord record;
    record.name = name;
    record.file = "experiments/" + name + ".yaml";
    record.file_hash = std::string(64, 'a');
    record.created_at = "2026-11-26T04:43:04.123Z";
    record.config = {{"repetitions", 3}, {"platforms", {"native", "docker"}}};
    record.host = {{"cpu_model", "AMD EPYC"}, {"cpu_cores", 2}};
    record.planned_runs = 12;
    return record;
}

inline RunRecord make_run(std::int64_t experiment_id, const std::string& key) {
    RunRecord run;
    run.experiment_id = experiment_id;
    run.run_key = key;
    run.cell_id = "native/stream/array_size:1000000";
    run.cell_config_hash = std::string(64, 'b');
    run.platform_instance = "native";
    run.platform_plugin = "native";
    run.platform_settings = {{"cpus", 2}};
    run.workload_instance = "stream";
    run.workload_plugin = "stream";
    run.workload_params = {{"array_size", 1000000}, {"threads", 2}};
    run.repetition = 1;
    run.status = RunStatus::Ok;
    run.started_at = "2026-11-26T04:43:05.000Z";
    run.ended_at = "2026-11-26T04:43:06.500Z";
    run.duration_seconds = 1.5;
    run.overhead_seconds = 0.25;
    run.metrics = {{"copy_best_rate", 12345.5, "MB/s", Better::Higher},
                   {"triad_best_rate", 11000.25, "MB/s", Better::Higher},
                   {"triad_avg_time", 0.0042, "s", Better::Lower}};
    return run;
}

}  // namespace platbench::test
