// The answer at a glance: how much each platform costs against the baseline, and
// whether the figures can be believed. What `platbench run` ends with and
// `platbench summary` prints (the same text from the same stored runs), and what
// the report opens with. Headline metrics only (each workload's metric table says
// which); every detail stays one command away (`--all`, `platbench report`).
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include "analysis/report.hpp"

namespace platbench {

// The widest line print_glance() writes, in terminal columns.
inline constexpr std::size_t kGlanceWidth = 120;

// Per platform other than the baseline, one sentence: its headline relative
// performance, and whether the validity checks allow a conclusion.
std::vector<std::string> verdict_sentences(const ReportInput& input);

// The experiment's runs, one line per cell with its headline metrics (mean and
// the 95% interval's half-width), one line per compared cell with the relative
// performance of each headline metric (its interval and verdict), the validity
// findings one line per check, and the verdict sentences; lines of at most
// kGlanceWidth columns.
void print_glance(const ReportInput& input, std::ostream& out);

}  // namespace platbench
