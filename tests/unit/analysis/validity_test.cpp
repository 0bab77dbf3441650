// Each validity check triggered by a crafted result set, and left quiet by a clean one.
#include <doctest/doctest.h>

#include <algorithm>
#include <sstream>
#include <string>
#include <vector>

#include "analysis/validity.hpp"
#include "store/run_caveats.hpp"

using namespace platbench;
using nlohmann::json;

namespace {

RunRecord io_run(const std::string& platform, double iops, bool direct, double file_size, double memory_seen) {
    RunRecord run;
    run.platform_instance = run.platform_plugin = platform;
    run.workload_instance = run.workload_plugin = "blockio";
    run.workload_params = {{"direct", direct}, {"file_size", file_size}, {"jobs", 1}};
    run.cell_id = platform + "/blockio";
    run.status = RunStatus::Ok;
    run.observed_environment = {{"usable_memory_bytes", memory_seen}};
    run.metrics = {{"read_iops", iops, "IOPS", Better::Higher}, {"cpu_usr_s", 1.0, "s", Better::Lower}};
    return run;
}

RunRecord stream_run(const std::string& platform, double rate, json settings = json::object(),
                     json seen = json::object()) {
    RunRecord run;
    run.platform_instance = run.platform_plugin = platform;
    run.workload_instance = run.workload_plugin = "stream";
    run.cell_id = platform + "/stream";
    run.status = RunStatus::Ok;
    run.platform_settings = std::move(settings);
    run.observed_environment = std::move(seen);
    run.metrics = {{"triad_best_rate", rate, "MB/s", Better::Higher}, {"triad_max_time", rate, "s", Better::Lower}};
    return run;
}

std::vector<std::string> checks_of(const std::vector<ValidityFinding>& findings) {
    std::vector<std::string> checks;
    for (const ValidityFinding& finding : findings) checks.push_back(finding.check + " " + finding.subject);
    return checks;
}

bool has(const std::vector<ValidityFinding>& findings, const std::string& check, const std::string& subject) {
    const auto all = checks_of(findings);
    return std::find(all.begin(), all.end(), check + " " + subject) != all.end();
}

const json kQuietHost = {{"cpu_cores", 2}, {"load_average_1m", 0.1}};

// The traits of these tests' plugins as the engine records them with an
// experiment: blockio declares block I/O, kvm a platform of virtual machines.
json traits_record() {
    PluginDescriptor blockio, kvm;
    blockio.kind = PluginKind::Workload;
    blockio.name = "blockio";
    blockio.flags = kWorkloadBlockIo;
    kvm.kind = PluginKind::Platform;
    kvm.name = "kvm";
    kvm.flags = kPlatformVirtualMachine;
    return PluginTraits::to_json({&blockio, &kvm});
}

const ValidityLimits kLimits = limits_for({{"plugin_traits", traits_record()}});

}  // namespace

TEST_CASE("a clean experiment has no findings") {
    std::vector<RunRecord> runs;
    for (double rate : {100.0, 101.0, 99.0}) runs.push_back(stream_run("native", rate));
    CHECK(check_validity(runs, kQuietHost, compare_with_baseline(runs, "native")).empty());
    std::ostringstream out;
    print_validity({}, out);
    CHECK(out.str().empty());
}

TEST_CASE("requested and observed resources that differ are a warning, per cell") {
    const json settings = {{"cpuset", "0-1"}, {"cpus", 1.5}, {"memory", 1 << 30}};
    const json matching = {{"affinity", {0, 1}}, {"cpu_quota", 1.5}, {"memory_limit_bytes", 1 << 30}};
    std::vector<RunRecord> runs = {stream_run("docker", 1, settings, matching), stream_run("docker", 1, settings, matching)};
    CHECK(check_validity(runs, kQuietHost, {}).empty());

    json wrong_cpus = matching;
    wrong_cpus["affinity"] = {0};
    json no_quota = matching;
    no_quota.erase("cpu_quota");
    json small_memory = matching;
    small_memory["memory_limit_bytes"] = 512 << 20;
    for (const auto& [seen, words] : {std::pair{wrong_cpus, "ran on CPUs 0"}, std::pair{no_quota, "no CPU quota"},
                                      std::pair{small_memory, "saw 512 MiB"}}) {
        const char* const expected_words = words;  // clang 14 cannot capture a structured binding
        CAPTURE(expected_words);
        const auto findings = check_validity({stream_run("docker", 1, settings, seen)}, kQuietHost, {});
        REQUIRE(findings.size() == 1);
        CHECK(findings[0].check == "resources");
        CHECK(findings[0].message.find(words) != std::string::npos);
    }
    // A VM numbers its vCPUs afresh: two pinned vCPUs seen as 0,1 match cpuset 4-5.
    RunRecord vm = stream_run("kvm", 1, {{"cpuset", "4-5"}, {"memory", 1 << 30}},
                              {{"affinity", {0, 1}}, {"virtualization", "vm"}});
    CHECK(check_validity({vm}, kQuietHost, {}, kLimits).empty());
    // The same run on a platform that declares no VM of its own: its memory setting was not honoured.
    CHECK(has(check_validity({vm}, kQuietHost, {}), "resources", "kvm/stream"));
}

TEST_CASE("buffered I/O on a data set smaller than twice the RAM seen is a likely page-cache effect") {
    const double gib = 1 << 30;
    CHECK(has(check_validity({io_run("kvm", 1000, false, 0.5 * gib, 2 * gib)}, kQuietHost, {}, kLimits), "page-cache",
              "kvm/blockio"));
    CHECK(check_validity({io_run("kvm", 1000, false, 8 * gib, 2 * gib)}, kQuietHost, {}, kLimits).empty());  // large
    CHECK(check_validity({io_run("kvm", 1000, true, 0.5 * gib, 2 * gib)}, kQuietHost, {}, kLimits).empty());  // direct
}

TEST_CASE("the checks know plugins by what they declared, never by their names") {
    const double gib = 1 << 30;
    // Named blockio, but recorded without the block-I/O trait: not judged as block I/O.
    CHECK(check_validity({io_run("kvm", 1000, false, 0.5 * gib, 2 * gib)}, kQuietHost, {}).empty());
    // Any name with the trait is.
    PluginDescriptor disk_bench;
    disk_bench.kind = PluginKind::Workload;
    disk_bench.name = "disk_bench";
    disk_bench.flags = kWorkloadBlockIo;
    RunRecord run = io_run("native", 1000, false, 0.5 * gib, 2 * gib);
    run.workload_plugin = "disk_bench";
    const ValidityLimits limits = limits_for({{"plugin_traits", PluginTraits::to_json({&disk_bench})}});
    CHECK(has(check_validity({run}, kQuietHost, {}, limits), "page-cache", "native/blockio"));
}

TEST_CASE("a platform faster than native on I/O beyond its interval is flagged, CPU time is not") {
    std::vector<RunRecord> runs;
    for (double iops : {1000.0, 1010.0, 990.0}) runs.push_back(io_run("native", iops, true, 1e9, 1e9));
    for (double iops : {3000.0, 3020.0, 2990.0}) runs.push_back(io_run("kvm", iops, true, 1e9, 1e9));
    const BaselineComparison comparison = compare_with_baseline(runs, "native");
    const auto findings = check_validity(runs, kQuietHost, comparison, kLimits);
    REQUIRE(findings.size() == 1);
    CHECK(findings[0].check == "page-cache");
    CHECK(findings[0].subject == "kvm/blockio");
    CHECK(findings[0].message.find("read_iops is faster than native") != std::string::npos);
}

TEST_CASE("a platform's emulation caveat is flagged once per platform, in the platform's words") {
    std::vector<RunRecord> runs = {stream_run("kvm", 1), stream_run("kvm", 1)};
    const Caveat tcg{Caveat::Kind::Emulation, "TCG: QEMU emulates the CPU; compare only from `accel: kvm`"};
    for (RunRecord& run : runs) record_caveats({tcg}, run.platform_metadata);
    const auto findings = check_validity(runs, kQuietHost, {});
    REQUIRE(findings.size() == 1);
    CHECK(findings[0].check == "emulation");
    CHECK(findings[0].subject == "kvm");
    CHECK(findings[0].message == tcg.text);
    // A metadata entry a plugin happens to call "emulation" is no caveat.
    RunRecord plain = stream_run("kvm", 1);
    plain.platform_metadata["emulation"] = "TCG";
    CHECK(check_validity({plain}, kQuietHost, {}).empty());
}

TEST_CASE("a noisy metric is flagged by its coefficient of variation, extremes aside") {
    std::vector<RunRecord> runs;
    for (double rate : {100.0, 140.0, 70.0}) runs.push_back(stream_run("native", rate));
    const auto findings = check_validity(runs, kQuietHost, {});
    REQUIRE(findings.size() == 1);
    CHECK(findings[0].check == "noise");
    CHECK(findings[0].message.rfind("its central metrics vary by 34% of their mean between runs (the median; "
                                    "triad_best_rate 34%)", 0) == 0);
    // The same spread in a maximum only is not noise. (stddev/mean of {100, 140, 70} = 0.3399)
    for (RunRecord& run : runs) run.metrics[0].value = 100;
    CHECK(check_validity(runs, kQuietHost, {}).empty());
}

TEST_CASE("the host's governor, load and huge-page mode are checked or recorded") {
    const json busy = {{"cpu_cores", 2}, {"load_average_1m", 1.8}, {"cpu_governor", "powersave"},
                       {"transparent_hugepages", "always"}};
    const auto findings = check_validity({}, busy, {});
    CHECK(has(findings, "governor", "host"));
    CHECK(has(findings, "host-load", "host"));
    REQUIRE(has(findings, "huge-pages", "host"));
    CHECK_FALSE(findings.back().warning);  // recorded, not a problem by itself
    const json tuned = {{"cpu_cores", 2}, {"load_average_1m", 0.2}, {"cpu_governor", "performance"}};
    CHECK(check_validity({}, tuned, {}).empty());

    std::ostringstream out;
    print_validity(findings, out);
    CHECK(out.str().find("warning: host: the CPU frequency governor is 'powersave'") != std::string::npos);
    CHECK(out.str().find("note: host: transparent huge pages: always") != std::string::npos);
}

TEST_CASE("Slurm: a cell measuring differently on two nodes, and platforms compared across nodes, are findings") {
    std::vector<RunRecord> runs;
    const auto on = [](RunRecord run, const std::string& node) {
        run.platform_metadata["slurm_node"] = node;
        return run;
    };
    for (double rate : {100.0, 101.0, 99.0}) runs.push_back(on(stream_run("native", rate), "n1"));
    for (double rate : {80.0, 81.0, 79.0}) runs.push_back(on(stream_run("native", rate), "n2"));
    for (double rate : {95.0, 96.0, 94.0}) runs.push_back(on(stream_run("docker", rate), "n3"));
    const auto findings = check_validity(runs, kQuietHost, compare_with_baseline(runs, "native"));
    CHECK(has(findings, "node-variation", "native/stream"));
    CHECK_FALSE(has(findings, "node-variation", "docker/stream"));  // one node only
    CHECK(has(findings, "placement", "docker"));
    // The same nodes, the same figures: quiet.
    std::vector<RunRecord> alike;
    for (const char* node : {"n1", "n2"})
        for (double rate : {100.0, 101.0, 99.0}) {
            alike.push_back(on(stream_run("native", rate), node));
            alike.push_back(on(stream_run("docker", rate), node));
        }
    const auto quiet = check_validity(alike, kQuietHost, compare_with_baseline(alike, "native"));
    CHECK_FALSE(has(quiet, "node-variation", "native/stream"));
    CHECK_FALSE(has(quiet, "placement", "docker"));
}

namespace {

// An experiment's stored configuration with blockio's metric table as the engine records it.
json config_with_io_table() {
    json table = json::array();
    for (const char* name : {"read_iops", "read_lat_mean"}) table.push_back({{"name", name}, {"central", true}});
    for (const char* name : {"read_lat_max", "cpu_usr_s"}) table.push_back({{"name", name}, {"central", false}});
    return {{"metric_tables", {{"blockio", table}}}, {"plugin_traits", traits_record()}};
}

RunRecord io_run_with(const std::string& platform, double iops, double lat_max, double cpu) {
    RunRecord run = io_run(platform, iops, true, 1e9, 1e9);
    run.metrics = {{"read_iops", iops, "IOPS", Better::Higher},
                   {"read_lat_max", lat_max, "us", Better::Lower},
                   {"cpu_usr_s", cpu, "s", Better::Lower}};
    return run;
}

}  // namespace

TEST_CASE("checks judge a workload's central metrics only: an extreme or CPU time never raises a finding") {
    const ValidityLimits limits = limits_for(config_with_io_table());
    std::vector<RunRecord> runs;
    // Steady IOPS on both; kvm's maximum latency is far lower (one lucky run of extremes)
    // and its CPU time wildly noisy: neither is what the workload measures.
    for (int i = 0; i < 4; ++i) runs.push_back(io_run_with("native", 1000 + i, 900 + 10 * i, 1.0));
    for (int i = 0; i < 4; ++i) runs.push_back(io_run_with("kvm", 1001 + i, 100 + i, i % 2 == 0 ? 0.2 : 3.0));
    const BaselineComparison comparison = compare_with_baseline(runs, "native");
    CHECK(check_validity(runs, kQuietHost, comparison, limits).empty());
    // Without the table, the fallback also leaves CPU accounting and extremes aside.
    CHECK(check_validity(runs, kQuietHost, comparison).empty());
    // A central metric faster than the baseline is still caught.
    for (RunRecord& run : runs)
        if (run.platform_instance == "kvm") run.metrics[0].value *= 3;
    const auto findings = check_validity(runs, kQuietHost, compare_with_baseline(runs, "native"), limits);
    REQUIRE(findings.size() == 1);
    CHECK(findings[0].check == "page-cache");
    CHECK(findings[0].message.rfind("read_iops is faster than native", 0) == 0);
}

TEST_CASE("a workload's warnings are findings under the check they name, once per cell, with how many runs said so") {
    std::vector<RunRecord> runs = {stream_run("native", 100), stream_run("native", 101), stream_run("native", 99)};
    runs[0].warnings = {"caches: each array is 7.6 MiB, less than 4 times the L3 cache", "a remark without a check"};
    runs[1].warnings = {"caches: each array is 7.6 MiB, less than 4 times the L3 cache"};
    const auto findings = check_validity(runs, kQuietHost, {});
    REQUIRE(findings.size() == 2);
    CHECK(findings[0].check == "caches");
    CHECK(findings[0].subject == "native/stream");
    CHECK(findings[0].message == "each array is 7.6 MiB, less than 4 times the L3 cache (said in 2 of 3 runs)");
    CHECK(findings[1].check == "workload");
    CHECK(findings[1].message == "a remark without a check (said in 1 of 3 runs)");
    std::ostringstream printed;
    print_validity(findings, printed);
    CHECK(printed.str().find("warning: native/stream: each array is 7.6 MiB") != std::string::npos);
}

TEST_CASE("one finding that concerns several cells alike names them all, once") {
    std::vector<RunRecord> runs = {stream_run("native", 100), stream_run("docker", 100), stream_run("kvm", 100)};
    for (RunRecord& run : runs) run.warnings = {"caches: the runner sees no cache sizes"};
    runs[2].warnings = {"caches: something else"};
    const auto findings = check_validity(runs, kQuietHost, {});
    REQUIRE(findings.size() == 2);
    CHECK(findings[0].subject == "native/stream, docker/stream");
    CHECK(findings[1].subject == "kvm/stream");
}

TEST_CASE("noise is judged once per cell, on the median variation of its central metrics, and printed as one line") {
    // One of four central metrics swings by 30%, the others by 1-2%: not a noisy cell.
    const auto run_with = [](const std::string& platform, double wobble, double swing) {
        RunRecord run = stream_run(platform, 100 + wobble);
        run.metrics = {{"copy_best_rate", 100 + wobble, "MB/s", Better::Higher},
                       {"scale_best_rate", 200 + 2 * wobble, "MB/s", Better::Higher},
                       {"add_best_rate", 300 + 3 * wobble, "MB/s", Better::Higher},
                       {"triad_best_rate", 100 + swing, "MB/s", Better::Higher}};
        return run;
    };
    std::vector<RunRecord> runs = {run_with("native", 1, 30), run_with("native", -1, -30), run_with("native", 0, 0)};
    CHECK(check_validity(runs, kQuietHost, {}).empty());
    // Two cells whose metrics all vary: two findings, one line naming both with their figures.
    for (const char* platform : {"docker", "kvm"})
        for (double wobble : {20.0, -20.0, 0.0}) runs.push_back(run_with(platform, wobble, wobble));
    const auto findings = check_validity(runs, kQuietHost, {});
    REQUIRE(findings.size() == 2);
    CHECK(findings[0].subject == "docker/stream");
    CHECK(findings[0].figure == "20%");
    std::ostringstream printed;
    print_validity(findings, printed);
    CHECK(printed.str() ==
          "\nvalidity checks:\nwarning: 2 cells: docker/stream (20%), kvm/stream (20%): central metrics vary by more "
          "than 10% of their mean between runs (the median over each cell's): the machine is noisy; add repetitions, "
          "stop other load, or pin the run with cpuset [noise]\n");
}
