#include "store/run_caveats.hpp"

namespace platbench {

void record_caveats(const std::vector<Caveat>& caveats, nlohmann::json& platform_metadata) {
    nlohmann::json list = nlohmann::json::array();
    for (const Caveat& caveat : caveats) list.push_back({{"kind", caveat_kind_name(caveat.kind)}, {"text", caveat.text}});
    if (list.empty()) platform_metadata.erase(kCaveatsKey);
    else platform_metadata[kCaveatsKey] = std::move(list);
}

std::vector<StoredCaveat> caveats_of(const RunRecord& run) {
    std::vector<StoredCaveat> caveats;
    const auto list = run.platform_metadata.find(kCaveatsKey);
    if (list == run.platform_metadata.end() || !list->is_array()) return caveats;
    for (const nlohmann::json& caveat : *list) {
        if (!caveat.is_object() || !caveat.contains("kind") || !caveat["kind"].is_string() ||
            !caveat.contains("text") || !caveat["text"].is_string())
            continue;
        caveats.push_back({caveat["kind"].get<std::string>(), caveat["text"].get<std::string>()});
    }
    return caveats;
}

std::optional<std::string> emulation_caveat(const RunRecord& run) {
    const std::string emulation = caveat_kind_name(Caveat::Kind::Emulation);
    for (const StoredCaveat& caveat : caveats_of(run))
        if (caveat.kind == emulation) return caveat.text;
    return std::nullopt;
}

}  // namespace platbench
