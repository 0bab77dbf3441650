// `platbench clean`: removes what interrupted runs left behind, found by label.
#include <iostream>

#include "cli_common.hpp"

namespace platbench::cli {
namespace po = boost::program_options;

int command_clean(const Args& args) {
    po::options_description visible("platbench clean [options]");
    visible.add_options()("help,h", "show this help")("images", "also remove cached images built from the bundle")(
        "plugin-path", po::value<std::vector<std::string>>()->composing(), "also load plugins from this directory");
    po::options_description hidden;
    po::positional_options_description positional;
    po::variables_map vm;
    const Parsed outcome = parse_command_line(args, "clean", visible, hidden, positional, "", vm);
    if (outcome != Parsed::Proceed) return exit_code_for(outcome);

    PluginRegistry registry;
    load_plugins(registry, vm.count("plugin-path") ? vm["plugin-path"].as<std::vector<std::string>>()
                                                   : std::vector<std::string>{});
    int status = kExitOk;
    std::size_t removed = 0;
    for (const LoadedPlugin* plugin : registry.plugins(PluginKind::Platform)) {
        try {
            auto platform = plugin->descriptor->create_platform();
            for (const std::string& line : platform->clean(vm.count("images") != 0)) {
                std::cout << plugin->name() << ": removed " << line << "\n";
                ++removed;
            }
        } catch (const std::exception& e) {
            std::cerr << "platbench clean: " << plugin->name() << ": " << e.what() << "\n";
            status = kExitRuntime;
        }
    }
    std::cout << removed << " leftover" << (removed == 1 ? "" : "s") << " removed\n";
    return status;
}

}  // namespace platbench::cli
