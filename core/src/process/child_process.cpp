// STUB: to be implemented.
#include "platbench/process.hpp"
#include <stdexcept>
namespace platbench {
ChildOutcome run_child(const ChildRequest&) { throw std::logic_error("not implemented"); }
LimitSupport probe_limit_support() { throw std::logic_error("not implemented"); }
}  // namespace platbench
