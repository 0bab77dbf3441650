// Names platbench gives to things outside itself (labels, cgroups, containers).
#pragma once

#include <map>
#include <string>
#include <string_view>

namespace platbench {

// `text` with every character outside [A-Za-z0-9_.-] replaced by '_': a form
// that cgroup directories, Docker labels and container names all accept.
std::string with_safe_name_characters(std::string_view text);

// A name for one run's container or VM that no other run, nor another platbench
// process, uses: "platbench-<platbench.run label>-<pid>-<counter>", safe characters only.
std::string unique_object_name(const std::map<std::string, std::string>& labels);

// Whether the platbench process an object's name comes from (a unique_object_name,
// or any "...-<pid>-<n>[.ext]") is still running. `platbench clean` leaves such
// objects alone: they belong to an experiment in progress, not to a crash.
bool object_owner_alive(const std::string& name);

}  // namespace platbench
