#include "store/sqlite_db.hpp"

#include <stdexcept>

#include <sqlite3.h>

namespace platbench::sqlite {

namespace {

std::string describe(const std::filesystem::path& file, std::string_view what, std::string_view detail) {
    std::string message = file.string();
    message += ": ";
    message += what;
    if (!detail.empty()) {
        message += ": ";
        message += detail;
    }
    return message;
}

// Messages quote the statement's start: enough to tell which one, short enough to read.
std::string quoted_sql(std::string_view sql) {
    constexpr std::size_t kShown = 60;
    std::string text = "\"";
    text += sql.substr(0, kShown);
    text += sql.size() > kShown ? "...\"" : "\"";
    return text;
}

}  // namespace

Database::Database(const std::filesystem::path& file, OpenMode mode, int busy_timeout_ms) : file_(file) {
    const int flags = mode == OpenMode::ReadOnly ? SQLITE_OPEN_READONLY
                                                 : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
    const int rc = sqlite3_open_v2(file.c_str(), &db_, flags | SQLITE_OPEN_NOMUTEX, nullptr);
    if (rc != SQLITE_OK) {
        // The handle carries the message even when opening failed; it must still be closed.
        const std::string detail = db_ != nullptr ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
        sqlite3_close_v2(db_);
        db_ = nullptr;
        throw std::runtime_error(describe(file_, "cannot open database", detail));
    }
    sqlite3_extended_result_codes(db_, 1);
    sqlite3_busy_timeout(db_, busy_timeout_ms);
}

Database::~Database() { sqlite3_close_v2(db_); }

void Database::exec(std::string_view sql) {
    const std::string text(sql);
    char* error = nullptr;
    if (sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
        const std::string detail = error != nullptr ? error : sqlite3_errmsg(db_);
        sqlite3_free(error);
        throw std::runtime_error(describe(file_, "cannot execute " + quoted_sql(text), detail));
    }
}

std::int64_t Database::query_int(std::string_view sql) {
    Statement statement(*this, sql);
    if (!statement.step()) {
        fail("no result from " + quoted_sql(sql));
    }
    return statement.integer(0);
}

std::string Database::query_text(std::string_view sql) {
    Statement statement(*this, sql);
    if (!statement.step()) {
        fail("no result from " + quoted_sql(sql));
    }
    return statement.text(0);
}

std::int64_t Database::last_insert_rowid() const { return sqlite3_last_insert_rowid(db_); }

bool Database::read_only() const { return sqlite3_db_readonly(db_, "main") == 1; }

void Database::fail(std::string_view what) const {
    throw std::runtime_error(describe(file_, what, sqlite3_errmsg(db_)));
}

int Database::extended_error_code() const { return sqlite3_extended_errcode(db_); }

Statement::Statement(Database& db, std::string_view sql) : db_(db), sql_(sql) {
    if (sqlite3_prepare_v2(db_.handle(), sql_.data(), static_cast<int>(sql_.size()), &stmt_, nullptr) != SQLITE_OK) {
        db_.fail("cannot prepare " + quoted_sql(sql_));
    }
}

Statement::~Statement() { sqlite3_finalize(stmt_); }

Statement& Statement::bind(int index, std::string_view text) {
    // SQLITE_TRANSIENT: SQLite copies the bytes, so the caller's string may go away.
    if (sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8) != SQLITE_OK) {
        db_.fail("cannot bind parameter " + std::to_string(index) + " of " + quoted_sql(sql_));
    }
    return *this;
}

Statement& Statement::bind(int index, std::int64_t value) {
    if (sqlite3_bind_int64(stmt_, index, value) != SQLITE_OK) {
        db_.fail("cannot bind parameter " + std::to_string(index) + " of " + quoted_sql(sql_));
    }
    return *this;
}

Statement& Statement::bind(int index, double value) {
    if (sqlite3_bind_double(stmt_, index, value) != SQLITE_OK) {
        db_.fail("cannot bind parameter " + std::to_string(index) + " of " + quoted_sql(sql_));
    }
    return *this;
}

Statement& Statement::bind_null(int index) {
    if (sqlite3_bind_null(stmt_, index) != SQLITE_OK) {
        db_.fail("cannot bind parameter " + std::to_string(index) + " of " + quoted_sql(sql_));
    }
    return *this;
}

bool Statement::step() {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) {
        return true;
    }
    if (rc == SQLITE_DONE) {
        return false;
    }
    db_.fail("cannot execute " + quoted_sql(sql_));
}

void Statement::run() {
    while (step()) {
    }
}

void Statement::reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
}

bool Statement::is_null(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }

std::string Statement::text(int column) const {
    const auto* bytes = sqlite3_column_text(stmt_, column);
    if (bytes == nullptr) {
        return {};
    }
    return std::string(reinterpret_cast<const char*>(bytes), static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column)));
}

std::int64_t Statement::integer(int column) const { return sqlite3_column_int64(stmt_, column); }

double Statement::real(int column) const { return sqlite3_column_double(stmt_, column); }

Transaction::Transaction(Database& db) : db_(db) { db_.exec("BEGIN IMMEDIATE"); }

Transaction::~Transaction() {
    if (open_) {
        // Nothing useful can be done about a failed rollback here; SQLite rolls
        // back an unfinished transaction itself when the connection closes.
        sqlite3_exec(db_.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
    }
}

void Transaction::commit() {
    db_.exec("COMMIT");
    open_ = false;
}

}  // namespace platbench::sqlite
