#include "util/bounded_json.hpp"

#include <algorithm>
#include <fstream>
#include <stdexcept>

namespace platbench {

int json_nesting_depth(std::string_view text) {
    int depth = 0;
    int deepest = 0;
    bool in_string = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (in_string) {
            if (c == '\\') {
                ++i;  // the escaped character cannot end the string
            } else if (c == '"') {
                in_string = false;
            }
        } else if (c == '"') {
            in_string = true;
        } else if (c == '[' || c == '{') {
            deepest = std::max(deepest, ++depth);
        } else if ((c == ']' || c == '}') && depth > 0) {
            --depth;
        }
    }
    return deepest;
}

namespace {

std::string size_text(std::size_t bytes) {
    if (bytes >= (std::size_t{1} << 20) && bytes % (std::size_t{1} << 20) == 0) return std::to_string(bytes >> 20) + " MiB";
    if (bytes >= 1024 && bytes % 1024 == 0) return std::to_string(bytes >> 10) + " KiB";
    return std::to_string(bytes) + " bytes";
}

}  // namespace

nlohmann::json parse_bounded_json(std::string_view text, const JsonLimits& limits, const std::string& what) {
    if (text.size() > limits.max_bytes) throw std::runtime_error(what + ": larger than " + size_text(limits.max_bytes));
    if (json_nesting_depth(text) > limits.max_depth)
        throw std::runtime_error(what + ": nested deeper than " + std::to_string(limits.max_depth) + " levels");
    try {
        return nlohmann::json::parse(text.begin(), text.end());
    } catch (const nlohmann::json::exception& e) {
        throw std::runtime_error(what + ": not valid JSON: " + e.what());
    }
}

nlohmann::json read_bounded_json_file(const std::filesystem::path& file, const JsonLimits& limits,
                                      const std::string& what) {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw std::runtime_error(what + ": cannot read " + file.string());
    std::string text(limits.max_bytes + 1, '\0');
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    if (in.bad()) throw std::runtime_error(what + ": cannot read " + file.string());
    text.resize(static_cast<std::size_t>(in.gcount()));
    return parse_bounded_json(text, limits, what);
}

}  // namespace platbench
