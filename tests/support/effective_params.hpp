// The effective settings the engine would hand a plugin: the given texts parsed
// by the plugin's own table, then the table's defaults.
#pragma once

#include <map>
#include <string>

#include <doctest/doctest.h>

#include "platbench/params.hpp"

namespace test {

inline platbench::ParamValues effective_params(const platbench::ParamTable& table,
                                               const std::map<std::string, std::string>& given) {
    platbench::ParamValues values;
    for (const platbench::ParamSpec& spec : table) {
        auto it = given.find(spec.name);
        if (it == given.end()) continue;
        platbench::ParseOutcome parsed = platbench::parse_param_value(spec, it->second);
        REQUIRE_MESSAGE(parsed.value.has_value(), spec.name << ": " << parsed.error);
        values.set(spec.name, *parsed.value);
    }
    platbench::apply_defaults(table, values);
    return values;
}

}  // namespace test
