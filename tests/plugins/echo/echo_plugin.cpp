// workload "echo": a workload whose every behaviour a test can choose.
//
// It reports `value` as the metric echo_value, and on request fails with a
// message, sleeps (honouring the stop flag), prints on stdout, returns a
// non-finite metric, or aborts; so tests of the runner, the protocol and the
// engine can produce each kind of outcome without a real benchmark.
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <string>
#include <thread>
#include <vector>

#include "platbench/plugin.hpp"

namespace {

using namespace platbench;

class EchoWorkload : public Workload {
public:
    std::vector<std::string> validate(const ParamValues& params) const override {
        if (params.has("refuse")) return {params.text("refuse")};
        return {};
    }

    WorkloadResult run(const WorkloadRunRequest& request) override {
        const ParamValues& params = request.params;
        if (params.has("print")) {
            std::printf("%s\n", params.text("print").c_str());  // the runner must keep this off its result
            std::fflush(stdout);
        }
        request.log("echo: value " + std::to_string(params.real("value")));
        const bool stopped = sleep_unless_stopped(params.real("sleep"), request.stop_requested);
        if (params.boolean("abort")) std::abort();
        if (params.boolean("segfault")) std::raise(SIGSEGV);
        if (params.has("flood")) flood(static_cast<std::size_t>(params.integer("flood")));
        if (params.has("write_path")) write_into(params.text("write_path"), params.has("write_text") ? params.text("write_text") : "");
        if (params.has("allocate")) touch_memory(static_cast<std::size_t>(params.integer("allocate")));
        if (params.boolean("fail")) {
            throw WorkloadError(params.has("message") ? params.text("message") : "echo failed as asked (fail=true)");
        }
        if (params.boolean("read_unknown")) (void)params.text("not_in_the_table");
        WorkloadResult result;
        if (params.boolean("no_metrics")) return result;
        const double value = params.boolean("nan") ? std::numeric_limits<double>::quiet_NaN() : params.real("value");
        result.metrics.push_back({"echo_value", value, "units", Better::Higher});
        if (params.has("message")) result.info["message"] = params.text("message");
        if (params.has("read_path")) result.info["read_text"] = read_from(params.text("read_path"));
        result.info["work_dir"] = request.work_dir.string();
        result.info["usable_cpus"] = std::to_string(request.environment.usable_cpus());
        if (stopped) result.warnings.push_back("echo: stopped before the sleep ended");
        return result;
    }

private:
    // Writes `text` where the workload was told to, e.g. a platform's own channel.
    static void write_into(const std::string& path, const std::string& text) {
        std::FILE* file = std::fopen(path.c_str(), "wb");
        if (file == nullptr) throw WorkloadError("echo: cannot open " + path + " for writing");
        std::fwrite(text.data(), 1, text.size(), file);
        std::fclose(file);
    }

    // The first 16 KiB of a file, e.g. /proc/self/status to see the process's privileges.
    static std::string read_from(const std::string& path) {
        std::FILE* file = std::fopen(path.c_str(), "rb");
        if (file == nullptr) throw WorkloadError("echo: cannot open " + path + " for reading");
        std::string text(16 * 1024, '\0');
        text.resize(std::fread(text.data(), 1, text.size(), file));
        std::fclose(file);
        return text;
    }

    // Writes `bytes` of junk to stdout and to stderr, as a runaway workload would.
    static void flood(std::size_t bytes) {
        const std::string block(64 * 1024, 'z');
        for (std::size_t written = 0; written < bytes; written += block.size()) {
            std::fwrite(block.data(), 1, block.size(), stdout);
            std::fwrite(block.data(), 1, block.size(), stderr);
        }
        std::fflush(stdout);
    }

    // Allocates and writes `bytes`, so a memory limit below it gets the run OOM-killed.
    static void touch_memory(std::size_t bytes) {
        std::vector<char> block(bytes);
        for (std::size_t i = 0; i < bytes; i += 4096) block[i] = static_cast<char>(i);
        volatile char sink = block.empty() ? 0 : block[bytes / 2];
        (void)sink;
    }

    // Sleeps in small steps so a stop request ends the run promptly. True when stopped.
    static bool sleep_unless_stopped(double seconds, const std::atomic<bool>& stop_requested) {
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
        while (std::chrono::steady_clock::now() < deadline) {
            if (stop_requested.load()) return true;
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        return stop_requested.load();
    }
};

ParamSpec param(std::string name, ParamType type, std::string default_value, std::string help) {
    ParamSpec spec;
    spec.name = std::move(name);
    spec.type = type;
    spec.default_value = std::move(default_value);
    spec.help = std::move(help);
    return spec;
}

PluginDescriptor make_echo_descriptor() {
    PluginDescriptor d;
    d.kind = PluginKind::Workload;
    d.name = "echo";
    d.description = "Test workload: reports the value it is given; can fail, sleep, print, allocate or abort on request";
    d.params = {
        param("value", ParamType::Real, "1", "reported as the metric echo_value"),
        param("fail", ParamType::Bool, "false", "throw WorkloadError(message)"),
        ParamSpec{.name = "sleep",
                  .type = ParamType::Duration,
                  .default_value = "0",
                  .unit = "s",
                  .help = "sleep this long before returning (ends early on SIGTERM)",
                  .real_max = 3600},
        param("message", ParamType::String, "", "error message when fail=true, else reported as info"),
        param("print", ParamType::String, "", "text the workload prints on its own stdout"),
        param("nan", ParamType::Bool, "false", "report echo_value as NaN"),
        param("abort", ParamType::Bool, "false", "call abort(): the runner dies of SIGABRT"),
        param("segfault", ParamType::Bool, "false", "raise SIGSEGV: the runner dies of it"),
        param("flood", ParamType::Size, "", "write this many bytes of junk to stdout and to stderr"),
        param("allocate", ParamType::Size, "", "allocate and touch this many bytes (to exceed a memory limit)"),
        param("write_path", ParamType::String, "", "a file or device to write write_text into (a hostile workload)"),
        param("write_text", ParamType::String, "", "what to write into write_path"),
        param("read_path", ParamType::String, "", "a file whose start is reported as the info read_text"),
        param("refuse", ParamType::String, "", "validate() refuses the settings with this message"),
        param("no_metrics", ParamType::Bool, "false", "return a result without metrics"),
        param("read_unknown", ParamType::Bool, "false", "read a parameter the table lacks (a plugin bug)"),
    };
    d.create_workload = [] { return std::unique_ptr<Workload>(new EchoWorkload()); };
    return d;
}

}  // namespace

PLATBENCH_PLUGIN(make_echo_descriptor)
