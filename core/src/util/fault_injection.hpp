// Fault injection for the reliability tests: with
//   PLATBENCH_FAULT_KILL_AT=<point>:<n>
// in its environment, platbench kills itself with SIGKILL the n-th time (from 1)
// it reaches the named point, e.g. store-before-commit:3. The tests use it to
// kill the engine at exact places (inside a store's transaction, between a run
// and its store, ...) and then check that --resume loses nothing and repeats
// nothing. Without the variable a fault point costs one branch.
#pragma once

#include <string>
#include <vector>

namespace platbench {

// Every point the engine and the store pass, in the order a run passes them.
const std::vector<std::string>& fault_point_names();

// Marks that the process reached `point` (one of fault_point_names()).
void fault_point(const char* point);

}  // namespace platbench
