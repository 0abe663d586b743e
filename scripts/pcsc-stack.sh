#!/usr/bin/env bash
# pcsc-stack.sh — a real PC/SC stack without hardware, for tests and demos:
# Debian's pcscd with the vsmartcard-vpcd driver. The driver gives two
# readers, "Virtual PCD 00 00" and "Virtual PCD 00 01"; for each it listens
# on TCP (35963 and 35964) for a card to connect. oxicard's vpcd bridge
# (oxicard_transport::vpcd) plays that card with any simulator.
#
#   scripts/pcsc-stack.sh start    start pcscd unless one with the vpcd readers runs; wait until
#                                  the driver listens (exit 1 after OXICARD_PCSC_TIMEOUT s, default 20)
#   scripts/pcsc-stack.sh stop     stop the pcscd that 'start' launched, nothing else
#   scripts/pcsc-stack.sh status   exit 0 when the vpcd readers are up, 3 when not
#
# State and pcscd's log live in OXICARD_PCSC_DIR (default /tmp/oxicard-pcsc).
# OXICARD_PCSC_DEBUG=1 makes pcscd log every APDU.
set -euo pipefail
export PATH="$PATH:/usr/sbin:/sbin"

dir=${OXICARD_PCSC_DIR:-/tmp/oxicard-pcsc}
pidfile=$dir/pcscd.pid
logfile=$dir/pcscd.log
timeout_s=${OXICARD_PCSC_TIMEOUT:-20}
port_hex=8C7B   # 35963, the first vpcd slot

say() { echo "pcsc-stack: $*" >&2; }

# Is the vpcd driver listening? (LISTEN = state 0A in /proc/net/tcp{,6})
# Only existing tables are read: without IPv6 there is no /proc/net/tcp6, and
# mawk (Debian's awk) exits 2 on a missing file even when the port was found.
vpcd_listening() {
  local tables=() t
  for t in /proc/net/tcp /proc/net/tcp6; do [ -r "$t" ] && tables+=("$t"); done
  [ ${#tables[@]} -gt 0 ] || return 1
  awk -v p=":$port_hex" '$2 ~ p"$" && $4 == "0A" {found=1} END {exit !found}' "${tables[@]}"
}

# pid of the pcscd we started, if it still runs
our_pcscd() {
  local pid
  [ -r "$pidfile" ] || return 1
  pid=$(cat "$pidfile")
  [ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = pcscd ] || return 1
  echo "$pid"
}

any_pcscd() { pgrep -x pcscd >/dev/null 2>&1; }

start() {
  mkdir -p "$dir"
  [ -r /etc/reader.conf.d/vpcd ] || { say "vsmartcard-vpcd is not installed (run scripts/setup.sh)"; exit 1; }
  if vpcd_listening; then
    say "pcscd with the vpcd readers already running"
    return 0
  fi
  if any_pcscd; then
    # pcscd reads reader.conf.d only when it starts: one started before vpcd was installed never shows it.
    say "a pcscd without the vpcd readers runs (pid $(pgrep -x pcscd | paste -sd,)); restarting it"
    pkill -x pcscd || true
    for _ in $(seq 50); do any_pcscd || break; sleep 0.1; done
  fi
  rm -f /run/pcscd/pcscd.pid /run/pcscd/pcscd.comm
  local args=(--foreground)
  [ "${OXICARD_PCSC_DEBUG:-0}" = 1 ] && args+=(--debug --apdu)
  pcscd "${args[@]}" </dev/null >"$logfile" 2>&1 &
  echo $! >"$pidfile"
  local deadline=$((SECONDS + timeout_s))
  until vpcd_listening; do
    if ! our_pcscd >/dev/null; then
      tail -n 20 "$logfile" >&2 || true
      say "pcscd exited during start-up (log above)"
      exit 1
    fi
    if [ $SECONDS -ge $deadline ]; then
      tail -n 20 "$logfile" >&2 || true
      say "the vpcd readers did not come up within ${timeout_s}s (log: $logfile)"
      stop
      exit 1
    fi
    sleep 0.1
  done
  say "pcscd running (pid $(cat "$pidfile")), readers 'Virtual PCD 00 00' (port 35963) and 'Virtual PCD 00 01' (port 35964)"
}

stop() {
  local pid
  if pid=$(our_pcscd); then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 100); do [ -e "/proc/$pid" ] || break; sleep 0.1; done
    [ -e "/proc/$pid" ] && kill -9 "$pid" 2>/dev/null || true
    say "pcscd (pid $pid) stopped"
  fi
  rm -f "$pidfile"
}

status() {
  if vpcd_listening; then echo "vpcd readers up"; return 0; fi
  echo "vpcd readers down"
  return 3
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
