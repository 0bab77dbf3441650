#pragma once
// What the experiment-file tests share: where their files are, and a
// case-insensitive view of messages.
#include <algorithm>
#include <cctype>
#include <filesystem>
#include <string>

namespace test {

// tests/data/configs: good and bad experiment files.
inline const std::filesystem::path kConfigDir = std::filesystem::path(PLATBENCH_TEST_DATA_DIR) / "configs";

inline std::string lower(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
    return text;
}

}  // namespace test
