# Shared by every script: sourced, never run. Each script starts with
#   #!/usr/bin/env bash
#   set -euo pipefail
#   source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export REPO_ROOT
# The one native build every language uses (cargo build --release --workspace).
export PSD_TARGET_DIR="${CARGO_TARGET_DIR:-$REPO_ROOT/target}"
export PSD_NATIVE_DIR="$PSD_TARGET_DIR/release"
export PSD_CLI="$PSD_NATIVE_DIR/postsyncer-delegate"

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# need_cmd CMD HINT: fail loudly when a toolchain is missing.
need_cmd() {
  command -v "$1" >/dev/null 2>&1 || die "'$1' is not installed: $2"
}

# need_apt PKG...: installs the Debian packages that are not installed yet (root only).
_apt_updated=""
need_apt() {
  local missing=()
  local pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  [ "$(id -u)" -eq 0 ] || die "missing Debian packages: ${missing[*]} (run: sudo apt-get install ${missing[*]})"
  if [ -z "$_apt_updated" ]; then
    log "apt-get update"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    _apt_updated=1
  fi
  log "apt-get install ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# Every feature of the core (client, uniffi, capi): what the bindings load and link. Every
# cargo call of the scripts passes it, so that one build serves them all.
export PSD_CARGO_FEATURES="--all-features"

# build_native: the release build of the core library (cdylib, staticlib) and the CLI.
# Cargo makes a second call a no-op, so every language's script may call it.
build_native() {
  need_cmd cargo "install Rust (https://rustup.rs)"
  log "cargo build --release --workspace $PSD_CARGO_FEATURES"
  (cd "$REPO_ROOT" && cargo build --release --workspace $PSD_CARGO_FEATURES --locked --quiet)
}

# workspace_version: the one version source, Cargo.toml's [workspace.package] version.
workspace_version() {
  awk '
    /^\[/ { section = $0 }
    section == "[workspace.package]" && $1 == "version" { gsub(/[" ]/, "", $3); print $3 }
  ' "$REPO_ROOT/Cargo.toml"
}
