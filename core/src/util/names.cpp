#include "util/names.hpp"

namespace platbench {

std::string with_safe_name_characters(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        const bool allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                             c == '.' || c == '-';
        out += allowed ? c : '_';
    }
    return out;
}

}  // namespace platbench
