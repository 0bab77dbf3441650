// STUB: to be implemented.
#include "platbench/environment.hpp"
#include <stdexcept>
namespace platbench {
ObservedEnvironment observe_environment() { throw std::logic_error("not implemented"); }
}  // namespace platbench
