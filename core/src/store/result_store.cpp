#include "store/result_store.hpp"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <stdexcept>
#include <string_view>

#include <sqlite3.h>

#include "store/sqlite_db.hpp"
#include "util/fault_injection.hpp"

namespace platbench {

namespace {

// A platbench database is recognised by its application_id ("plbt") and its
// schema version; a future schema change bumps kSchemaVersion and refuses old
// binaries instead of letting them misread the tables.
constexpr std::int64_t kApplicationId = 0x706c6274;
constexpr std::int64_t kSchemaVersion = 1;

// The UNIQUE(experiment_id, run_key) index also serves every "runs of one
// experiment" lookup; the metrics primary key serves "metrics of one run".
constexpr std::string_view kSchema = R"sql(
CREATE TABLE experiments (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    name          TEXT NOT NULL,
    file          TEXT NOT NULL,
    file_hash     TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    config_json   TEXT NOT NULL,
    host_json     TEXT NOT NULL,
    planned_runs  INTEGER NOT NULL
);
CREATE INDEX experiments_by_name ON experiments (name, id);

CREATE TABLE runs (
    id                         INTEGER PRIMARY KEY AUTOINCREMENT,
    experiment_id              INTEGER NOT NULL REFERENCES experiments (id),
    run_key                    TEXT NOT NULL,
    cell_id                    TEXT NOT NULL,
    cell_config_hash           TEXT NOT NULL,
    platform_instance          TEXT NOT NULL,
    platform_plugin            TEXT NOT NULL,
    platform_settings_json     TEXT NOT NULL,
    workload_instance          TEXT NOT NULL,
    workload_plugin            TEXT NOT NULL,
    workload_params_json       TEXT NOT NULL,
    repetition                 INTEGER NOT NULL,
    warmup                     INTEGER NOT NULL CHECK (warmup IN (0, 1)),
    status                     TEXT NOT NULL CHECK (status IN ('ok', 'failed', 'skipped')),
    reason                     TEXT NOT NULL,
    started_at                 TEXT NOT NULL,
    ended_at                   TEXT NOT NULL,
    duration_seconds           REAL,
    overhead_seconds           REAL,
    observed_environment_json  TEXT NOT NULL,
    platform_metadata_json     TEXT NOT NULL,
    info_json                  TEXT NOT NULL,
    warnings_json              TEXT NOT NULL,
    runner_stderr              TEXT NOT NULL,
    UNIQUE (experiment_id, run_key)
);

CREATE TABLE metrics (
    run_id  INTEGER NOT NULL REFERENCES runs (id),
    name    TEXT NOT NULL,
    value   REAL,
    unit    TEXT NOT NULL,
    better  TEXT NOT NULL CHECK (better IN ('higher', 'lower', 'none')),
    PRIMARY KEY (run_id, name)
);
)sql";

constexpr std::string_view kExperimentColumns =
    "id, name, file, file_hash, created_at, config_json, host_json, planned_runs";

constexpr std::string_view kRunColumns =
    "id, experiment_id, run_key, cell_id, cell_config_hash, platform_instance, platform_plugin, "
    "platform_settings_json, workload_instance, workload_plugin, workload_params_json, repetition, "
    "warmup, status, reason, started_at, ended_at, duration_seconds, overhead_seconds, "
    "observed_environment_json, platform_metadata_json, info_json, warnings_json, runner_stderr";

std::filesystem::path database_file(const std::filesystem::path& dir_or_file) {
    if (dir_or_file.extension() == ".db") {
        return dir_or_file;
    }
    return dir_or_file / kResultsFileName;
}

// Invalid UTF-8 (a workload's raw stderr, a host name) is replaced rather than
// refused: losing a run over one bad byte would be worse.
std::string to_json_text(const nlohmann::json& value) {
    return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void bind_real_or_null(sqlite::Statement& statement, int index, double value) {
    if (std::isfinite(value)) {
        statement.bind(index, value);
    } else {
        statement.bind_null(index);
    }
}

double real_or_nan(const sqlite::Statement& statement, int column) {
    return statement.is_null(column) ? std::nan("") : statement.real(column);
}

class SqliteResultStore final : public ResultStore {
public:
    SqliteResultStore(const std::filesystem::path& file, sqlite::OpenMode mode) : db_(file, mode) {
        if (mode == sqlite::OpenMode::ReadOnly) {
            db_.exec("PRAGMA foreign_keys = ON");
            check_identity(read_identity());
        } else {
            open_for_writing();
        }
    }

    std::int64_t create_experiment(const ExperimentRecord& record) override {
        refuse_if_read_only("cannot create experiment '" + record.name + "'");
        sqlite::Transaction transaction(db_);
        sqlite::Statement insert(db_,
            "INSERT INTO experiments (name, file, file_hash, created_at, config_json, host_json, planned_runs) "
            "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
        insert.bind(1, record.name).bind(2, record.file).bind(3, record.file_hash).bind(4, record.created_at);
        insert.bind(5, to_json_text(record.config)).bind(6, to_json_text(record.host));
        insert.bind(7, record.planned_runs);
        insert.run();
        const std::int64_t id = db_.last_insert_rowid();
        transaction.commit();
        return id;
    }

    std::optional<ExperimentRecord> latest_experiment(const std::string& name) override {
        sqlite::Statement select(db_, "SELECT " + std::string(kExperimentColumns) +
                                          " FROM experiments WHERE name = ?1 ORDER BY id DESC LIMIT 1");
        select.bind(1, name);
        if (!select.step()) {
            return std::nullopt;
        }
        return read_experiment(select);
    }

    std::optional<ExperimentRecord> experiment(std::int64_t id) override {
        sqlite::Statement select(db_, "SELECT " + std::string(kExperimentColumns) + " FROM experiments WHERE id = ?1");
        select.bind(1, id);
        if (!select.step()) {
            return std::nullopt;
        }
        return read_experiment(select);
    }

    std::vector<ExperimentRecord> experiments() override {
        sqlite::Statement select(db_, "SELECT " + std::string(kExperimentColumns) + " FROM experiments ORDER BY id");
        std::vector<ExperimentRecord> records;
        while (select.step()) {
            records.push_back(read_experiment(select));
        }
        return records;
    }

    std::set<std::string> stored_run_keys(std::int64_t experiment_id) override {
        sqlite::Statement select(db_, "SELECT run_key FROM runs WHERE experiment_id = ?1");
        select.bind(1, experiment_id);
        std::set<std::string> keys;
        while (select.step()) {
            keys.insert(select.text(0));
        }
        return keys;
    }

    std::int64_t store_run(const RunRecord& record) override {
        refuse_if_read_only("cannot store run '" + record.run_key + "'");
        // Run row and metrics commit together or not at all: a process killed
        // mid-way leaves no run without its metrics, and --resume redoes it.
        sqlite::Transaction transaction(db_);
        fault_point("store-begin");
        const std::int64_t run_id = insert_run(record);
        fault_point("store-run-written");
        insert_metrics(run_id, record);
        fault_point("store-before-commit");
        transaction.commit();
        fault_point("store-committed");
        return run_id;
    }

    std::map<std::string, StoredOutcome> stored_run_outcomes(std::int64_t experiment_id) override {
        sqlite::Statement select(db_, "SELECT run_key, status, reason FROM runs WHERE experiment_id = ?1");
        select.bind(1, experiment_id);
        std::map<std::string, StoredOutcome> outcomes;
        while (select.step()) {
            const std::string run_key = select.text(0);
            outcomes[run_key] = {parse_status_column(select, 1, "run '" + run_key + "'"), select.text(2)};
        }
        return outcomes;
    }

    std::int64_t store_retried_run(const RunRecord& record) override {
        refuse_if_read_only("cannot store run '" + record.run_key + "'");
        // The earlier attempt goes and the new one comes in one transaction: a
        // kill between the two cannot leave the run with no record at all.
        sqlite::Transaction transaction(db_);
        delete_unsuccessful_run(record.experiment_id, record.run_key);
        const std::int64_t run_id = insert_run(record);
        insert_metrics(run_id, record);
        transaction.commit();
        return run_id;
    }

    std::vector<RunRecord> runs(std::int64_t experiment_id) override {
        sqlite::Statement select(db_, "SELECT " + std::string(kRunColumns) +
                                          " FROM runs WHERE experiment_id = ?1 ORDER BY id");
        select.bind(1, experiment_id);
        std::vector<RunRecord> records;
        std::map<std::int64_t, std::size_t> index_of_run;
        while (select.step()) {
            index_of_run[select.integer(0)] = records.size();
            records.push_back(read_run(select));
        }
        attach_metrics(experiment_id, records, index_of_run);
        return records;
    }

    std::filesystem::path path() const override { return db_.file(); }

private:
    struct Identity {
        std::int64_t application_id = 0;
        std::int64_t user_version = 0;
        std::int64_t table_count = 0;
        bool is_empty() const { return application_id == 0 && user_version == 0 && table_count == 0; }
    };

    void refuse_if_read_only(const std::string& what) const {
        if (db_.read_only()) {
            throw std::runtime_error(db_.file().string() + ": " + what + ": the database was opened read-only");
        }
    }

    Identity read_identity() {
        try {
            Identity identity;
            identity.application_id = db_.query_int("PRAGMA application_id");
            identity.user_version = db_.query_int("PRAGMA user_version");
            identity.table_count = db_.query_int("SELECT count(*) FROM sqlite_master");
            return identity;
        } catch (const std::runtime_error&) {
            // Typically "file is not a database": say what that means for the user.
            throw std::runtime_error(db_.file().string() + ": not a platbench results database, or unreadable: " +
                                     sqlite3_errmsg(db_.handle()));
        }
    }

    void check_identity(const Identity& identity) const {
        const std::string file = db_.file().string();
        if (identity.is_empty()) {
            throw std::runtime_error(file + ": empty database, not a platbench results database");
        }
        if (identity.application_id != kApplicationId) {
            throw std::runtime_error(file + ": not a platbench results database (an SQLite database of another "
                                            "program); choose another output directory");
        }
        if (identity.user_version != kSchemaVersion) {
            const char* origin = identity.user_version > kSchemaVersion ? "a newer platbench; upgrade platbench"
                                                                        : "an older platbench";
            throw std::runtime_error(file + ": results database has schema version " +
                                     std::to_string(identity.user_version) + ", written by " + origin +
                                     " (this one reads version " + std::to_string(kSchemaVersion) + ")");
        }
    }

    void open_for_writing() {
        db_.exec("PRAGMA foreign_keys = ON");
        // Identify before changing anything: someone else's database is never
        // switched to WAL or given our tables.
        const Identity identity = read_identity();
        if (!identity.is_empty()) {
            check_identity(identity);
        }
        // WAL + synchronous=FULL: every COMMIT is on disk when store_run returns.
        const std::string journal_mode = db_.query_text("PRAGMA journal_mode = WAL");
        if (journal_mode != "wal") {
            throw std::runtime_error(db_.file().string() + ": cannot switch to WAL journal mode (got '" +
                                     journal_mode + "'); is the file on a file system without shared memory?");
        }
        db_.exec("PRAGMA synchronous = FULL");
        if (identity.is_empty()) {
            create_schema();
        }
    }

    void create_schema() {
        sqlite::Transaction transaction(db_);
        // Another process may have created it between our check and our lock.
        const Identity identity = read_identity();
        if (!identity.is_empty()) {
            check_identity(identity);
            return;
        }
        db_.exec(kSchema);
        db_.exec("PRAGMA application_id = " + std::to_string(kApplicationId));
        db_.exec("PRAGMA user_version = " + std::to_string(kSchemaVersion));
        transaction.commit();
    }

    nlohmann::json parse_json_column(const sqlite::Statement& row, int column, std::string_view column_name,
                                     std::string_view owner) const {
        nlohmann::json value = nlohmann::json::parse(row.text(column), nullptr, false);
        if (value.is_discarded()) {
            throw std::runtime_error(db_.file().string() + ": " + std::string(owner) + ": column " +
                                     std::string(column_name) + " does not hold valid JSON");
        }
        return value;
    }

    // The CHECK constraint keeps other texts out of a database platbench wrote;
    // one that got in anyway (a hand edit) is refused rather than counted as a failure.
    RunStatus parse_status_column(const sqlite::Statement& row, int column, std::string_view owner) const {
        const std::string text = row.text(column);
        if (const std::optional<RunStatus> status = parse_run_status(text)) return *status;
        throw std::runtime_error(db_.file().string() + ": " + std::string(owner) + ": status '" + text +
                                 "' is none of ok, failed, skipped");
    }

    ExperimentRecord read_experiment(const sqlite::Statement& row) const {
        ExperimentRecord record;
        record.id = row.integer(0);
        record.name = row.text(1);
        record.file = row.text(2);
        record.file_hash = row.text(3);
        record.created_at = row.text(4);
        const std::string owner = "experiment " + std::to_string(record.id);
        record.config = parse_json_column(row, 5, "config_json", owner);
        record.host = parse_json_column(row, 6, "host_json", owner);
        record.planned_runs = row.integer(7);
        return record;
    }

    RunRecord read_run(const sqlite::Statement& row) const {
        RunRecord record;
        record.id = row.integer(0);
        record.experiment_id = row.integer(1);
        record.run_key = row.text(2);
        const std::string owner = "run " + std::to_string(record.id) + " ('" + record.run_key + "')";
        record.cell_id = row.text(3);
        record.cell_config_hash = row.text(4);
        record.platform_instance = row.text(5);
        record.platform_plugin = row.text(6);
        record.platform_settings = parse_json_column(row, 7, "platform_settings_json", owner);
        record.workload_instance = row.text(8);
        record.workload_plugin = row.text(9);
        record.workload_params = parse_json_column(row, 10, "workload_params_json", owner);
        record.repetition = static_cast<int>(row.integer(11));
        record.warmup = row.integer(12) != 0;
        record.status = parse_status_column(row, 13, owner);
        record.reason = row.text(14);
        record.started_at = row.text(15);
        record.ended_at = row.text(16);
        record.duration_seconds = real_or_nan(row, 17);
        record.overhead_seconds = real_or_nan(row, 18);
        record.observed_environment = parse_json_column(row, 19, "observed_environment_json", owner);
        record.platform_metadata = parse_json_column(row, 20, "platform_metadata_json", owner);
        record.info = parse_json_column(row, 21, "info_json", owner);
        record.warnings = read_warnings(parse_json_column(row, 22, "warnings_json", owner), owner);
        record.runner_stderr = row.text(23);
        return record;
    }

    std::vector<std::string> read_warnings(const nlohmann::json& warnings, std::string_view owner) const {
        std::vector<std::string> result;
        if (!warnings.is_array()) {
            throw std::runtime_error(db_.file().string() + ": " + std::string(owner) +
                                     ": column warnings_json is not a JSON array");
        }
        for (const auto& warning : warnings) {
            result.push_back(warning.is_string() ? warning.get<std::string>() : to_json_text(warning));
        }
        return result;
    }

    void attach_metrics(std::int64_t experiment_id, std::vector<RunRecord>& records,
                        const std::map<std::int64_t, std::size_t>& index_of_run) {
        // rowid order is insertion order: metrics come back in the order the workload reported them.
        sqlite::Statement select(db_,
            "SELECT m.run_id, m.name, m.value, m.unit, m.better FROM metrics m JOIN runs r ON r.id = m.run_id "
            "WHERE r.experiment_id = ?1 ORDER BY m.run_id, m.rowid");
        select.bind(1, experiment_id);
        while (select.step()) {
            const auto found = index_of_run.find(select.integer(0));
            if (found == index_of_run.end()) {
                continue;
            }
            Metric metric;
            metric.name = select.text(1);
            metric.value = real_or_nan(select, 2);
            metric.unit = select.text(3);
            metric.better = parse_better(select.text(4)).value_or(Better::None);
            records[found->second].metrics.push_back(std::move(metric));
        }
    }

    // Removes the stored failed or skipped attempt of a run; a successful one is
    // never replaced (a resumed experiment does not measure a run twice).
    void delete_unsuccessful_run(std::int64_t experiment_id, const std::string& run_key) {
        sqlite::Statement select(db_, "SELECT id, status FROM runs WHERE experiment_id = ?1 AND run_key = ?2");
        select.bind(1, experiment_id);
        select.bind(2, run_key);
        if (!select.step()) return;
        const std::int64_t run_id = select.integer(0);
        if (parse_status_column(select, 1, "run '" + run_key + "'") == RunStatus::Ok) {
            throw std::runtime_error(db_.file().string() + ": run '" + run_key +
                                     "' is already stored as ok; it is not run again");
        }
        sqlite::Statement delete_metrics(db_, "DELETE FROM metrics WHERE run_id = ?1");
        delete_metrics.bind(1, run_id);
        delete_metrics.step();
        sqlite::Statement delete_run(db_, "DELETE FROM runs WHERE id = ?1");
        delete_run.bind(1, run_id);
        delete_run.step();
    }

    std::int64_t insert_run(const RunRecord& record) {
        sqlite::Statement insert(db_,
            "INSERT INTO runs (experiment_id, run_key, cell_id, cell_config_hash, platform_instance, platform_plugin, "
            "platform_settings_json, workload_instance, workload_plugin, workload_params_json, repetition, warmup, "
            "status, reason, started_at, ended_at, duration_seconds, overhead_seconds, observed_environment_json, "
            "platform_metadata_json, info_json, warnings_json, runner_stderr) "
            "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, "
            "?21, ?22, ?23)");
        insert.bind(1, record.experiment_id).bind(2, record.run_key).bind(3, record.cell_id);
        insert.bind(4, record.cell_config_hash).bind(5, record.platform_instance).bind(6, record.platform_plugin);
        insert.bind(7, to_json_text(record.platform_settings)).bind(8, record.workload_instance);
        insert.bind(9, record.workload_plugin).bind(10, to_json_text(record.workload_params));
        insert.bind(11, record.repetition).bind(12, record.warmup ? 1 : 0).bind(13, run_status_name(record.status));
        insert.bind(14, record.reason).bind(15, record.started_at).bind(16, record.ended_at);
        bind_real_or_null(insert, 17, record.duration_seconds);
        bind_real_or_null(insert, 18, record.overhead_seconds);
        insert.bind(19, to_json_text(record.observed_environment)).bind(20, to_json_text(record.platform_metadata));
        insert.bind(21, to_json_text(record.info)).bind(22, to_json_text(nlohmann::json(record.warnings)));
        insert.bind(23, record.runner_stderr);
        try {
            insert.run();
        } catch (const std::runtime_error&) {
            explain_run_insert_failure(record);
            throw;
        }
        return db_.last_insert_rowid();
    }

    void explain_run_insert_failure(const RunRecord& record) const {
        const std::string prefix = db_.file().string() + ": cannot store run '" + record.run_key + "': ";
        switch (db_.extended_error_code()) {
            case SQLITE_CONSTRAINT_UNIQUE:
                throw std::runtime_error(prefix + "a run with this key is already stored for experiment " +
                                         std::to_string(record.experiment_id) +
                                         " (a resumed experiment must skip stored runs)");
            case SQLITE_CONSTRAINT_FOREIGNKEY:
                throw std::runtime_error(prefix + "experiment " + std::to_string(record.experiment_id) +
                                         " does not exist");
            default:
                return;  // the original message names the file and quotes SQLite
        }
    }

    void insert_metrics(std::int64_t run_id, const RunRecord& record) {
        sqlite::Statement insert(db_, "INSERT INTO metrics (run_id, name, value, unit, better) VALUES (?1, ?2, ?3, ?4, ?5)");
        for (const Metric& metric : record.metrics) {
            insert.reset();
            insert.bind(1, run_id).bind(2, metric.name);
            bind_real_or_null(insert, 3, metric.value);
            insert.bind(4, metric.unit).bind(5, better_name(metric.better));
            try {
                insert.run();
            } catch (const std::runtime_error&) {
                if (db_.extended_error_code() == SQLITE_CONSTRAINT_PRIMARYKEY) {
                    throw std::runtime_error(db_.file().string() + ": cannot store run '" + record.run_key +
                                             "': metric '" + metric.name + "' is reported twice");
                }
                throw;
            }
        }
    }

    sqlite::Database db_;
};

}  // namespace

namespace {

constexpr const char* kMakingInfix = ".making-";

// "<database>.making-<pid>" and its -wal and -shm, of processes that are gone.
void remove_abandoned_databases(const std::filesystem::path& file) {
    namespace fs = std::filesystem;
    const std::string prefix = file.filename().string() + kMakingInfix;
    std::error_code ec;
    for (const fs::directory_entry& entry : fs::directory_iterator(file.parent_path().empty() ? "." : file.parent_path(), ec)) {
        const std::string name = entry.path().filename().string();
        if (name.rfind(prefix, 0) != 0) continue;
        const long pid = std::strtol(name.c_str() + prefix.size(), nullptr, 10);
        if (pid > 0 && (::kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH)) continue;  // still being made
        fs::remove(entry.path(), ec);
    }
}

// A new database is made whole under a name of its own (schema and identity
// committed, WAL mode set) and then renamed into place, so that a process killed
// while making it never leaves a results.db without its schema, which every
// reader (report, export, a second run's check) would refuse as "not platbench's".
void create_database(const std::filesystem::path& file) {
    namespace fs = std::filesystem;
    remove_abandoned_databases(file);
    const fs::path making = file.string() + kMakingInfix + std::to_string(::getpid());
    { SqliteResultStore made(making, sqlite::OpenMode::ReadWriteCreate); }  // closing checkpoints the WAL away
    fault_point("database-made");
    std::error_code ec;
    fs::rename(making, file, ec);
    if (ec) throw std::runtime_error(file.string() + ": cannot put the new database in place: " + ec.message());
    const int dir = ::open(file.parent_path().empty() ? "." : file.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir >= 0) {
        ::fsync(dir);  // the rename itself survives a power cut
        ::close(dir);
    }
}

}  // namespace

std::unique_ptr<ResultStore> ResultStore::open(const std::filesystem::path& dir_or_file) {
    const std::filesystem::path file = database_file(dir_or_file);
    if (file.has_parent_path()) {
        std::error_code error;
        std::filesystem::create_directories(file.parent_path(), error);
        if (error) {
            throw std::runtime_error(file.string() + ": cannot create directory " + file.parent_path().string() +
                                     ": " + error.message());
        }
    }
    std::error_code error;
    if (!std::filesystem::exists(file, error)) create_database(file);
    return std::make_unique<SqliteResultStore>(file, sqlite::OpenMode::ReadWriteCreate);
}

std::unique_ptr<ResultStore> ResultStore::open_existing(const std::filesystem::path& dir_or_file) {
    const std::filesystem::path file = database_file(dir_or_file);
    std::error_code error;
    if (!std::filesystem::is_regular_file(file, error)) {
        throw std::runtime_error(file.string() + ": no results database there (wrong output directory, "
                                                 "or nothing stored yet)");
    }
    return std::make_unique<SqliteResultStore>(file, sqlite::OpenMode::ReadOnly);
}

}  // namespace platbench
