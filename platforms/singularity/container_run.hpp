// One run of the runner in an apptainer container: `apptainer exec` as a child
// process with a timeout, its exit status and output read back, and its wall time
// recorded (the engine computes the platform's overhead, as for every platform).
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "apptainer_cli.hpp"
#include "platbench/platform.hpp"

namespace platbench::singularity {

struct ContainerSettings {
    std::filesystem::path program;
    std::filesystem::path image;
    bool drop_privileges = true;
    bool show_cgroups = true;
    // Where each run's working directory is made on the host (one directory per
    // run, removed afterwards); empty: the directory the engine gives the run.
    std::filesystem::path scratch_dir;
    std::string runner_path;           // inside the image
    std::string plugin_dir;            // inside the image
};

// The exec command of a run whose working directory on the host is `host_work_dir`.
ExecSpec exec_spec_for(const PlatformRunRequest& request, const ContainerSettings& settings,
                       const std::optional<std::filesystem::path>& host_work_dir);

PlatformRunOutcome run_in_container(const PlatformRunRequest& request, const ContainerSettings& settings);

// apptainer exits 255 when it could not start the container, and 128+N when the
// command inside was killed by signal N; the runner itself exits 0-3. Fills
// `outcome` from `exit_code` and apptainer's stderr accordingly.
void read_exit_status(int exit_code, const std::string& stderr_text, PlatformRunOutcome& outcome);

}  // namespace platbench::singularity
