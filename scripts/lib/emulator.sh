# Starts the emulator for a suite script: sourced, never run (after lib/common.sh).
#
#   source "$(dirname "${BASH_SOURCE[0]}")/lib/emulator.sh"
#   start_emulator      # exports PSD_EMULATOR_URL, PSD_API_KEY, PSD_SIGNING_SECRET
#
# The emulator is stopped when the script exits (an EXIT trap, chained after any EXIT trap
# the script set before calling start_emulator).

_psd_emulator_pid=""
_psd_emulator_dir=""

stop_emulator() {
  if [ -n "$_psd_emulator_pid" ]; then
    kill -TERM "$_psd_emulator_pid" 2>/dev/null || true
    wait "$_psd_emulator_pid" 2>/dev/null || true
    _psd_emulator_pid=""
  fi
  if [ -n "$_psd_emulator_dir" ]; then
    rm -rf "$_psd_emulator_dir"
    _psd_emulator_dir=""
  fi
}

# start_emulator [EXTRA EMULATE ARGS...]
start_emulator() {
  [ -x "$PSD_CLI" ] || die "$PSD_CLI is not built: call build_native first"
  _psd_emulator_dir="$(mktemp -d)"
  local out="$_psd_emulator_dir/stdout"
  # Output goes to files, not pipes, so the emulator never blocks on a reader that stopped.
  "$PSD_CLI" emulate --addr 127.0.0.1:0 "$@" >"$out" 2>"$_psd_emulator_dir/stderr" &
  _psd_emulator_pid=$!

  local previous_trap
  previous_trap="$(trap -p EXIT | sed -e "s/^trap -- '//" -e "s/' EXIT\$//")"
  # shellcheck disable=SC2064 # expand the previous trap now, on purpose
  trap "stop_emulator; ${previous_trap:-:}" EXIT

  local waited=0
  until [ "$(grep -c '^PSD_' "$out" 2>/dev/null)" -ge 3 ]; do
    if ! kill -0 "$_psd_emulator_pid" 2>/dev/null; then
      cat "$_psd_emulator_dir/stderr" >&2
      die "the emulator exited before it was ready"
    fi
    [ "$waited" -lt 300 ] || die "the emulator did not print its credentials within 30 s"
    sleep 0.1
    waited=$((waited + 1))
  done
  PSD_EMULATOR_URL="$(sed -n 's/^PSD_EMULATOR_URL=//p' "$out")"
  PSD_API_KEY="$(sed -n 's/^PSD_API_KEY=//p' "$out")"
  PSD_SIGNING_SECRET="$(sed -n 's/^PSD_SIGNING_SECRET=//p' "$out")"
  export PSD_EMULATOR_URL PSD_API_KEY PSD_SIGNING_SECRET
  log "emulator running at $PSD_EMULATOR_URL (pid $_psd_emulator_pid)"
}
