// Parameter tables: the single declaration of every setting a plugin accepts.
//
// One table per plugin drives validation of experiment files, `platbench plugins`
// output and the generated documentation, so the three can never disagree.
#pragma once

#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace platbench {

enum class ParamType {
    Integer,   // whole number, no unit suffix
    Real,      // floating-point number
    Bool,      // true/false, yes/no, on/off
    String,    // free text (never passed through a shell)
    Choice,    // one of ParamSpec::choices
    Size,      // bytes; accepts B, K/KiB, M/MiB, G/GiB, T/TiB (1024-based), kB/KB, MB, GB, TB (1000-based)
    Count,     // plain quantity; accepts k, M, G suffixes (1000-based), e.g. 80M = 80'000'000
    Duration,  // seconds; accepts ms, s, m, h suffixes (bare number = seconds)
    CpuList,   // CPU list in the kernel's cpuset syntax: "0-3,6"
};

// How a value compares: bigger numbers are better, smaller are better, or neither.
enum class Better { Higher, Lower, None };

// "higher" / "lower" / "none": the spelling in results, exports and the runner protocol.
const char* better_name(Better better);
// The inverse of better_name(); nullopt for any other text.
std::optional<Better> parse_better(std::string_view text);

// One row of a plugin's table, written with designated initialisers (the members
// in this order; leave out what does not apply):
//   ParamSpec{.name = "ntimes",
//             .type = ParamType::Integer,
//             .default_value = "10",
//             .unit = "iterations",
//             .help = "iterations of the kernels",
//             .min = 2,
//             .max = 1000}
struct ParamSpec {
    std::string name;
    ParamType type = ParamType::String;
    // Textual default, parsed with the same rules as user input. Empty: the
    // parameter is optional and absent unless the user gives it.
    std::string default_value;
    std::string unit;                  // shown to users: "bytes", "elements", "s", ...
    std::string help;                  // one line
    std::vector<std::string> choices;  // allowed values for ParamType::Choice
    // Inclusive bounds of Integer, Size (bytes) and Count values, and of the CPU
    // numbers of a CpuList; unset: unbounded on that side.
    std::optional<std::int64_t> min;
    std::optional<std::int64_t> max;
    // Inclusive bounds of Real and Duration (seconds) values; unset: unbounded.
    std::optional<double> real_min;
    std::optional<double> real_max;
    // A platform setting that changes what the platform is (a storage driver, a
    // disk cache mode): `platbench compare` names it when two experiments differ in it.
    bool fingerprint = false;
};

using ParamTable = std::vector<ParamSpec>;

// True for the types bounded by min/max (Integer, Size, Count, CpuList), false for
// those bounded by real_min/real_max (Real, Duration) and the unbounded rest.
bool has_integer_bounds(ParamType type);

// A row's bounds as numbers, whichever pair its type uses; unset where unbounded.
// For messages, help and documentation; parsing compares integers exactly.
struct NumericRange {
    std::optional<double> low;
    std::optional<double> high;
};
NumericRange numeric_range(const ParamSpec& spec);

// A parsed value. Integer, Size and Count are int64 (bytes / units); Real and
// Duration are double (Duration in seconds); Bool is bool; String, Choice and
// CpuList are text (CpuList canonicalised, e.g. "0-3,6").
using ParamValue = std::variant<bool, std::int64_t, double, std::string>;

// The effective settings of one plugin instance: every parameter of its table
// that has a value (user-given or default). Defaults are written in, so a result
// records every setting actually used.
class ParamValues {
public:
    void set(const std::string& name, ParamValue value) { values_[name] = std::move(value); }
    bool has(const std::string& name) const { return values_.count(name) != 0; }

    // Typed accessors. Reading a parameter that has no value (not in the table,
    // or optional and not given: check has() first) or as another type is a
    // plugin bug: std::out_of_range / std::invalid_argument naming the parameter.
    std::int64_t integer(const std::string& name) const { return typed<std::int64_t>(name, "an integer"); }
    double real(const std::string& name) const { return typed<double>(name, "a real number"); }
    bool boolean(const std::string& name) const { return typed<bool>(name, "a boolean"); }
    const std::string& text(const std::string& name) const { return typed<std::string>(name, "text"); }

    const std::map<std::string, ParamValue>& all() const { return values_; }

private:
    template <typename T>
    const T& typed(const std::string& name, const char* what) const {
        const auto found = values_.find(name);
        if (found == values_.end())
            throw std::out_of_range("parameter '" + name +
                                    "' has no value: it is not in the plugin's table, or optional and not given");
        if (const T* value = std::get_if<T>(&found->second)) return *value;
        throw std::invalid_argument("parameter '" + name + "' is read as " + what + ", which its table's type is not");
    }

    std::map<std::string, ParamValue> values_;
};

// Parsing and formatting by the table's rules. Implemented in the core library.
struct ParseOutcome {
    std::optional<ParamValue> value;
    std::string error;  // set when value is empty: what was wrong and what is accepted
};
ParseOutcome parse_param_value(const ParamSpec& spec, std::string_view text);

// Canonical text for a parsed value: parse_param_value(spec, format_param_value(spec, v)) == v.
std::string format_param_value(const ParamSpec& spec, const ParamValue& value);

// "integer", "size (e.g. 256MiB)", ... for messages and --help.
std::string describe_param_type(ParamType type);

// Fills in defaults for every parameter of the table the user did not give.
void apply_defaults(const ParamTable& table, ParamValues& values);

// Expands "0-3,6" to {0,1,2,3,6}. Returns nullopt for malformed text.
std::optional<std::vector<int>> expand_cpu_list(std::string_view text);

// The canonical text of a set of CPUs, as expand_cpu_list reads it and Linux and
// libvirt write it: sorted, each CPU once, consecutive CPUs as a range
// ({6,0,1,2,3} -> "0-3,6"); "" for none.
std::string format_cpu_list(std::vector<int> cpus);

}  // namespace platbench
