// The linpack plugin as the runner loads it.
#include <doctest/doctest.h>

#include <atomic>
#include <map>
#include <memory>
#include <set>
#include <string>

#include "effective_params.hpp"
#include "metric_table_checks.hpp"
#include "observed_environment.hpp"
#include "platbench/plugin.hpp"
#include "plugin/registry.hpp"
#include "workload_result_checks.hpp"

namespace {

const platbench::LoadedPlugin& linpack_plugin() {
    static const std::unique_ptr<platbench::LoadedPlugin> plugin =
        platbench::load_plugin_file(PLATBENCH_PLUGIN_DIR + "/workload_linpack.so");
    return *plugin;
}

platbench::WorkloadResult run_linpack(const std::map<std::string, std::string>& given,
                                      const platbench::ObservedEnvironment& env = ::test::two_cpu_environment()) {
    const platbench::ParamValues params = ::test::effective_params(linpack_plugin().descriptor->params, given);
    const std::atomic<bool> stop{false};
    platbench::WorkloadRunRequest request{params, env, {}, stop, {}};
    return linpack_plugin().descriptor->create_workload()->run(request);
}

std::string failure_of(const std::map<std::string, std::string>& given, const platbench::ObservedEnvironment& env) {
    try {
        run_linpack(given, env);
    } catch (const platbench::WorkloadError& e) {
        return e.what();
    }
    return "";
}

}  // namespace

TEST_CASE("linpack declares its parameters and its metrics") {
    const platbench::PluginDescriptor& d = *linpack_plugin().descriptor;
    CHECK(d.name == "linpack");
    std::set<std::string> names;
    for (const platbench::ParamSpec& spec : d.params) names.insert(spec.name);
    CHECK(names == std::set<std::string>{"n", "memory_fraction", "threads", "seed"});
    CHECK(::test::central_metrics(d.metrics) == std::set<std::string>{"gflops"});
}

TEST_CASE("linpack solves a system, rates it as HPL and passes HPL's residual check") {
    const platbench::WorkloadResult result = run_linpack({{"n", "300"}, {"threads", "2"}});
    CHECK(test::metric(result, "gflops") > 0);
    CHECK(test::metric(result, "solve_time") > 0);
    CHECK(test::metric(result, "scaled_residual") < 16);
    CHECK(result.info.at("n") == "300");
    CHECK(result.info.at("blas_library").rfind("OpenBLAS", 0) == 0);
    CHECK_FALSE(result.info.at("blas_kernel").empty());
    CHECK(result.info.count("peak_gflops") == 1);  // a figure, or "unknown: <why>"
    ::test::check_metrics_in_table(result, linpack_plugin().descriptor->metrics);
}

TEST_CASE("linpack sizes n from memory_fraction, and refuses a system that does not fit") {
    platbench::ObservedEnvironment env = ::test::two_cpu_environment(8u << 20);
    // 0.1 of 8 MiB: 838860 bytes, sqrt(838860 / 8) = 323.
    CHECK(run_linpack({{"memory_fraction", "0.1"}}, env).info.at("n") == "323");
    const std::string why = failure_of({{"n", "2000"}}, env);
    CHECK(why.find("does not fit in memory") != std::string::npos);
}

TEST_CASE("linpack refuses n and memory_fraction together") {
    const platbench::ParamValues params =
        ::test::effective_params(linpack_plugin().descriptor->params, {{"n", "100"}, {"memory_fraction", "0.1"}});
    const auto errors = linpack_plugin().descriptor->create_workload()->validate(params);
    REQUIRE(errors.size() == 1);
    CHECK(errors[0].find("give only one of them") != std::string::npos);
}
