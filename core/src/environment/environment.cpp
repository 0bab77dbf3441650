// STUB: to be implemented.
#include "platbench/environment.hpp"
#include <stdexcept>
namespace platbench {
int ObservedEnvironment::usable_cpus() const { throw std::logic_error("not implemented"); }
std::uint64_t ObservedEnvironment::usable_memory_bytes() const { throw std::logic_error("not implemented"); }
ObservedEnvironment observe_environment() { throw std::logic_error("not implemented"); }
}  // namespace platbench
