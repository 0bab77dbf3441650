// STUB: to be implemented.
#include "bundle/bundle.hpp"
#include <stdexcept>
namespace platbench {
Bundle build_bundle(const HostRunner&, const std::filesystem::path&) { throw std::logic_error("not implemented"); }
std::filesystem::path default_cache_dir() { throw std::logic_error("not implemented"); }
}  // namespace platbench
