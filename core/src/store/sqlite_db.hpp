// A thin RAII layer over the SQLite C API: a connection, prepared statements
// and transactions that roll back unless committed. Every error is a
// std::runtime_error naming the database file and quoting SQLite's message,
// so a failure in the field says which file and why.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

namespace platbench::sqlite {

enum class OpenMode { ReadWriteCreate, ReadOnly };

class Database {
public:
    // Waits up to `busy_timeout_ms` for a lock held by another process before
    // failing with SQLITE_BUSY (two platbench processes on one output directory).
    Database(const std::filesystem::path& file, OpenMode mode, int busy_timeout_ms = 10000);
    ~Database();
    Database(const Database&) = delete;
    Database& operator=(const Database&) = delete;

    sqlite3* handle() const { return db_; }
    const std::filesystem::path& file() const { return file_; }

    // Runs SQL without results (may hold several statements).
    void exec(std::string_view sql);
    // Runs a statement whose first column of its first row is an integer (PRAGMA user_version).
    std::int64_t query_int(std::string_view sql);
    std::string query_text(std::string_view sql);
    std::int64_t last_insert_rowid() const;
    bool read_only() const;

    // Throws "<file>: <what>: <SQLite's message>".
    [[noreturn]] void fail(std::string_view what) const;
    // The extended result code of the last failed call (SQLITE_CONSTRAINT_UNIQUE, ...).
    int extended_error_code() const;

private:
    std::filesystem::path file_;
    sqlite3* db_ = nullptr;
};

class Statement {
public:
    Statement(Database& db, std::string_view sql);
    ~Statement();
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;

    // Parameters are numbered from 1, as in SQLite.
    Statement& bind(int index, std::string_view text);
    Statement& bind(int index, std::int64_t value);
    Statement& bind(int index, int value) { return bind(index, static_cast<std::int64_t>(value)); }
    Statement& bind(int index, double value);
    Statement& bind_null(int index);

    // True while a row is available; false when the statement is done.
    bool step();
    // Runs a statement that returns no rows (INSERT, UPDATE ...).
    void run();
    void reset();

    // Columns are numbered from 0, as in SQLite.
    bool is_null(int column) const;
    std::string text(int column) const;
    std::int64_t integer(int column) const;
    double real(int column) const;

    const Database& database() const { return db_; }

private:
    Database& db_;
    sqlite3_stmt* stmt_ = nullptr;
    std::string sql_;
};

// BEGIN IMMEDIATE takes the write lock at once, so a concurrent writer waits
// (busy timeout) at the start instead of failing half-way with SQLITE_BUSY.
class Transaction {
public:
    explicit Transaction(Database& db);
    ~Transaction();  // rolls back unless committed
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;
    void commit();

private:
    Database& db_;
    bool open_ = true;
};

}  // namespace platbench::sqlite
