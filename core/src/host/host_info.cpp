#include "host/host_info.hpp"

#include <charconv>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <limits>
#include <sstream>
#include <vector>

#include <sys/utsname.h>
#include <unistd.h>

#include <boost/version.hpp>
#include <openssl/crypto.h>
#include <sqlite3.h>

#include "platbench/environment.hpp"

namespace platbench {

namespace {

std::string_view trim(std::string_view text) {
    constexpr std::string_view kSpace = " \t\r\n";
    const auto first = text.find_first_not_of(kSpace);
    if (first == std::string_view::npos) {
        return {};
    }
    const auto last = text.find_last_not_of(kSpace);
    return text.substr(first, last - first + 1);
}

std::vector<std::string_view> lines_of(std::string_view text) {
    std::vector<std::string_view> lines;
    while (!text.empty()) {
        const auto end = text.find('\n');
        lines.push_back(text.substr(0, end));
        if (end == std::string_view::npos) {
            break;
        }
        text.remove_prefix(end + 1);
    }
    return lines;
}

// "key<sep>value" with both sides trimmed; nullopt when the separator is missing.
std::optional<std::pair<std::string_view, std::string_view>> split_pair(std::string_view line, char separator) {
    const auto at = line.find(separator);
    if (at == std::string_view::npos) {
        return std::nullopt;
    }
    return std::pair{trim(line.substr(0, at)), trim(line.substr(at + 1))};
}

std::optional<std::string> read_small_file(const char* path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return std::nullopt;
    }
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad()) {
        return std::nullopt;
    }
    return text.str();
}

// os-release values follow shell quoting: "Debian GNU/Linux 12", 'x', or bare,
// with backslash escapes inside double quotes.
std::string unquote_shell_value(std::string_view value) {
    if (value.size() >= 2 && value.front() == '\'' && value.back() == '\'') {
        return std::string(value.substr(1, value.size() - 2));
    }
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
        value = value.substr(1, value.size() - 2);
    }
    std::string result;
    for (std::size_t i = 0; i < value.size(); ++i) {
        if (value[i] == '\\' && i + 1 < value.size()) {
            ++i;
        }
        result += value[i];
    }
    return result;
}

std::string compiler_description() {
#if defined(__clang__)
    return "clang " __clang_version__;
#elif defined(__GNUC__)
    return "g++ " __VERSION__;
#else
    return "unknown";
#endif
}

std::string boost_version() {
    std::string version = BOOST_LIB_VERSION;  // "1_74"
    for (char& c : version) {
        if (c == '_') {
            c = '.';
        }
    }
    return version;
}

std::string nlohmann_json_version() {
    return std::to_string(NLOHMANN_JSON_VERSION_MAJOR) + "." + std::to_string(NLOHMANN_JSON_VERSION_MINOR) + "." +
           std::to_string(NLOHMANN_JSON_VERSION_PATCH);
}

// The machine's state at the start: what a validity check compares with.
void add_state_facts(nlohmann::json& info) {
    if (const auto governor = read_small_file("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor")) {
        const std::string_view text = trim(*governor);
        if (!text.empty()) info["cpu_governor"] = std::string(text);
    }
    if (const auto thp = read_small_file("/sys/kernel/mm/transparent_hugepage/enabled")) {
        if (auto mode = selected_choice(*thp)) info["transparent_hugepages"] = *mode;
    }
    if (const auto loadavg = read_small_file("/proc/loadavg")) {
        if (auto load = load_average_from_loadavg(*loadavg)) info["load_average_1m"] = *load;
    }
}

void add_kernel_facts(nlohmann::json& info) {
    struct utsname names {};
    if (uname(&names) != 0) {
        return;
    }
    info["kernel"] = names.release;
    info["architecture"] = names.machine;
    info["hostname"] = names.nodename;
}

void add_file_facts(nlohmann::json& info) {
    if (const auto cpuinfo = read_small_file("/proc/cpuinfo")) {
        if (auto model = cpu_model_from_cpuinfo(*cpuinfo)) {
            info["cpu_model"] = *model;
        }
    }
    if (const auto meminfo = read_small_file("/proc/meminfo")) {
        if (auto bytes = memory_total_bytes_from_meminfo(*meminfo)) {
            info["memory_total_bytes"] = *bytes;
        }
    }
    // /usr/lib/os-release is the fallback the os-release specification names.
    for (const char* path : {"/etc/os-release", "/usr/lib/os-release"}) {
        if (const auto os_release = read_small_file(path)) {
            if (auto name = pretty_name_from_os_release(*os_release)) {
                info["os"] = *name;
                break;
            }
        }
    }
}

}  // namespace

std::optional<std::string> cpu_model_from_cpuinfo(std::string_view cpuinfo) {
    // x86: "model name"; MIPS: "cpu model"; POWER: "cpu"; old ARM: "Processor".
    for (const std::string_view wanted : {"model name", "cpu model", "cpu", "Processor"}) {
        std::optional<std::string> model = proc_field(cpuinfo, wanted);
        if (model && !model->empty()) return model;
    }
    return std::nullopt;
}

std::optional<std::uint64_t> memory_total_bytes_from_meminfo(std::string_view meminfo) {
    return meminfo_field(meminfo, "MemTotal");
}

std::optional<std::string> pretty_name_from_os_release(std::string_view os_release) {
    for (const std::string_view line : lines_of(os_release)) {
        const auto pair = split_pair(line, '=');
        if (pair && pair->first == "PRETTY_NAME") {
            std::string name = unquote_shell_value(pair->second);
            if (!name.empty()) {
                return name;
            }
        }
    }
    return std::nullopt;
}

std::optional<std::string> selected_choice(std::string_view sysfs_choices) {
    const std::size_t open = sysfs_choices.find('[');
    const std::size_t close = sysfs_choices.find(']', open);
    if (open == std::string_view::npos || close == std::string_view::npos || close == open + 1) return std::nullopt;
    return std::string(sysfs_choices.substr(open + 1, close - open - 1));
}

std::optional<double> load_average_from_loadavg(std::string_view loadavg) {
    const std::string_view text = trim(loadavg);
    double load = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), load);
    if (error != std::errc() || end == text.data() || load < 0) return std::nullopt;
    return load;
}

nlohmann::json collect_host_info() {
    nlohmann::json info = nlohmann::json::object();
    add_file_facts(info);
    add_state_facts(info);
    if (const long cores = sysconf(_SC_NPROCESSORS_ONLN); cores > 0) {
        info["cpu_cores"] = cores;
    }
    add_kernel_facts(info);
    info["platbench_version"] = PLATBENCH_VERSION;
    info["compiler"] = compiler_description();
    info["boost_version"] = boost_version();
    info["sqlite_version"] = sqlite3_libversion();
    info["openssl_version"] = OpenSSL_version(OPENSSL_VERSION);
    info["nlohmann_json_version"] = nlohmann_json_version();
    return info;
}

std::string format_utc_timestamp(std::chrono::system_clock::time_point time) {
    const auto seconds = std::chrono::floor<std::chrono::seconds>(time);
    const auto milliseconds = std::chrono::duration_cast<std::chrono::milliseconds>(time - seconds).count();
    const std::time_t since_epoch = std::chrono::system_clock::to_time_t(seconds);
    std::tm utc{};
    gmtime_r(&since_epoch, &utc);
    char text[96];  // room for any int in each field, which -Wformat-truncation checks
    std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", utc.tm_year + 1900, utc.tm_mon + 1,
                  utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, static_cast<int>(milliseconds));
    return text;
}

std::string utc_timestamp_now() { return format_utc_timestamp(std::chrono::system_clock::now()); }

}  // namespace platbench
