#include "util/names.hpp"

#include <unistd.h>

#include <atomic>

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

std::string unique_object_name(const std::map<std::string, std::string>& labels) {
    static std::atomic<unsigned> counter{0};
    std::string run = "run";
    if (auto label = labels.find("platbench.run"); label != labels.end() && !label->second.empty()) run = label->second;
    return with_safe_name_characters("platbench-" + run + "-" + std::to_string(::getpid()) + "-" +
                                     std::to_string(counter++));
}

}  // namespace platbench
