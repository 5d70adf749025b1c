# Starts a private redis-server for a suite script: sourced, never run (after lib/common.sh).
#
#   source "$(dirname "${BASH_SOURCE[0]}")/lib/redis.sh"
#   start_redis         # exports PSD_REDIS_URL (redis://127.0.0.1:PORT/) and PSD_REDIS_SERVER
#
# Debian's redis-server, installed when missing, listens on a free loopback port with no
# persistence, and is stopped when the script exits (an EXIT trap, chained after any EXIT
# trap the script set before calling start_redis).

_psd_redis_pid=""
_psd_redis_dir=""

stop_redis() {
  if [ -n "$_psd_redis_pid" ]; then
    kill -TERM "$_psd_redis_pid" 2>/dev/null || true
    wait "$_psd_redis_pid" 2>/dev/null || true
    _psd_redis_pid=""
  fi
  if [ -n "$_psd_redis_dir" ]; then
    rm -rf "$_psd_redis_dir"
    _psd_redis_dir=""
  fi
}

# A loopback TCP port nothing listens on now (bash's /dev/tcp: a refused connect means free).
_psd_free_port() {
  local port
  for _ in $(seq 1 100); do
    port=$((20000 + RANDOM % 40000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return 0
    fi
  done
  die "no free loopback port found for redis-server"
}

start_redis() {
  command -v redis-server >/dev/null 2>&1 || need_apt redis-server
  need_cmd redis-server "install Debian's redis-server package"
  _psd_redis_dir="$(mktemp -d)"
  local port
  port="$(_psd_free_port)"
  redis-server --bind 127.0.0.1 --port "$port" --save "" --appendonly no \
    --dir "$_psd_redis_dir" --protected-mode yes \
    >"$_psd_redis_dir/log" 2>&1 &
  _psd_redis_pid=$!

  local previous_trap
  previous_trap="$(trap -p EXIT | sed -e "s/^trap -- '//" -e "s/' EXIT\$//")"
  # shellcheck disable=SC2064 # expand the previous trap now, on purpose
  trap "stop_redis; ${previous_trap:-:}" EXIT

  local waited=0
  until (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do
    if ! kill -0 "$_psd_redis_pid" 2>/dev/null; then
      cat "$_psd_redis_dir/log" >&2
      die "redis-server exited before it was ready"
    fi
    [ "$waited" -lt 100 ] || die "redis-server did not listen within 10 s"
    sleep 0.1
    waited=$((waited + 1))
  done
  PSD_REDIS_URL="redis://127.0.0.1:$port/"
  PSD_REDIS_SERVER="$(command -v redis-server)"
  export PSD_REDIS_URL PSD_REDIS_SERVER
  log "redis-server $(redis-server --version | sed -n 's/.*v=\([^ ]*\).*/\1/p') running at $PSD_REDIS_URL (pid $_psd_redis_pid)"
}
