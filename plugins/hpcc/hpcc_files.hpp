// HPC Challenge's files: the input hpccinf.txt that platbench writes for a
// problem, and the summary section of hpccoutf.txt read back into the metrics of
// linpack and randomaccess. hpcc's output is untrusted text: every number is
// checked, and a damaged file is an error that says what is missing.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "platbench/workload.hpp"

namespace platbench::hpcc {

struct HpccProblem {
    int n = 0;           // HPL's order; HPCC sizes its other tests from it
    int block_size = 0;  // HPL's NB
};

// hpccinf.txt for one process (a 1 x 1 grid) and one problem.
std::string input_file(const HpccProblem& problem);

// The "key=value" lines between "Begin of Summary section." and "End of Summary
// section.". Throws WorkloadError when the section is missing or unterminated.
std::map<std::string, std::string> summary_section(const std::string& output);

// What a run of hpcc measured, in platbench's metric names.
struct HpccFigures {
    std::vector<Metric> metrics;
    std::map<std::string, std::string> info;
    std::vector<std::string> failures;  // HPL's residual check, RandomAccess's error rule, hpcc's Success flag
};
HpccFigures figures_from_summary(const std::map<std::string, std::string>& summary);

}  // namespace platbench::hpcc
