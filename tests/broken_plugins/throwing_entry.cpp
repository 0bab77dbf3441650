// Initialisation fails with an exception.
#include <stdexcept>
#include "fake_workload.hpp"
namespace {
platbench::PluginDescriptor make() { throw std::runtime_error("cannot initialise the frobnicator"); }
}  // namespace
PLATBENCH_PLUGIN(make)
