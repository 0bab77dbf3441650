#!/usr/bin/env bash
# linpack vs HPC Challenge's HPL: bench/hpc_vs_hpcc.sh -w linpack (see there for the options).
exec "$(dirname "$0")/hpc_vs_hpcc.sh" -w linpack "$@"
