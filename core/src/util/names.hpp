// Names platbench gives to things outside itself (labels, cgroups, containers).
#pragma once

#include <string>
#include <string_view>

namespace platbench {

// `text` with every character outside [A-Za-z0-9_.-] replaced by '_': a form
// that cgroup directories, Docker labels and container names all accept.
std::string with_safe_name_characters(std::string_view text);

}  // namespace platbench
