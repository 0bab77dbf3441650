#!/usr/bin/env bash
# randomaccess vs HPCC's SingleRandomAccess: bench/hpc_vs_hpcc.sh -w randomaccess (see there for the options).
exec "$(dirname "$0")/hpc_vs_hpcc.sh" -w randomaccess "$@"
