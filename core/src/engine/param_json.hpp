// ParamValues <-> JSON, for storing effective settings with every run.
#pragma once

#include <nlohmann/json.hpp>

#include "platbench/params.hpp"

namespace platbench {

nlohmann::json to_json(const ParamValue& value);
nlohmann::json to_json(const ParamValues& values);

}  // namespace platbench
