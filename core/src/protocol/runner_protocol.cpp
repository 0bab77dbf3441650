// STUB: to be implemented.
#include "protocol/runner_protocol.hpp"
namespace platbench {
nlohmann::json to_json(const ObservedEnvironment&) { throw std::logic_error("not implemented"); }
nlohmann::json to_json(const RunnerReport&) { throw std::logic_error("not implemented"); }
std::string encode_result_line(const RunnerReport&) { throw std::logic_error("not implemented"); }
std::optional<RunnerReport> decode_runner_output(const std::string&, std::string&) { throw std::logic_error("not implemented"); }
RunInterpretation interpret_outcome(const PlatformRunOutcome&) { throw std::logic_error("not implemented"); }
}  // namespace platbench
