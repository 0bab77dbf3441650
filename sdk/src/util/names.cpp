#include "platbench/names.hpp"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <regex>

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

bool object_owner_alive(const std::string& name) {
    static const std::regex owner(R"(-([0-9]{1,9})-[0-9]+(\.[a-z0-9]+)?$)");
    std::smatch match;
    if (!std::regex_search(name, match, owner)) return false;
    const long pid = std::stol(match[1].str());
    return pid > 0 && pid <= 4194304 && (::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM);
}

}  // namespace platbench
