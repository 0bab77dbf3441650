#include "engine/param_json.hpp"

namespace platbench {

nlohmann::json to_json(const ParamValue& value) {
    return std::visit([](const auto& v) { return nlohmann::json(v); }, value);
}

nlohmann::json to_json(const ParamValues& values) {
    nlohmann::json out = nlohmann::json::object();
    for (const auto& [name, value] : values.all()) out[name] = to_json(value);
    return out;
}

}  // namespace platbench
