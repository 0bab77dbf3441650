// platbench-runner: loads one workload plugin, runs it once, prints one result.
//
// It runs wherever a platform puts it (host process, container, VM), from the
// bundle, so it reads nothing but its arguments: no config files, no $HOME.
// stdout carries the result and nothing else; every diagnostic goes to stderr.
#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <set>

#include "plugin/registry.hpp"
#include "platbench/runner_protocol.hpp"
#include "runner_options.hpp"

namespace platbench::runner {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// Keeps any one text of the report well inside the decoder's 64 KiB bound.
constexpr std::size_t kMaxReportText = 16u << 10;

std::atomic<bool> g_stop_requested{false};
static_assert(std::atomic<bool>::is_always_lock_free, "the stop flag is set from a signal handler");
// When main() began: the runner reports its own lifetime, so platforms can tell
// their start-up and tear-down apart from it.
std::chrono::steady_clock::time_point g_main_entered = std::chrono::steady_clock::now();

extern "C" void request_stop(int) { g_stop_requested.store(true); }

// SIGTERM/SIGINT ask the workload to stop; a second one kills as usual
// (SA_RESETHAND), so a workload that ignores the flag can still be ended.
void install_stop_handlers() {
    struct sigaction action {};
    action.sa_handler = request_stop;
    action.sa_flags = SA_RESETHAND;
    sigemptyset(&action.sa_mask);
    sigaction(SIGTERM, &action, nullptr);
    sigaction(SIGINT, &action, nullptr);
}

void diagnose(std::string_view message) { std::cerr << "platbench-runner: " << message << std::endl; }

bool write_all(int fd, std::string_view text) {
    while (!text.empty()) {
        const ssize_t written = ::write(fd, text.data(), text.size());
        if (written < 0 && errno == EINTR) continue;
        if (written <= 0) return false;
        text.remove_prefix(static_cast<std::size_t>(written));
    }
    return true;
}

// Thrown for exit status 3, with the full message.
struct PluginMissing {
    std::string message;
};

// Thrown for exit status 2 when a --param or --work-dir is wrong; needs no usage text.
struct InputError {
    std::string message;
};

const LoadedPlugin& find_workload(PluginRegistry& registry, const Options& options) {
    std::error_code ec;
    if (!fs::is_directory(options.plugin_dir, ec))
        throw PluginMissing{"plugin directory " + options.plugin_dir.string() + " does not exist"};
    registry.load_directory(options.plugin_dir);
    if (const LoadedPlugin* plugin = registry.find(PluginKind::Workload, options.workload)) return *plugin;
    std::string message = "no workload plugin '" + options.workload + "' in " + options.plugin_dir.string() + "; found: ";
    const std::vector<std::string> names = registry.names(PluginKind::Workload);
    if (names.empty()) message += "none";
    for (std::size_t i = 0; i < names.size(); ++i) message += (i ? ", " : "") + names[i];
    for (const PluginProblem& problem : registry.problems()) message += "\n  not loaded: " + problem.message;
    throw PluginMissing{message};
}

json spec_to_json(const ParamSpec& spec) {
    const NumericRange range = numeric_range(spec);
    auto bound = [](const std::optional<double>& value) { return value ? json(*value) : json(nullptr); };
    return json{{"name", spec.name},
                {"type", describe_param_type(spec.type)},
                {"default", spec.default_value.empty() ? json(nullptr) : json(spec.default_value)},
                {"unit", spec.unit},
                {"min", bound(range.low)},
                {"max", bound(range.high)},
                {"choices", spec.choices},
                {"help", spec.help}};
}

json describe(const LoadedPlugin& plugin) {
    const PluginDescriptor& d = *plugin.descriptor;
    json params = json::array();
    for (const ParamSpec& spec : d.params) params.push_back(spec_to_json(spec));
    return json{{"name", d.name},
                {"kind", "workload"},
                {"description", d.description},
                {"uses_work_dir", (d.flags & kWorkloadUsesWorkDir) != 0},
                {"programs", d.programs},
                {"params", std::move(params)}};
}

std::string valid_names(const ParamTable& table) {
    std::string names;
    for (const ParamSpec& spec : table) names += (names.empty() ? "" : ", ") + spec.name;
    return names.empty() ? "none (this workload takes no parameters)" : names;
}

ParamValues parse_params(const LoadedPlugin& plugin, const Options& options) {
    const ParamTable& table = plugin.descriptor->params;
    ParamValues values;
    std::set<std::string> given;
    for (const auto& [name, text] : options.params) {
        auto spec = std::find_if(table.begin(), table.end(), [&wanted = name](const ParamSpec& s) { return s.name == wanted; });
        if (spec == table.end())
            throw InputError{"unknown parameter '" + name + "' for workload '" + plugin.name() +
                             "'; valid parameters: " + valid_names(table)};
        if (!given.insert(name).second) throw InputError{"parameter '" + name + "' is given twice"};
        ParseOutcome parsed = parse_param_value(*spec, text);
        if (!parsed.value)
            throw InputError{"parameter '" + name + "' = '" + text + "': " + parsed.error + " (valid parameters: " +
                             valid_names(table) + ")"};
        values.set(name, *parsed.value);
    }
    apply_defaults(table, values);
    return values;
}

json params_to_json(const ParamValues& values) {
    json out = json::object();
    for (const auto& [name, value] : values.all()) {
        std::visit([&out, &name = name](const auto& v) { out[name] = v; }, value);
    }
    return out;
}

std::string clamp(std::string text) {
    if (text.size() > kMaxReportText) {
        text.resize(kMaxReportText);
        text += "... (truncated)";
    }
    return text;
}

std::string join_problems(const std::vector<std::string>& problems) {
    std::string text;
    for (const std::string& problem : problems) text += (text.empty() ? "" : "; ") + problem;
    return text;
}

void fill_from_result(RunnerReport& report, WorkloadResult result) {
    report.metrics = std::move(result.metrics);
    for (Metric& metric : report.metrics) metric.unit = clamp(std::move(metric.unit));
    for (std::string& warning : result.warnings) report.warnings.push_back(clamp(std::move(warning)));
    for (auto& [key, value] : result.info) report.info[clamp(key)] = clamp(std::move(value));
}

RunnerReport run_workload(const LoadedPlugin& plugin, const ParamValues& params, const fs::path& work_dir,
                          const std::string& peer) {
    RunnerReport report;
    report.workload = plugin.name();
    report.params = params_to_json(params);
    report.ok = true;
    const auto start = std::chrono::steady_clock::now();
    try {
        const ObservedEnvironment environment = observe_environment();
        report.environment = to_json(environment);
        std::unique_ptr<Workload> workload = plugin.descriptor->create_workload();
        if (!workload) throw std::runtime_error("the plugin's factory returned no workload");
        // The engine validated these settings on the host; inside a platform the
        // workload checks them again (a runner started by hand, another build).
        if (const std::vector<std::string> problems = workload->validate(params); !problems.empty())
            throw WorkloadError("invalid parameters: " + join_problems(problems));
        const WorkloadRunRequest request{params, environment, work_dir, g_stop_requested, diagnose, peer};
        fill_from_result(report, workload->run(request));
        if (g_stop_requested.load()) {
            report.ok = false;
            report.error = "interrupted: the runner was asked to stop (SIGTERM/SIGINT)";
        } else if (report.metrics.empty()) {
            report.ok = false;
            report.error = "workload '" + plugin.name() + "' reported no metrics: a run without figures is no measurement";
        }
    } catch (const WorkloadUnavailable& e) {
        report.ok = false;
        report.unavailable = true;  // the engine records the run as skipped
        report.error = clamp(e.what());
    } catch (const WorkloadError& e) {
        report.ok = false;
        report.error = clamp(e.what());
    } catch (const std::exception& e) {
        report.ok = false;
        report.error = clamp("workload '" + plugin.name() + "' failed unexpectedly: " + e.what());
    } catch (...) {
        report.ok = false;
        report.error = "workload '" + plugin.name() + "' failed with an unknown exception";
    }
    report.duration_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (!report.ok) report.metrics.clear();
    return report;
}

fs::path resolve_work_dir(const Options& options) {
    if (!options.work_dir) return fs::current_path();
    std::error_code ec;
    if (!fs::is_directory(*options.work_dir, ec))
        throw InputError{"--work-dir " + options.work_dir->string() + " is not a directory"};
    return *options.work_dir;
}

int run_mode(const Options& options) {
    // Whatever a plugin prints on stdout goes to stderr; only the result goes to the real stdout.
    std::fflush(stdout);
    const int result_fd = ::dup(STDOUT_FILENO);
    if (result_fd < 0 || ::dup2(STDERR_FILENO, STDOUT_FILENO) < 0) {
        diagnose("cannot set up stdout");
        return kExitWorkloadFailed;
    }
    PluginRegistry registry;
    const LoadedPlugin& plugin = find_workload(registry, options);
    const ParamValues params = parse_params(plugin, options);
    const fs::path work_dir = resolve_work_dir(options);
    install_stop_handlers();
    RunnerReport report = run_workload(plugin, params, work_dir, options.peer);
    if (!report.ok) diagnose(report.error);
    report.runner_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - g_main_entered).count();
    std::cout.flush();
    std::fflush(stdout);
    const std::string output = options.format == OutputFormat::Line
                                   ? encode_result_line(report)
                                   : to_json(report).dump(2, ' ', false, json::error_handler_t::replace) + "\n";
    if (!write_all(result_fd, output)) {
        diagnose("cannot write the result to stdout");
        return kExitWorkloadFailed;
    }
    return report.ok ? kExitOk : kExitWorkloadFailed;
}

// Writes "ADDRESS:PORT" to the ready file through a temporary name, so that a
// reader never sees half of it.
void announce_ready(const fs::path& ready_file, const std::string& address) {
    diagnose("serving on " + address);
    if (ready_file.empty()) return;
    const fs::path temporary = ready_file.string() + ".tmp";
    {
        std::ofstream out(temporary, std::ios::trunc);
        out << address << "\n";
        if (!out.flush()) throw std::runtime_error("cannot write the ready file " + temporary.string());
    }
    fs::rename(temporary, ready_file);
}

// The peer of a network workload: serves until SIGTERM/SIGINT. Exit 0 when it
// was asked to stop, 1 (with the reason on stderr) when it could not serve.
int serve_mode(const Options& options) {
    PluginRegistry registry;
    const LoadedPlugin& plugin = find_workload(registry, options);
    if ((plugin.descriptor->flags & kWorkloadNetworkPeer) == 0)
        throw InputError{"workload '" + plugin.name() + "' has no peer to serve (no network peer in its descriptor)"};
    const ParamValues params = parse_params(plugin, options);
    install_stop_handlers();
    // A peer outlives no engine: if the process that started it dies (killed
    // outright), the kernel sends the stop signal.
    const pid_t parent = ::getppid();
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (::getppid() != parent) return kExitOk;
    try {
        std::unique_ptr<Workload> workload = plugin.descriptor->create_workload();
        const WorkloadServeRequest request{
            params, options.listen_address, g_stop_requested,
            [&](const std::string& address) { announce_ready(options.ready_file, address); }, diagnose};
        workload->serve(request);
    } catch (const std::exception& e) {
        diagnose(std::string("cannot serve: ") + e.what());
        return kExitWorkloadFailed;
    }
    return kExitOk;
}

int describe_mode(const Options& options) {
    PluginRegistry registry;
    const LoadedPlugin& plugin = find_workload(registry, options);
    std::cout << describe(plugin).dump(2, ' ', false, json::error_handler_t::replace) << std::endl;
    return kExitOk;
}

int observe_mode() {
    std::cout << to_json(observe_environment()).dump(2, ' ', false, json::error_handler_t::replace) << std::endl;
    return kExitOk;
}

int dispatch(const Options& options) {
    switch (options.mode) {
        case Mode::Run: return run_mode(options);
        case Mode::Serve: return serve_mode(options);
        case Mode::Describe: return describe_mode(options);
        case Mode::Observe: return observe_mode();
        case Mode::Version:
            std::cout << "platbench-runner " << PLATBENCH_VERSION << " (result protocol v" << kProtocolVersion
                      << ", plugin ABI v" << kAbiVersion << ")" << std::endl;
            return kExitOk;
        case Mode::Help: std::cout << usage_text(); return kExitOk;
    }
    return kExitUsage;
}

}  // namespace
}  // namespace platbench::runner

int main(int argc, char** argv) {
    using namespace platbench::runner;
    g_main_entered = std::chrono::steady_clock::now();
    try {
        const std::vector<std::string> args(argv + (argc > 0 ? 1 : 0), argv + argc);
        return dispatch(parse_options(args));
    } catch (const UsageError& e) {
        std::cerr << "platbench-runner: " << e.what() << "\n" << usage_text();
        return kExitUsage;
    } catch (const InputError& e) {
        std::cerr << "platbench-runner: " << e.message << std::endl;
        return kExitUsage;
    } catch (const PluginMissing& e) {
        std::cerr << "platbench-runner: " << e.message << std::endl;
        return kExitPluginMissing;
    } catch (const std::exception& e) {
        std::cerr << "platbench-runner: " << e.what() << std::endl;
        return kExitWorkloadFailed;
    }
}
