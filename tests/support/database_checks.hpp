// Low-level checks of a results database, as an outside tool would make them.
#pragma once

#include <sqlite3.h>

#include <filesystem>
#include <string>

namespace test {

// What `PRAGMA integrity_check` says of the database ("ok" when it is sound).
inline std::string integrity_check(const std::filesystem::path& database) {
    sqlite3* db = nullptr;
    std::string result = "cannot open " + database.string();
    if (sqlite3_open_v2(database.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
        sqlite3_stmt* statement = nullptr;
        if (sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &statement, nullptr) == SQLITE_OK) {
            result.clear();
            while (sqlite3_step(statement) == SQLITE_ROW) {
                result += (result.empty() ? "" : "\n") + std::string(reinterpret_cast<const char*>(sqlite3_column_text(statement, 0)));
            }
        }
        sqlite3_finalize(statement);
    }
    sqlite3_close(db);
    return result;
}

}  // namespace test
