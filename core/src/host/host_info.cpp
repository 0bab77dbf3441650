// STUB: to be implemented.
#include "host/host_info.hpp"
#include <stdexcept>
namespace platbench {
nlohmann::json collect_host_info() { throw std::logic_error("not implemented"); }
std::string utc_timestamp_now() { throw std::logic_error("not implemented"); }
}  // namespace platbench
