// A platform's caveats (platbench/platform.hpp: Caveat) as stored with each of
// its runs: in the run's platform metadata under "caveats", a list of
// {"kind": "emulation", "text": "..."} that the engine writes and no plugin can.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "platbench/platform.hpp"
#include "store/result_store.hpp"

namespace platbench {

inline constexpr const char* kCaveatsKey = "caveats";

struct StoredCaveat {
    std::string kind;  // caveat_kind_name()
    std::string text;
};

void record_caveats(const std::vector<Caveat>& caveats, nlohmann::json& platform_metadata);

// The caveats stored with a run (none when its record holds no readable list).
std::vector<StoredCaveat> caveats_of(const RunRecord& run);

// The text of the run's emulation caveat, if its platform said it emulates the CPU.
std::optional<std::string> emulation_caveat(const RunRecord& run);

}  // namespace platbench
