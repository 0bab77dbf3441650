#include "platbench/params.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <set>
#include <sstream>

namespace platbench {
namespace {

std::string lower(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
    return out;
}

std::string_view trim(std::string_view text) {
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
    return text;
}

// Splits "256MiB" into 256 and "MiB". The number may have a fraction ("1.5G").
bool split_number(std::string_view text, double& number, std::string_view& suffix) {
    std::size_t i = 0;
    while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.' ||
                               ((text[i] == '-' || text[i] == '+') && i == 0) ||
                               ((text[i] == 'e' || text[i] == 'E') && i > 0 && i + 1 < text.size() &&
                                (std::isdigit(static_cast<unsigned char>(text[i + 1])) || text[i + 1] == '-')))) {
        ++i;
    }
    if (i == 0) return false;
    std::string number_text(text.substr(0, i));
    char* end = nullptr;
    number = std::strtod(number_text.c_str(), &end);
    if (end != number_text.c_str() + number_text.size() || !std::isfinite(number)) return false;
    suffix = trim(text.substr(i));
    return true;
}

struct Multiplier {
    const char* suffix;
    double factor;
};

// Size suffixes, case-sensitive where SI and binary prefixes differ by case.
constexpr Multiplier kSizeSuffixes[] = {
    {"", 1},          {"B", 1},
    {"K", 1024.0},    {"KiB", 1024.0},   {"k", 1024.0},  {"kB", 1e3}, {"KB", 1e3},
    {"M", 1048576.0}, {"MiB", 1048576.0}, {"MB", 1e6},
    {"G", 1073741824.0}, {"GiB", 1073741824.0}, {"GB", 1e9},
    {"T", 1099511627776.0}, {"TiB", 1099511627776.0}, {"TB", 1e12},
};
constexpr Multiplier kCountSuffixes[] = {{"", 1}, {"k", 1e3}, {"K", 1e3}, {"M", 1e6}, {"G", 1e9}};
constexpr Multiplier kDurationSuffixes[] = {
    {"", 1}, {"s", 1}, {"ms", 1e-3}, {"us", 1e-6}, {"m", 60}, {"min", 60}, {"h", 3600}};

template <std::size_t N>
const Multiplier* find_suffix(const Multiplier (&table)[N], std::string_view suffix) {
    for (const Multiplier& m : table) {
        if (suffix == m.suffix) return &m;
    }
    return nullptr;
}

// "between 1 and 64", "at least 2", "at most 3600": the row's bounds in words.
std::string range_text(const ParamSpec& spec) {
    auto fmt = [&](auto bound) {
        std::ostringstream out;
        out << bound;
        return out.str();
    };
    std::string low, high;
    if (has_integer_bounds(spec.type)) {
        if (spec.min) low = fmt(*spec.min);
        if (spec.max) high = fmt(*spec.max);
    } else {
        if (spec.real_min) low = fmt(*spec.real_min);
        if (spec.real_max) high = fmt(*spec.real_max);
    }
    if (!low.empty() && !high.empty()) return "between " + low + " and " + high;
    if (!low.empty()) return "at least " + low;
    if (!high.empty()) return "at most " + high;
    return "";
}

ParseOutcome fail(std::string message) { return {std::nullopt, std::move(message)}; }

ParseOutcome out_of_range(const ParamSpec& spec) {
    return fail("value out of range: must be " + range_text(spec) + (spec.unit.empty() ? "" : " " + spec.unit));
}

// Integer, Size and Count values against min/max, exactly.
ParseOutcome check_integer_range(const ParamSpec& spec, std::int64_t value) {
    if ((spec.min && value < *spec.min) || (spec.max && value > *spec.max)) return out_of_range(spec);
    return {ParamValue(value), {}};
}

// Real and Duration values against real_min/real_max.
ParseOutcome check_real_range(const ParamSpec& spec, double value) {
    if ((spec.real_min && value < *spec.real_min) || (spec.real_max && value > *spec.real_max))
        return out_of_range(spec);
    return {ParamValue(value), {}};
}

template <std::size_t N>
ParseOutcome parse_scaled_integer(const ParamSpec& spec, std::string_view text, const Multiplier (&table)[N],
                                  const char* accepted) {
    double number = 0;
    std::string_view suffix;
    if (!split_number(text, number, suffix)) return fail(std::string("expected ") + accepted);
    const Multiplier* m = find_suffix(table, suffix);
    if (m == nullptr) return fail("unknown unit '" + std::string(suffix) + "': expected " + accepted);
    if (number < 0) return fail("must not be negative");
    const double value = number * m->factor;
    if (value > 9.2e18) return fail("value too large");
    if (value != std::floor(value)) return fail("must be a whole number");
    return check_integer_range(spec, static_cast<std::int64_t>(value));
}

}  // namespace

bool has_integer_bounds(ParamType type) {
    return type == ParamType::Integer || type == ParamType::Size || type == ParamType::Count ||
           type == ParamType::CpuList;
}

NumericRange numeric_range(const ParamSpec& spec) {
    if (!has_integer_bounds(spec.type)) return {spec.real_min, spec.real_max};
    NumericRange range;
    if (spec.min) range.low = static_cast<double>(*spec.min);
    if (spec.max) range.high = static_cast<double>(*spec.max);
    return range;
}

std::string format_cpu_list(std::vector<int> cpus) {
    std::sort(cpus.begin(), cpus.end());
    cpus.erase(std::unique(cpus.begin(), cpus.end()), cpus.end());
    std::string text;
    for (std::size_t i = 0; i < cpus.size();) {
        std::size_t j = i;
        while (j + 1 < cpus.size() && cpus[j + 1] == cpus[j] + 1) ++j;
        if (!text.empty()) text += ',';
        text += std::to_string(cpus[i]);
        if (j > i) text += '-' + std::to_string(cpus[j]);
        i = j + 1;
    }
    return text;
}

std::optional<std::vector<int>> expand_cpu_list(std::string_view text) {
    std::vector<int> cpus;
    text = trim(text);
    if (text.empty()) return std::nullopt;
    std::size_t start = 0;
    while (start <= text.size()) {
        std::size_t end = text.find(',', start);
        if (end == std::string_view::npos) end = text.size();
        std::string_view part = trim(text.substr(start, end - start));
        int first = 0, last = 0;
        const std::size_t dash = part.find('-');
        std::string_view a = part.substr(0, dash);
        std::string_view b = dash == std::string_view::npos ? a : part.substr(dash + 1);
        auto parse_int = [](std::string_view s, int& v) {
            auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
            return ec == std::errc() && p == s.data() + s.size() && v >= 0 && v < 65536;
        };
        if (part.empty() || !parse_int(a, first) || !parse_int(b, last) || last < first) return std::nullopt;
        for (int cpu = first; cpu <= last; ++cpu) cpus.push_back(cpu);
        start = end + 1;
    }
    std::sort(cpus.begin(), cpus.end());
    cpus.erase(std::unique(cpus.begin(), cpus.end()), cpus.end());
    return cpus;
}

ParseOutcome parse_param_value(const ParamSpec& spec, std::string_view raw) {
    const std::string_view text = trim(raw);
    switch (spec.type) {
        case ParamType::Integer: {
            std::int64_t value = 0;
            auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
            if (text.empty() || ec != std::errc() || p != text.data() + text.size())
                return fail("expected an integer");
            return check_integer_range(spec, value);
        }
        case ParamType::Real: {
            double number = 0;
            std::string_view suffix;
            if (!split_number(text, number, suffix) || !suffix.empty()) return fail("expected a number");
            return check_real_range(spec, number);
        }
        case ParamType::Bool: {
            const std::string v = lower(text);
            if (v == "true" || v == "yes" || v == "on" || v == "1") return {ParamValue(true), {}};
            if (v == "false" || v == "no" || v == "off" || v == "0") return {ParamValue(false), {}};
            return fail("expected true or false");
        }
        case ParamType::String:
            return {ParamValue(std::string(raw)), {}};
        case ParamType::Choice: {
            for (const std::string& choice : spec.choices) {
                if (text == choice) return {ParamValue(choice), {}};
            }
            std::string list;
            for (const std::string& choice : spec.choices) list += (list.empty() ? "" : ", ") + choice;
            return fail("'" + std::string(text) + "' is not one of: " + list);
        }
        case ParamType::Size:
            return parse_scaled_integer(spec, text, kSizeSuffixes,
                                        "a size such as 4096, 64KiB, 256MiB, 2GB (K/M/G/KiB/MiB/GiB are 1024-based, kB/MB/GB 1000-based)");
        case ParamType::Count:
            return parse_scaled_integer(spec, text, kCountSuffixes, "a count such as 1000, 10k, 80M (k/M/G are 1000-based)");
        case ParamType::Duration: {
            double number = 0;
            std::string_view suffix;
            const char* accepted = "a duration such as 30, 30s, 500ms, 2m, 1h";
            if (!split_number(text, number, suffix)) return fail(std::string("expected ") + accepted);
            const Multiplier* m = find_suffix(kDurationSuffixes, suffix);
            if (m == nullptr) return fail("unknown unit '" + std::string(suffix) + "': expected " + accepted);
            if (number < 0) return fail("must not be negative");
            const double seconds = number * m->factor;
            return check_real_range(spec, seconds);
        }
        case ParamType::CpuList: {
            auto cpus = expand_cpu_list(text);
            if (!cpus) return fail("expected a CPU list such as 0, 0-3 or 0,2,4-7");
            if (!cpus->empty() && ((spec.min && cpus->front() < *spec.min) || (spec.max && cpus->back() > *spec.max)))
                return fail("CPU numbers must be " + range_text(spec));
            return {ParamValue(format_cpu_list(std::move(*cpus))), {}};
        }
    }
    return fail("unsupported parameter type");
}

std::string format_param_value(const ParamSpec& spec, const ParamValue& value) {
    switch (spec.type) {
        case ParamType::Bool:
            return std::get<bool>(value) ? "true" : "false";
        case ParamType::Integer:
        case ParamType::Size:
        case ParamType::Count:
            return std::to_string(std::get<std::int64_t>(value));
        case ParamType::Real:
        case ParamType::Duration: {
            // Shortest text that reads back to the same double: "0.31", not "0.30999999999999999".
            char buffer[64];
            auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, std::get<double>(value));
            return ec == std::errc() ? std::string(buffer, end) : std::string("nan");
        }
        case ParamType::String:
        case ParamType::Choice:
        case ParamType::CpuList:
            return std::get<std::string>(value);
    }
    return {};
}

const char* better_name(Better better) {
    switch (better) {
        case Better::Higher: return "higher";
        case Better::Lower: return "lower";
        case Better::None: return "none";
    }
    return "none";
}

std::optional<Better> parse_better(std::string_view text) {
    for (Better better : {Better::Higher, Better::Lower, Better::None}) {
        if (text == better_name(better)) return better;
    }
    return std::nullopt;
}

std::string describe_param_type(ParamType type) {
    switch (type) {
        case ParamType::Integer: return "integer";
        case ParamType::Real: return "number";
        case ParamType::Bool: return "bool";
        case ParamType::String: return "string";
        case ParamType::Choice: return "choice";
        case ParamType::Size: return "size";
        case ParamType::Count: return "count";
        case ParamType::Duration: return "duration";
        case ParamType::CpuList: return "cpu-list";
    }
    return "unknown";
}

void apply_defaults(const ParamTable& table, ParamValues& values) {
    for (const ParamSpec& spec : table) {
        if (values.has(spec.name) || spec.default_value.empty()) continue;
        ParseOutcome parsed = parse_param_value(spec, spec.default_value);
        if (parsed.value) values.set(spec.name, *parsed.value);
    }
}

}  // namespace platbench
