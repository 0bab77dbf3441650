// The randomaccess plugin as the runner loads it.
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

const platbench::LoadedPlugin& randomaccess_plugin() {
    static const std::unique_ptr<platbench::LoadedPlugin> plugin =
        platbench::load_plugin_file(PLATBENCH_PLUGIN_DIR + "/workload_randomaccess.so");
    return *plugin;
}

platbench::WorkloadResult run_randomaccess(const std::map<std::string, std::string>& given,
                                           const platbench::ObservedEnvironment& env = ::test::two_cpu_environment()) {
    const platbench::ParamValues params = ::test::effective_params(randomaccess_plugin().descriptor->params, given);
    const std::atomic<bool> stop{false};
    platbench::WorkloadRunRequest request{params, env, {}, stop, {}};
    return randomaccess_plugin().descriptor->create_workload()->run(request);
}

std::string failure_of(const std::map<std::string, std::string>& given,
                       const platbench::ObservedEnvironment& env = ::test::two_cpu_environment()) {
    try {
        run_randomaccess(given, env);
    } catch (const platbench::WorkloadError& e) {
        return e.what();
    }
    return "";
}

}  // namespace

TEST_CASE("randomaccess declares its parameters and its metrics") {
    const platbench::PluginDescriptor& d = *randomaccess_plugin().descriptor;
    CHECK(d.name == "randomaccess");
    std::set<std::string> names;
    for (const platbench::ParamSpec& spec : d.params) names.insert(spec.name);
    CHECK(names == std::set<std::string>{"table_size", "memory_fraction", "threads", "prefetch"});
    CHECK(::test::central_metrics(d.metrics) == std::set<std::string>{"gups"});
}

TEST_CASE("randomaccess measures GUPS on a table rounded down to a power of two, and checks it") {
    const platbench::WorkloadResult result = run_randomaccess({{"table_size", "3000"}, {"threads", "2"}});
    CHECK(result.info.at("table_bytes") == "2048");  // 375 words -> 256 words
    CHECK(result.info.at("updates") == "1024");
    CHECK(test::metric(result, "gups") > 0);
    CHECK(test::metric(result, "update_time") > 0);
    CHECK(test::metric(result, "error_fraction") <= 0.01);
    ::test::check_metrics_in_table(result, randomaccess_plugin().descriptor->metrics);
}

TEST_CASE("randomaccess sizes its table from memory_fraction of the usable memory") {
    platbench::ObservedEnvironment env = ::test::two_cpu_environment();
    env.memory_available_bytes = 64u << 20;
    env.memory_limit_bytes.reset();
    const platbench::WorkloadResult result = run_randomaccess({{"memory_fraction", "0.05"}, {"threads", "1"}}, env);
    CHECK(result.info.at("table_bytes") == std::to_string(2u << 20));  // 3.2 MiB -> 2 MiB
}

TEST_CASE("randomaccess refuses a table larger than the memory the run may use, saying how much there is") {
    platbench::ObservedEnvironment env = ::test::two_cpu_environment();
    env.memory_available_bytes = 1u << 20;
    env.memory_limit_bytes.reset();
    const std::string why = failure_of({{"table_size", "8MiB"}}, env);
    CHECK(why.find("does not fit in memory") != std::string::npos);
    CHECK(why.find("1048576 bytes available") != std::string::npos);
}

TEST_CASE("randomaccess refuses table_size and memory_fraction together") {
    const platbench::ParamValues params = ::test::effective_params(
        randomaccess_plugin().descriptor->params, {{"table_size", "1MiB"}, {"memory_fraction", "0.1"}});
    const auto errors = randomaccess_plugin().descriptor->create_workload()->validate(params);
    REQUIRE(errors.size() == 1);
    CHECK(errors[0].find("give only one of them") != std::string::npos);
}

TEST_CASE("randomaccess warns when its threads outnumber the usable CPUs") {
    const platbench::WorkloadResult result = run_randomaccess({{"table_size", "64KiB"}, {"threads", "5"}});
    REQUIRE(result.warnings.size() == 1);
    CHECK(result.warnings[0].rfind("oversubscribed: 5 threads share 2", 0) == 0);
}
