// One run in one container: create (and a volume, for Storage::Volume), start,
// wait with the run's timeout, collect the output, remove everything again.
#pragma once

#include <string>

#include "engine_client.hpp"
#include "platbench/platform.hpp"

namespace platbench::engine_api {

// Where the runner and its work directory are inside the image.
inline constexpr const char* kContainerWorkDir = "/work";

struct ContainerRunSettings {
    std::string image;                     // reference of the bundle image
    Storage storage = Storage::Volume;
    bool network = false;
    std::string runner_path;               // inside the image
    std::string plugin_dir;                // inside the image
    std::string engine_name;               // "docker", "podman": names the daemon in a failure's reason
};

// What the container spec for `request` is: resources from its settings, labels,
// the work directory on the chosen storage. `name` is the container's (and volume's) name.
ContainerSpec container_spec_for(const PlatformRunRequest& request, const ContainerRunSettings& settings,
                                 const std::string& name);

// Never throws: every failure becomes a field of the outcome.
PlatformRunOutcome run_in_container(const EngineClient& client, const PlatformRunRequest& request,
                                    const ContainerRunSettings& settings);

}  // namespace platbench::engine_api
