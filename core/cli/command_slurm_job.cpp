// `platbench slurm-job SCRIPT`: internal. Slurm runs it on a compute node through
// the #! line of a batch script the `slurm` executor wrote; SCRIPT is Slurm's
// copy of that script, holding the job's manifest.
#include <fstream>
#include <iostream>
#include <sstream>

#include "cli_common.hpp"
#include "slurm/job_manifest.hpp"
#include "slurm/slurm_job.hpp"

namespace platbench::cli {

int command_slurm_job(const Args& args) {
    if (args.size() != 1) {
        std::cerr << "platbench slurm-job SCRIPT: run by Slurm on a node, for a job the slurm executor submitted\n";
        return kExitUsage;
    }
    std::ifstream in(args[0], std::ios::binary);
    if (!in) {
        std::cerr << "platbench slurm-job: cannot read " << args[0] << "\n";
        return kExitRuntime;
    }
    std::string script(slurm::kMaxBatchScriptBytes, '\0');
    in.read(script.data(), static_cast<std::streamsize>(script.size()));
    script.resize(static_cast<std::size_t>(in.gcount()));
    const slurm::JobManifest manifest = slurm::parse_batch_script(script);
    PluginRegistry registry;
    load_plugins(registry, {});
    install_interrupt_handlers();  // scancel and the time limit send SIGTERM
    return slurm::run_job_task(manifest, slurm::identity_from_environment(), registry, interrupt_flag(), std::cerr);
}

}  // namespace platbench::cli
