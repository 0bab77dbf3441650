#include "runner_options.hpp"

#include <string_view>

namespace platbench::runner {
namespace {

// Splits "--name=value" into its two halves; "--name" gives no inline value.
std::pair<std::string_view, std::optional<std::string_view>> split_option(std::string_view arg) {
    const std::size_t equals = arg.find('=');
    if (!arg.starts_with("--") || equals == std::string_view::npos) return {arg, std::nullopt};
    return {arg.substr(0, equals), arg.substr(equals + 1)};
}

class ArgumentCursor {
public:
    explicit ArgumentCursor(const std::vector<std::string>& args) : args_(args) {}
    bool done() const { return index_ >= args_.size(); }
    std::string_view next() { return args_[index_++]; }

    // The option's value: inline after '=' or the next argument.
    std::string value_of(std::string_view option, std::optional<std::string_view> inline_value) {
        if (inline_value) return std::string(*inline_value);
        if (done()) throw UsageError(std::string(option) + " needs a value");
        return std::string(next());
    }

private:
    const std::vector<std::string>& args_;
    std::size_t index_ = 0;
};

void set_mode(Options& options, bool& mode_given, Mode mode, std::string_view option) {
    if (mode_given && options.mode != mode)
        throw UsageError("give only one of --workload, --serve, --describe, --observe, --version, --help (" +
                         std::string(option) + " conflicts)");
    options.mode = mode;
    mode_given = true;
}

std::pair<std::string, std::string> parse_param(const std::string& text) {
    const std::size_t equals = text.find('=');
    if (equals == std::string::npos || equals == 0)
        throw UsageError("--param expects NAME=VALUE, got '" + text + "'");
    return {text.substr(0, equals), text.substr(equals + 1)};
}

void check_consistency(const Options& options, bool mode_given) {
    if (!mode_given) throw UsageError("nothing to do: give --workload, --serve, --describe, --observe or --version");
    const bool needs_plugins = options.mode == Mode::Run || options.mode == Mode::Serve || options.mode == Mode::Describe;
    if (needs_plugins && options.plugin_dir.empty())
        throw UsageError("--plugin-dir is required with --workload, --serve and --describe");
    const bool takes_params = options.mode == Mode::Run || options.mode == Mode::Serve;
    if (!takes_params && !options.params.empty()) throw UsageError("--param is only valid with --workload and --serve");
    if (options.mode != Mode::Run && !options.peer.empty()) throw UsageError("--peer is only valid with --workload");
    const bool serving = options.mode == Mode::Serve;
    if (!serving && (!options.listen_address.empty() || !options.ready_file.empty()))
        throw UsageError("--listen and --ready-file are only valid with --serve");
    if (serving && options.listen_address.empty()) throw UsageError("--serve needs --listen ADDRESS");
    if (needs_plugins && options.workload.empty()) throw UsageError("the workload name must not be empty");
}

}  // namespace

Options parse_options(const std::vector<std::string>& args) {
    Options options;
    bool mode_given = false;
    ArgumentCursor cursor(args);
    while (!cursor.done()) {
        const std::string_view arg = cursor.next();
        const auto [option, inline_value] = split_option(arg);
        if (option == "--plugin-dir") {
            options.plugin_dir = cursor.value_of(option, inline_value);
        } else if (option == "--workload") {
            set_mode(options, mode_given, Mode::Run, option);
            options.workload = cursor.value_of(option, inline_value);
        } else if (option == "--serve") {
            set_mode(options, mode_given, Mode::Serve, option);
            options.workload = cursor.value_of(option, inline_value);
        } else if (option == "--listen") {
            options.listen_address = cursor.value_of(option, inline_value);
        } else if (option == "--ready-file") {
            options.ready_file = cursor.value_of(option, inline_value);
        } else if (option == "--peer") {
            options.peer = cursor.value_of(option, inline_value);
        } else if (option == "--describe") {
            set_mode(options, mode_given, Mode::Describe, option);
            options.workload = cursor.value_of(option, inline_value);
        } else if (option == "--param") {
            options.params.push_back(parse_param(cursor.value_of(option, inline_value)));
        } else if (option == "--work-dir") {
            options.work_dir = cursor.value_of(option, inline_value);
        } else if (option == "--format") {
            const std::string format = cursor.value_of(option, inline_value);
            if (format == "line") options.format = OutputFormat::Line;
            else if (format == "json") options.format = OutputFormat::Json;
            else throw UsageError("--format must be 'line' or 'json', got '" + format + "'");
        } else if (option == "--observe" && !inline_value) {
            set_mode(options, mode_given, Mode::Observe, option);
        } else if (option == "--version" && !inline_value) {
            set_mode(options, mode_given, Mode::Version, option);
        } else if ((option == "--help" || option == "-h") && !inline_value) {
            set_mode(options, mode_given, Mode::Help, option);
        } else {
            throw UsageError("unknown argument '" + std::string(arg) + "'");
        }
    }
    check_consistency(options, mode_given);
    return options;
}

const char* usage_text() {
    return "usage:\n"
           "  platbench-runner --plugin-dir DIR --workload NAME [--param NAME=VALUE]... [--work-dir DIR]\n"
           "                   [--format line|json]\n"
           "      run a workload once; prints its result on stdout (line: the result protocol line,\n"
           "      json: the same report, indented)\n"
           "      --peer ADDRESS:PORT  the peer of a network workload (started with --serve)\n"
           "  platbench-runner --plugin-dir DIR --serve NAME --listen ADDRESS [--param NAME=VALUE]...\n"
           "                   [--ready-file PATH]\n"
           "      the peer side of a network workload, on ADDRESS until SIGTERM/SIGINT; writes\n"
           "      \"ADDRESS:PORT\" to PATH (and stderr) once it accepts connections\n"
           "  platbench-runner --plugin-dir DIR --describe NAME   the workload's parameters as JSON\n"
           "  platbench-runner --observe                          the environment the runner sees, as JSON\n"
           "  platbench-runner --version\n"
           "exit status: 0 ok, 1 workload failed, 2 usage or parameter error, 3 plugin not found or not loadable\n";
}

}  // namespace platbench::runner
