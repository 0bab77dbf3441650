// The limits an experiment is checked against, for whoever changes an experiment
// after it was loaded (`platbench run --repetitions/--warmup`) as much as for the
// experiment file's checker: one place states them.
#pragma once

#include <cstddef>

namespace platbench {

// More cells than this is almost certainly a mistake (a list where a value was meant),
// and expanding it would take the memory a run needs.
inline constexpr std::size_t kMaxCells = 100'000;
// The same for runs (cells x (repetitions + warmup)): months of work even at a second a run.
inline constexpr std::size_t kMaxRuns = 10'000'000;
// Plugin validate() hooks are asked about at most this many combinations per entry.
inline constexpr std::size_t kMaxValidatedCombinations = 100'000;
// `repetitions:` (at least 1) and `warmup:` (at least 0) per cell.
inline constexpr int kMaxRepetitions = 1'000'000;
inline constexpr int kMaxWarmup = 1'000'000;

}  // namespace platbench
