#!/usr/bin/env bash
# Installs Apptainer on Debian 12 without touching the system's C library.
#
# Debian 12 does not package Apptainer. Debian unstable does, built against a newer
# glibc (>= 2.38) than Debian 12's. This script takes Debian's own apptainer package
# from unstable, and unstable's libc6 unpacked into a private prefix, and points the
# apptainer binaries at that libc (patchelf): the rest of the system keeps its own.
#
# Nothing happens when `apptainer` or `singularity` already runs (HPC systems that
# provide it need nothing installed). Needs root. Uses the Debian mirror this
# machine's apt sources already name; APPTAINER_PREFIX (default
# /opt/platbench-apptainer) holds the private libc and the list of installed files.
set -euo pipefail

PREFIX=${APPTAINER_PREFIX:-/opt/platbench-apptainer}
LIBC_DIR=$PREFIX/glibc
MULTIARCH=x86_64-linux-gnu

log() { printf '==> %s\n' "$*" >&2; }

already_installed() {
  local tool
  for tool in apptainer singularity; do
    if command -v "$tool" >/dev/null && "$tool" --version >/dev/null 2>&1; then
      log "$tool is installed: $("$tool" --version 2>/dev/null)"
      return 0
    fi
  done
  return 1
}

# The first Debian (not security) archive URI of the machine's apt sources, in
# either the deb822 (*.sources) or the one-line (sources.list) format.
debian_mirror() {
  local file
  for file in /etc/apt/sources.list.d/*.sources; do
    [ -f "$file" ] || continue
    awk 'tolower($1) == "uris:" { for (i = 2; i <= NF; i++) print $i }' "$file"
  done
  for file in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$file" ] || continue
    awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i !~ /^\[/ && $i !~ /\]$/) { print $i; break } }' "$file"
  done
}

pick_mirror() {
  debian_mirror | grep -v -e security -e '^cdrom:' | grep -m1 -E '^(https?|file)://' || true
}

# Downloads the unstable apptainer and libc6 packages into $1 with a private apt
# configuration: the system's own sources and lists stay as they are.
download_unstable_packages() {
  local work=$1 mirror
  mirror=$(pick_mirror)
  if [ -z "$mirror" ]; then
    log "no Debian mirror found in /etc/apt/sources.list*; cannot download apptainer"
    return 1
  fi
  mkdir -p "$work/lists/partial" "$work/archives/partial"
  echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror sid main" >"$work/sources.list"
  local apt_options=(-o "Dir::Etc::SourceList=$work/sources.list" -o Dir::Etc::SourceParts=/dev/null
    -o "Dir::State::Lists=$work/lists" -o "Dir::Cache::Archives=$work/archives" -o APT::Get::List-Cleanup=0 -o APT::Sandbox::User=root)
  log "reading the unstable package list"
  apt-get "${apt_options[@]}" update -qq
  (cd "$work" && apt-get "${apt_options[@]}" download apptainer libc6 >/dev/null)
}

relocate_onto_private_libc() {
  local binary
  for binary in /usr/bin/apptainer /usr/lib/$MULTIARCH/apptainer/bin/*; do
    [ -f "$binary" ] && file -b "$binary" | grep -q 'dynamically linked' || continue
    patchelf --set-interpreter "$LIBC_DIR/usr/lib/$MULTIARCH/ld-linux-x86-64.so.2" \
      --set-rpath "$LIBC_DIR/usr/lib/$MULTIARCH:/usr/lib/$MULTIARCH" "$binary"
  done
}

configure_apptainer() {
  mkdir -p /var/lib/apptainer/mnt/session
  # No systemd here: apptainer applies --cpus/--memory through cgroupfs itself.
  sed -i 's/^[#[:space:]]*systemd cgroups *=.*/systemd cgroups = no/' /etc/apptainer/apptainer.conf
}

main() {
  already_installed && return 0
  if [ "$(id -u)" -ne 0 ]; then
    log "apptainer is not installed and only root can install it: singularity runs will be skipped"
    return 0
  fi
  log "installing apptainer from Debian unstable onto a private C library in $PREFIX"
  local helpers=(patchelf file squashfs-tools uidmap squashfuse)
  # A fresh machine may have no package lists yet: read them and try once more.
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${helpers[@]}" >/dev/null ||
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        "${helpers[@]}" >/dev/null; }
  local work
  work=$(mktemp -d /tmp/platbench-apptainer-XXXXXX)
  chmod 0755 "$work"  # apt fetches as the _apt user
  trap 'rm -rf "$work"' RETURN
  download_unstable_packages "$work"
  mkdir -p "$LIBC_DIR"
  dpkg -x "$work"/libc6_*.deb "$LIBC_DIR"
  # Keep the list of files put onto / so that they can be removed again.
  dpkg -c "$work"/apptainer_*.deb | awk '{ print $6 }' | sed 's|^\.||' >"$PREFIX/installed-files"
  dpkg -x "$work"/apptainer_*.deb /
  relocate_onto_private_libc
  configure_apptainer
  log "installed: $(apptainer --version)"
}

main "$@"
