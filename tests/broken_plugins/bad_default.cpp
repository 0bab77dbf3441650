// A parameter table whose default does not parse by its own type.
#include "fake_workload.hpp"
namespace {
platbench::PluginDescriptor make() {
    platbench::PluginDescriptor d = broken::fake_descriptor("bad_default");
    platbench::ParamSpec spec;
    spec.name = "block_size";
    spec.type = platbench::ParamType::Size;
    spec.default_value = "4 potatoes";
    spec.help = "broken on purpose";
    d.params.push_back(spec);
    return d;
}
}  // namespace
PLATBENCH_PLUGIN(make)
