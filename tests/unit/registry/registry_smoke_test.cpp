#include <doctest/doctest.h>
#include "plugin/registry.hpp"
TEST_CASE("the build tree's plugin directory holds stream and native") {
    platbench::PluginRegistry registry;
    registry.load_directory(PLATBENCH_PLUGIN_DIR);
    CHECK(registry.problems().empty());
    CHECK(registry.find(platbench::PluginKind::Workload, "stream") != nullptr);
    CHECK(registry.find(platbench::PluginKind::Platform, "native") != nullptr);
}
