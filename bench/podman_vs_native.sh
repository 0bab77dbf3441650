#!/usr/bin/env bash
# What podman costs against bare metal: stream Triad ratio and overhead per run.
# Usage and options: bench/platform_vs_native.sh -h (this script passes -p podman).
exec "$(dirname "$0")/platform_vs_native.sh" -p podman "$@"
