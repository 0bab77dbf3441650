// Durable results: one SQLite database per output directory (WAL mode,
// synchronous=FULL, one transaction per run), so a run killed with SIGKILL
// loses nothing that completed and --resume duplicates nothing.
//
// Metric values that are not finite (NaN, +-inf) are stored as SQL NULL and
// read back as NaN: the run and its other metrics stay on record, and no
// consumer mistakes an infinity for a measurement. Exports show them as an
// empty CSV field and as JSON null.
//
// Every error is a std::runtime_error whose message names the database file.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "platbench/run_status.hpp"
#include "platbench/workload.hpp"

namespace platbench {

inline constexpr const char* kResultsFileName = "results.db";

struct ExperimentRecord {
    std::int64_t id = 0;
    std::string name;
    std::string file;                 // experiment file path as given
    std::string file_hash;
    std::string created_at;           // ISO 8601 UTC
    nlohmann::json config = nlohmann::json::object();  // expanded configuration
    nlohmann::json host = nlohmann::json::object();    // host metadata at creation
    std::int64_t planned_runs = 0;
};

struct RunRecord {
    std::int64_t id = 0;
    std::int64_t experiment_id = 0;
    std::string run_key;              // PlannedRun::key: unique within an experiment
    std::string cell_id;
    std::string cell_config_hash;
    std::string platform_instance;
    std::string platform_plugin;
    nlohmann::json platform_settings = nlohmann::json::object();
    std::string workload_instance;
    std::string workload_plugin;
    nlohmann::json workload_params = nlohmann::json::object();
    int repetition = 0;
    bool warmup = false;
    // Failed until the engine knows better: a record left half-filled is never counted as measured.
    RunStatus status = RunStatus::Failed;
    std::string reason;               // for failed / skipped
    std::string started_at;           // ISO 8601 UTC, milliseconds
    std::string ended_at;
    double duration_seconds = 0;      // wall time of the whole run, platform included
    double overhead_seconds = 0;      // platform start/stop share of it
    nlohmann::json observed_environment = nlohmann::json::object();
    nlohmann::json platform_metadata = nlohmann::json::object();
    nlohmann::json info = nlohmann::json::object();
    std::vector<std::string> warnings;
    std::vector<Metric> metrics;
    std::string runner_stderr;        // tail, for diagnosis
};

class ResultStore {
public:
    // Opens (creating if needed) `<dir>/results.db`, or a .db file path directly.
    static std::unique_ptr<ResultStore> open(const std::filesystem::path& dir_or_file);
    // Opens an existing database read-only; throws if it is not a platbench database.
    static std::unique_ptr<ResultStore> open_existing(const std::filesystem::path& dir_or_file);
    virtual ~ResultStore() = default;

    virtual std::int64_t create_experiment(const ExperimentRecord& record) = 0;
    // The newest experiment of this name, if any (for --resume).
    virtual std::optional<ExperimentRecord> latest_experiment(const std::string& name) = 0;
    virtual std::optional<ExperimentRecord> experiment(std::int64_t id) = 0;
    virtual std::vector<ExperimentRecord> experiments() = 0;

    // Keys of every run stored for the experiment, whatever its status.
    virtual std::set<std::string> stored_run_keys(std::int64_t experiment_id) = 0;
    // Status and reason of every run stored for the experiment, by run key.
    struct StoredOutcome {
        RunStatus status = RunStatus::Failed;
        std::string reason;
    };
    virtual std::map<std::string, StoredOutcome> stored_run_outcomes(std::int64_t experiment_id) = 0;
    // Stores one run and its metrics in a single transaction; returns its id.
    // Throws, storing nothing, when the run key is already stored for the
    // experiment, the experiment does not exist, or a metric name repeats.
    virtual std::int64_t store_run(const RunRecord& record) = 0;
    // Stores a run that is tried again (--resume): its stored failed or skipped
    // attempt is replaced in the same transaction. Throws, storing nothing, when
    // the stored attempt was ok.
    virtual std::int64_t store_retried_run(const RunRecord& record) = 0;
    virtual std::vector<RunRecord> runs(std::int64_t experiment_id) = 0;

    virtual std::filesystem::path path() const = 0;
};

// Export for pandas / spreadsheets: one row per (run, metric) in CSV; full records in JSON.
enum class ExportFormat { Csv, Json };
void export_results(ResultStore& store, std::optional<std::int64_t> experiment_id, ExportFormat format,
                    std::ostream& out);

}  // namespace platbench
