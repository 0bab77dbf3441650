#!/usr/bin/env bash
# What docker costs against bare metal: stream Triad ratio and overhead per run.
# Usage and options: bench/platform_vs_native.sh -h (this script passes -p docker).
exec "$(dirname "$0")/platform_vs_native.sh" -p docker "$@"
