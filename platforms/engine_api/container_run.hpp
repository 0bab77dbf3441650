// One run in one container: create (and a volume, for Storage::Volume), start,
// wait with the run's timeout, collect the output, remove everything again.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>

#include <sys/resource.h>

#include "engine_client.hpp"
#include "platbench/platform.hpp"

namespace platbench::engine_api {

// Where the runner and its work directory are inside the image.
inline constexpr const char* kContainerWorkDir = "/work";

// A run's volume is named after its container, with this suffix: Podman removes a
// volume named by a prefix of its name when none has the exact name, so no volume's
// name may be the start of another's ("...-1" of "...-10").
inline constexpr const char* kVolumeSuffix = ".work";
std::string volume_name_for(const std::string& container_name);

struct ContainerRunSettings {
    std::string image;                     // reference of the bundle image
    Storage storage = Storage::Volume;
    std::string runner_path;               // inside the image
    std::string plugin_dir;                // inside the image
    std::string engine_name;               // "docker", "podman": names the daemon in a failure's reason
};

// The open-file and process limits the runner gets in the container, by Docker's
// names: the ones it has on the host (`open_files`, `processes`), as under `native`,
// rather than the daemon's defaults. The process limit is at most `pid_max`
// (/proc/sys/kernel/pid_max; nullopt: unknown): see the definition for why.
std::map<std::string, std::pair<std::uint64_t, std::uint64_t>> container_rlimits(
    const rlimit& open_files, const rlimit& processes, std::optional<std::uint64_t> pid_max);

// /proc/sys/kernel/pid_max, or nullopt when it cannot be read.
std::optional<std::uint64_t> kernel_pid_max();

// What the container spec for `request` is: resources from its settings, labels,
// the work directory on the chosen storage. `name` is the container's (and volume's) name.
// The NetworkMode of a container on `path` (open_network's).
std::string network_mode_for(const NetworkPath& path);

ContainerSpec container_spec_for(const PlatformRunRequest& request, const ContainerRunSettings& settings,
                                 const std::string& name);

// Never throws: every failure becomes a field of the outcome.
PlatformRunOutcome run_in_container(const EngineClient& client, const PlatformRunRequest& request,
                                    const ContainerRunSettings& settings);

}  // namespace platbench::engine_api
