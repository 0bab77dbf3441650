// The hpcc plugin running the real hpcc on this host.
#include <doctest/doctest.h>

#include <atomic>
#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <string>

#include "effective_params.hpp"
#include "metric_table_checks.hpp"
#include "observed_environment.hpp"
#include "platbench/plugin.hpp"
#include "platbench/process.hpp"
#include "plugin/registry.hpp"
#include "skip.hpp"
#include "temp_dir.hpp"
#include "workload_result_checks.hpp"

namespace {

const platbench::LoadedPlugin& hpcc_plugin() {
    static const std::unique_ptr<platbench::LoadedPlugin> plugin =
        platbench::load_plugin_file(PLATBENCH_PLUGIN_DIR + "/workload_hpcc.so");
    return *plugin;
}

}  // namespace

TEST_CASE("hpcc declares its parameters, metrics and the program the bundle ships") {
    const platbench::PluginDescriptor& d = *hpcc_plugin().descriptor;
    CHECK(d.name == "hpcc");
    CHECK(d.programs == std::vector<std::string>{"hpcc", "orted"});
    REQUIRE_FALSE(d.program_files.empty());
    for (const std::string& path : d.program_files) CHECK(path.front() == '/');
    std::set<std::string> names;
    for (const platbench::ParamSpec& spec : d.params) names.insert(spec.name);
    CHECK(names == std::set<std::string>{"n", "memory_fraction", "block_size", "threads"});
    CHECK(::test::central_metrics(d.metrics) == std::set<std::string>{"gflops", "gups"});
}

TEST_CASE("hpcc runs the real HPC Challenge and reports linpack's and randomaccess's metrics") {
    if (!platbench::find_program("hpcc")) PLATBENCH_SKIP("no-program", "hpcc is not installed (apt install hpcc)");
    test::TempDir work;
    const platbench::ParamValues params =
        ::test::effective_params(hpcc_plugin().descriptor->params, {{"n", "400"}, {"block_size", "64"}, {"threads", "1"}});
    const std::atomic<bool> stop{false};
    const platbench::ObservedEnvironment env = ::test::two_cpu_environment();
    platbench::WorkloadRunRequest request{params, env, work.path(), stop, {}};
    const platbench::WorkloadResult result = hpcc_plugin().descriptor->create_workload()->run(request);
    CHECK(test::metric(result, "gflops") > 0);
    CHECK(test::metric(result, "scaled_residual") < 16);
    CHECK(test::metric(result, "gups") > 0);
    CHECK(result.info.at("n") == "400");
    CHECK(result.info.at("block_size") == "64");
    CHECK(result.info.at("table_bytes") == std::to_string(131072 * 8));  // 2^17 words <= 400^2
    ::test::check_metrics_in_table(result, hpcc_plugin().descriptor->metrics);
    // Its scratch directory (input and output files) is gone.
    CHECK(std::filesystem::is_empty(work.path()));
}
