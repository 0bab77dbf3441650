#include <doctest/doctest.h>

#include <sched.h>

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>

#include "platbench/params.hpp"
#include "platbench/plugin.hpp"
#include "plugin/registry.hpp"
#include "effective_params.hpp"
#include "metric_table_checks.hpp"
#include "observed_environment.hpp"

namespace {

const platbench::LoadedPlugin& stream_plugin() {
    static const std::unique_ptr<platbench::LoadedPlugin> plugin =
        platbench::load_plugin_file(PLATBENCH_PLUGIN_DIR + "/workload_stream.so");
    return *plugin;
}

// The effective settings the engine would hand over: user values, then the table's defaults.
platbench::ParamValues params_with(const std::map<std::string, std::string>& given) {
    return ::test::effective_params(stream_plugin().descriptor->params, given);
}

using ::test::two_cpu_environment;

platbench::WorkloadResult run_stream(const std::map<std::string, std::string>& given,
                                     const platbench::ObservedEnvironment& env = two_cpu_environment(),
                                     bool stop = false) {
    const platbench::ParamValues params = params_with(given);
    const std::atomic<bool> stop_requested{stop};
    platbench::WorkloadRunRequest request{params, env, {}, stop_requested, {}};
    return stream_plugin().descriptor->create_workload()->run(request);
}

std::string failure_of(const std::map<std::string, std::string>& given, const platbench::ObservedEnvironment& env,
                       bool stop = false) {
    try {
        run_stream(given, env, stop);
    } catch (const platbench::WorkloadError& e) {
        return e.what();
    }
    return "";
}

const platbench::Metric* find_metric(const platbench::WorkloadResult& result, const std::string& name) {
    for (const platbench::Metric& m : result.metrics) {
        if (m.name == name) return &m;
    }
    return nullptr;
}

std::vector<std::string> validate(const std::map<std::string, std::string>& given) {
    return stream_plugin().descriptor->create_workload()->validate(params_with(given));
}

}  // namespace

TEST_CASE("the descriptor declares every parameter with help, and optional sizes without defaults") {
    const platbench::PluginDescriptor& d = *stream_plugin().descriptor;
    CHECK(d.name == "stream");
    CHECK(d.flags == platbench::kNoFlags);
    std::set<std::string> names;
    for (const platbench::ParamSpec& spec : d.params) {
        names.insert(spec.name);
        CHECK_MESSAGE(!spec.help.empty(), spec.name);
    }
    CHECK(names == std::set<std::string>{"array_size", "array_bytes", "ntimes", "threads", "nontemporal", "scalar"});
    const platbench::ParamValues defaults = params_with({});
    CHECK_FALSE(defaults.has("array_size"));
    CHECK_FALSE(defaults.has("array_bytes"));
    CHECK_FALSE(defaults.has("threads"));
    CHECK(defaults.integer("ntimes") == 10);
    CHECK(defaults.boolean("nontemporal") == false);
    CHECK(defaults.real("scalar") == 3.0);
}

TEST_CASE("small arrays give all sixteen metrics with sane values and the run's facts") {
    const platbench::WorkloadResult result = run_stream({{"array_size", "200k"}, {"ntimes", "4"}});
    CHECK(result.metrics.size() == 16);
    for (const char* kernel : {"copy", "scale", "add", "triad"}) {
        CAPTURE(kernel);
        const std::string k = kernel;
        const platbench::Metric* rate = find_metric(result, k + "_best_rate");
        const platbench::Metric* avg = find_metric(result, k + "_avg_time");
        const platbench::Metric* min = find_metric(result, k + "_min_time");
        const platbench::Metric* max = find_metric(result, k + "_max_time");
        REQUIRE(rate != nullptr);
        REQUIRE(avg != nullptr);
        REQUIRE(min != nullptr);
        REQUIRE(max != nullptr);
        CHECK(rate->unit == "MB/s");
        CHECK(rate->better == platbench::Better::Higher);
        CHECK(min->unit == "s");
        CHECK(max->better == platbench::Better::Lower);
        CHECK(rate->value > 0);
        CHECK(min->value > 0);
        CHECK(min->value <= avg->value);
        CHECK(avg->value <= max->value);
        // STREAM's rate: counted bytes over the best time, in 10^6 bytes per second.
        const double bytes = (k == "copy" || k == "scale" ? 2 : 3) * 8.0 * 200000;
        CHECK(rate->value == doctest::Approx(1e-6 * bytes / min->value));
    }
    CHECK(result.info.at("threads") == "2");
    CHECK(result.info.at("elements") == "200000");
    CHECK(result.info.at("bytes_per_array") == "1600000");
    CHECK(result.info.at("nontemporal") == "false");
    CHECK_FALSE(result.info.at("kernel_isa").empty());
}

TEST_CASE("every metric is in the metric table, whose central metrics are the four best rates") {
    const platbench::WorkloadResult result = run_stream({{"array_size", "200k"}, {"ntimes", "3"}});
    const platbench::MetricTable& table = stream_plugin().descriptor->metrics;
    ::test::check_metrics_in_table(result, table);
    CHECK(table.size() == 16);
    CHECK(::test::central_metrics(table) ==
          std::set<std::string>{"copy_best_rate", "scale_best_rate", "add_best_rate", "triad_best_rate"});
}

TEST_CASE("STREAM's cache rule is applied where the runner runs: the cache seen is recorded, and small arrays warned of") {
    const platbench::WorkloadResult result = run_stream({{"array_size", "200k"}, {"ntimes", "2"}});
    const std::string& cache = result.info.at("last_level_cache");
    bool warned = false;
    for (const std::string& w : result.warnings) warned = warned || w.rfind("caches: ", 0) == 0;
    // 1.6 MB arrays are under 4x any last-level cache; where sysfs shows none, the warning says it cannot check.
    CHECK(warned);
    CHECK((cache == "unknown" || cache.rfind("L", 0) == 0));
}

TEST_CASE("non-temporal stores run and validate") {
    const platbench::WorkloadResult result =
        run_stream({{"array_size", "100003"}, {"ntimes", "3"}, {"nontemporal", "true"}});
    CHECK(result.info.at("nontemporal") == "true");
    CHECK(result.metrics.size() == 16);
}

TEST_CASE("one thread and two threads both work, and the count is reported") {
    for (const char* threads : {"1", "2"}) {
        const platbench::WorkloadResult result =
            run_stream({{"array_size", "50001"}, {"ntimes", "2"}, {"threads", threads}});
        CHECK(result.info.at("threads") == threads);
        CHECK(find_metric(result, "triad_best_rate")->value > 0);
    }
}

TEST_CASE("the calling thread gets its CPU affinity back after the run") {
    cpu_set_t before, after;
    REQUIRE(sched_getaffinity(0, sizeof(before), &before) == 0);
    const platbench::WorkloadResult result = run_stream({{"array_size", "20000"}, {"ntimes", "2"}});
    REQUIRE(sched_getaffinity(0, sizeof(after), &after) == 0);
    CHECK(CPU_EQUAL(&before, &after));
    CHECK(result.info.count("threads_pinned") == 1);
}

TEST_CASE("more threads than usable CPUs run, with a warning") {
    const platbench::WorkloadResult result = run_stream({{"array_size", "20000"}, {"ntimes", "2"}, {"threads", "3"}});
    CHECK(result.info.at("threads") == "3");
    bool warned = false;
    for (const std::string& w : result.warnings) warned = warned || w.find("oversubscription") != std::string::npos;
    CHECK(warned);
}

TEST_CASE("array_bytes sets the array length in whole doubles") {
    const platbench::WorkloadResult result = run_stream({{"array_bytes", "800004"}, {"ntimes", "2"}});
    CHECK(result.info.at("elements") == "100000");
    CHECK(result.info.at("bytes_per_array") == "800000");
}

TEST_CASE("arrays larger than the usable memory are refused with the numbers and the fix") {
    const std::string message = failure_of({{"array_size", "1M"}}, two_cpu_environment(20'000'000));
    CHECK(message.find("24000000 bytes") != std::string::npos);   // 3 x 8 x 1M needed
    CHECK(message.find("18000000 bytes are usable") != std::string::npos);  // 90% of 20 MB
    CHECK(message.find("lower array_size to at most 750000") != std::string::npos);
    CHECK(message.find("more memory") != std::string::npos);
}

TEST_CASE("without array_size or array_bytes the arrays hold 10M elements") {
    // Checked through the memory refusal, which names the length, to stay quick.
    const std::string message = failure_of({}, two_cpu_environment(1'000'000));
    CHECK(message.find("10000000 doubles") != std::string::npos);
}

TEST_CASE("validate() rejects array_size with array_bytes, and settings STREAM cannot check") {
    const std::vector<std::string> both = validate({{"array_size", "1000"}, {"array_bytes", "8k"}});
    REQUIRE(both.size() == 1);
    CHECK(both[0].find("array_size") != std::string::npos);
    CHECK(both[0].find("array_bytes") != std::string::npos);
    CHECK(validate({{"array_size", "1000"}}).empty());
    CHECK(validate({{"array_bytes", "8k"}}).empty());
    CHECK(validate({}).empty());
    CHECK(validate({{"scalar", "0"}}).size() == 1);
    // run() applies the same checks, whoever calls it.
    CHECK(failure_of({{"array_size", "1000"}, {"array_bytes", "8k"}}, two_cpu_environment()).find("only one") !=
          std::string::npos);
}

TEST_CASE("a stop request ends the run as interrupted") {
    CHECK(failure_of({{"array_size", "1000"}}, two_cpu_environment(), true) == "interrupted");
}

TEST_CASE("the table refuses ntimes below 2 and threads below 1") {
    for (const platbench::ParamSpec& spec : stream_plugin().descriptor->params) {
        if (spec.name == "ntimes") CHECK_FALSE(platbench::parse_param_value(spec, "1").value.has_value());
        if (spec.name == "threads") CHECK_FALSE(platbench::parse_param_value(spec, "0").value.has_value());
    }
}
