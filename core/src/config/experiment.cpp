// STUB: to be implemented.
#include "config/experiment.hpp"
namespace platbench {
std::string format_config_errors(const std::vector<ConfigError>&) { throw std::logic_error("not implemented"); }
ConfigErrors::ConfigErrors(std::vector<ConfigError> errors) : std::runtime_error("configuration errors"), errors_(std::move(errors)) {}
ExperimentConfig load_experiment(const std::filesystem::path&, PluginRegistry&) { throw std::logic_error("not implemented"); }
ExperimentConfig load_experiment_text(const std::string&, const std::string&, const std::filesystem::path&, PluginRegistry&) { throw std::logic_error("not implemented"); }
std::string did_you_mean(const std::string&, const std::vector<std::string>&) { throw std::logic_error("not implemented"); }
}  // namespace platbench
