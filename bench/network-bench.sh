#!/usr/bin/env bash
# network-bench.sh [N] - C-STORE throughput of the gateway's DICOM network layer (gatewayctl dicom scp/store)
# against DCMTK (storescu/storescp) on loopback, plain TCP and TLS, plus peak memory of a > 2 GiB C-STORE.
#
# 1. Generates N (default 500) synthetic CT images, 512x512 16-bit, explicit VR little endian (bench/gen-ct.sh,
#    dump2dcm; the first one is checked with dciodvfy when installed) and a throw-away PKI (bench/make-certs.sh:
#    CA, server certificate CN=localhost with SAN DNS:localhost + IP:127.0.0.1, client certificate), all in a
#    temporary directory.
# 2. Legs, each one association over 127.0.0.1 with a fresh receiver, the received file count checked, and the
#    wall time of the SENDER measured with `date +%s.%N` around it:
#       1  storescu          -> storescp                    (DCMTK to DCMTK: the baseline)
#       2  storescu          -> gatewayctl dicom scp        (our receiver)
#       3  gatewayctl store  -> storescp                    (our sender; .NET start-up is INCLUDED)
#       2w as 2, but the scp process first receives one other image on an association of its own (not timed):
#          a warm receiver, as a long-running gateway is (leg 2 includes the JIT of the receive path)
#       1s as 1, but storescp makes each file durable before its response, as our scp does: fsync of the file and
#          of the receive directory when storescp closes the file (bench/fsync-on-close.c, LD_PRELOAD, built with cc;
#          the leg is skipped without a C compiler). The like-for-like baseline for our scp on disk: ack means
#          durable. (storescp's own -xcr "sync #p/#f" -xs forks a process per file, which costs more here than
#          the fsync and would flatter us.) Disk set only: on tmpfs it is leg 1.
#    plain TCP, then the same three with TLS (storescp +tls KEY CRT -pw +cf CA, storescu +tls ..., our side
#    --tls-cert/--tls-key/--tls-ca). TCP_NODELAY=1 is exported for every DCMTK process (without it Debian's
#    DCMTK stalls ~40 ms per message: Nagle + delayed ACK).
#    - gatewayctl is built once before anything is timed (`./gatewayctl dicom --help`), then a private copy of the
#      build is run (`<copy>/gatewayctl`, the Native AOT program the wrapper execs for `gatewayctl dicom ...`, or
#      `dotnet <copy>/gatewayctl.dll` where that could not be built) so that a rebuild triggered by concurrent edits
#      of src/ is never timed.
#    - Leg 3 is also reported with start-up excluded: minus the wall time of an empty `gatewayctl dicom echo`
#      (process start, JIT, connect, associate, C-ECHO, release) run against the same receiver just before.
#      The main figure keeps the start-up in.
#    - Durability differs: our scp fsyncs every instance before it answers Success (an ack means the file is on
#      disk); storescp does not fsync at all. The "durable s" column adds, for storescp receivers, the time of
#      `sync FILE...` (one fsync per received file) run right after the sender finished: a batch of syncs after
#      the fact, cheaper than one before each response. Leg 1s is the like-for-like baseline: each file made
#      durable before its response, as our scp does (ratios "vs leg 1s").
#    - With RX_TMPFS=1 (default) the six legs run a second time with both receivers writing to /dev/shm
#      (tmpfs: fsync costs nothing there), which isolates the network/DIMSE layer from the disk.
#    - Each leg runs REPEAT times (rounds interleave the legs); the table shows the median, the raw lines every run.
# 3. Big instance: one Part 10 file > 2 GiB (multi-frame grayscale word SC, 512x512x16-bit x FRAMES=4100 frames,
#    header by dump2dcm, Pixel Data element header by printf with its exact even OW length, the value by
#    `head -c N /dev/zero`), then
#       storescu -> gatewayctl dicom scp   with the scp itself under /usr/bin/time -v (stopped by SIGINT after the
#                                          transfer; its report gives "Maximum resident set size")
#       gatewayctl dicom store -> storescp +B (bit-preserving: streams to disk) with our sender under /usr/bin/time -v
#    and verifies each received file: Pixel Data length (dcmdump -M) and the data set bytes identical to the input
#    (cmp after the File Meta Information). Target: peak RSS < LIMIT_MB (200).
# 4. PROFILE=1 (default): a few diagnostics on PROFILE_N=50 images on tmpfs: storescu -> our scp with different
#    --max-pdu values, our store -> storescp with different storescp -pdu values, `strace -c -f` syscall counts of
#    our scp and our sender, and start-up costs (gatewayctl --version, empty echo).
# 5. Everything runs in a temporary directory that is removed on exit; every background process (receivers,
#    /usr/bin/time, strace) is stopped by its PID, never by name, also on failure or Ctrl-C.
#
# Usage: bench/network-bench.sh [N]       e.g. bench/network-bench.sh 500 2>&1 | tee bench/results/network-$(date +%F).txt
# Knobs (environment):
#   N=500 REPEAT=3           images per leg, runs per leg
#   LEGS=1|0 BIG=1|0 PROFILE=1|0 RX_TMPFS=1|0   which parts to run
#   FRAMES=4100              frames of the big instance (512x512x16-bit each: 4100 -> 2,149,580,800 bytes)
#   LIMIT_MB=200             the peak RSS target for the big instance
#   PROFILE_N=50 PROFILE_PDUS="16384 65536 262144 1048576 4194304"
#   PORT=21112               first TCP port tried (each receiver gets the next free one)
#   WORKDIR=/tmp             where the temporary directory is made (needs ~N*0.55 MB + 2 x 2.15 GB with BIG=1)
#   MAX_LOAD=0               >0: before each round (and the big instance) wait until the 1-minute load average is
#                            below it, for at most MAX_WAIT=900 s (the figures are only as good as the machine is idle)
#   KEEP=1                   keep the temporary directory
#   GATEWAYCTL=<command>     the CLI to time instead of the private copy (e.g. GATEWAYCTL=./gatewayctl)
# The private copy is the build ./gatewayctl dicom runs: Native AOT since 2026-11-29 (thirteenth session), before
# that ReadyToRun. GATEWAYCTL="dotnet .build/gatewayctl/gatewayctl.dll" times gatewayctl's own ReadyToRun build.
set -euo pipefail

root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
here="$root/bench"
N=${1:-${N:-500}}
REPEAT=${REPEAT:-3}
LEG_LIST=${LEG_LIST:-1 1s 2 2w 3}
LEGS=${LEGS:-1}
BIG=${BIG:-1}
PROFILE=${PROFILE:-1}
RX_TMPFS=${RX_TMPFS:-1}
FRAMES=${FRAMES:-4100}
LIMIT_MB=${LIMIT_MB:-200}
PROFILE_N=${PROFILE_N:-50}
PROFILE_PDUS=${PROFILE_PDUS:-16384 65536 262144 1048576 4194304}
PORT=${PORT:-21112}
WORKDIR=${WORKDIR:-/tmp}
export TCP_NODELAY=1

for tool in storescu storescp echoscu dump2dcm dcmdump openssl ss dotnet flock; do
  command -v "$tool" >/dev/null || { echo "network-bench: $tool not found (dcmtk, openssl, iproute2, .NET SDK)" >&2; exit 1; }
done
if [[ ! -x /usr/bin/time ]]; then
  echo "network-bench: /usr/bin/time not found; installing the 'time' package" >&2
  apt-get install -y time >/dev/null
fi
if [[ "$PROFILE" == 1 ]] && ! command -v strace >/dev/null; then
  echo "network-bench: strace not found; the syscall counts are skipped (apt-get install strace)" >&2
fi

tmp="$(mktemp -d "$WORKDIR/network-bench.XXXXXX")"
shm=""
PIDS=()
# alive PID: running and not a zombie (PID 1 of some VMs reaps late, and kill -0 succeeds on a zombie).
alive() { local st; st=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -c1) && [[ -n "$st" && "$st" != Z ]]; }
cleanup() {
  local p i
  for (( i = ${#PIDS[@]} - 1; i >= 0; i-- )); do
    p=${PIDS[i]}
    if alive "$p"; then kill -TERM "$p" 2>/dev/null || true; fi
  done
  for p in "${PIDS[@]}"; do
    for _ in $(seq 100); do alive "$p" || break; sleep 0.1; done
    if alive "$p"; then kill -KILL "$p" 2>/dev/null || true; fi
  done
  if [[ "${KEEP:-0}" == 1 ]]; then
    echo "work dir kept: $tmp ${shm:+and $shm}"
  else
    rm -rf "$tmp"
    [[ -n "$shm" ]] && rm -rf "$shm"
  fi
  return 0
}
trap cleanup EXIT
trap 'exit 130' INT TERM

now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
median() { printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 } END { if (NR == 0) print "nan"; else if (NR % 2) print a[(NR + 1) / 2]; else printf "%.3f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
load() { cut -d' ' -f1-3 /proc/loadavg; }
MAX_LOAD=${MAX_LOAD:-0}
MAX_WAIT=${MAX_WAIT:-900}
# wait_quiet: with MAX_LOAD > 0, wait (at most MAX_WAIT s) until the 1-minute load average is below MAX_LOAD.
wait_quiet() {
  [[ "$MAX_LOAD" == 0 ]] && return 0
  local start=$SECONDS
  while awk -v l="$(cut -d' ' -f1 /proc/loadavg)" -v m="$MAX_LOAD" 'BEGIN { exit !(l >= m) }'; do
    if (( SECONDS - start >= MAX_WAIT )); then echo "   (load average still $(load) after ${MAX_WAIT} s: going on)"; return 0; fi
    sleep 5
  done
  (( SECONDS - start > 0 )) && echo "   (waited $(( SECONDS - start )) s for load average < $MAX_LOAD: now $(load))"
  return 0
}

# The next TCP port from $next_port on which nothing listens.
next_port=$PORT
free_port() {
  while [[ -n "$(ss -Hltn "sport = :$next_port")" ]]; do next_port=$(( next_port + 1 )); done
  echo "$next_port"
  next_port=$(( next_port + 1 ))
}
wait_listen() { # PID PORT: until PORT listens (PID must stay alive)
  for _ in $(seq 400); do
    [[ -n "$(ss -Hltn "sport = :$2")" ]] && return 0
    alive "$1" || return 1
    sleep 0.025
  done
  return 1
}
# stop PID [SIGNAL]: signal and wait until it has exited.
stop() {
  kill "-${2:-TERM}" "$1" 2>/dev/null || true
  for _ in $(seq 600); do alive "$1" || return 0; sleep 0.05; done
  echo "network-bench: PID $1 did not stop on SIG${2:-TERM}; killing it" >&2
  kill -KILL "$1" 2>/dev/null || true
}
# The only child of PID (e.g. the command /usr/bin/time or strace runs).
child_of() {
  local c
  for _ in $(seq 200); do
    c=$(cat /proc/"$1"/task/*/children 2>/dev/null | tr ' ' '\n' | grep -m1 . || true)
    [[ -n "$c" ]] && { echo "$c"; return 0; }
    sleep 0.025
  done
  return 1
}

# ---- the CLI under test ------------------------------------------------------------------------------------------
echo "== network-bench $(date -u '+%Y-%m-%dT%H:%M:%SZ'): $(nproc) cores, $(awk '/MemTotal/ { printf "%.1f GiB RAM", $2 / 1048576 }' /proc/meminfo), load average $(load)"
t0=$(now)
"$root/gatewayctl" dicom --help >/dev/null   # builds .build/gatewayctl-dicom when src/ changed: never inside a timed leg
if [[ -z "${GATEWAYCTL:-}" ]]; then
  # Copy under the wrapper's own lock, so a concurrent rebuild cannot hand us a half-written build.
  flock "$root/.build/gatewayctl-dicom.lock" cp -r "$root/.build/gatewayctl-dicom" "$tmp/cli"
  if [[ -f "$tmp/cli/.native" ]]; then
    cli=("$tmp/cli/$(<"$tmp/cli/.native")")
  else
    cli=(dotnet "$tmp/cli/gatewayctl.dll")
  fi
else
  read -r -a cli <<<"$GATEWAYCTL"
fi
echo "   gatewayctl ready in $(secs "$t0" "$(now)") s (build excluded from every timing); CLI: ${cli[*]}"
echo "   DCMTK $(storescu --version | awk 'NR == 1 { print $3 }'), $(openssl version | cut -d' ' -f1-2), .NET SDK $(dotnet --version), built from git $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?')$( [[ -n "$(git -C "$root" status --porcelain -- src 2>/dev/null)" ]] && echo ' + uncommitted changes in src/')"
if [[ -z "${GATEWAYCTL:-}" ]]; then
  echo "   build under test: $(cd "$tmp/cli" && sha256sum "$(basename "${cli[-1]}")" | awk '{ printf "%s %s  ", $2, substr($1, 1, 12) }')"
fi

# ---- inputs --------------------------------------------------------------------------------------------------------
pki="$tmp/pki"
"$here/make-certs.sh" "$pki" >/dev/null
dcmtk_tls_scp=(+tls "$pki/server.key" "$pki/server.crt" -pw +cf "$pki/ca.crt")
dcmtk_tls_scu=(+tls "$pki/client.key" "$pki/client.crt" -pw +cf "$pki/ca.crt")
our_tls_scp=(--tls-cert "$pki/server.crt" --tls-key "$pki/server.key" --tls-ca "$pki/ca.crt")
our_tls_scu=(--tls-cert "$pki/client.crt" --tls-key "$pki/client.key" --tls-ca "$pki/ca.crt")

# start_storescp DIR TLS(0|1) [storescp args...]: sets rx_pid rx_port
start_storescp() {
  local dir=$1 tls=$2; shift 2
  local extra=("$@")
  [[ "$tls" == 1 ]] && extra+=("${dcmtk_tls_scp[@]}")
  mkdir -p "$dir"
  rx_port=$(free_port)
  storescp -aet STORESCP -dhl -od "$dir" "${extra[@]}" "$rx_port" >"$dir.log" 2>&1 &
  rx_pid=$!; PIDS+=("$rx_pid")
  wait_listen "$rx_pid" "$rx_port" || { echo "network-bench: storescp did not start:" >&2; cat "$dir.log" >&2; exit 1; }
}
# start_ourscp DIR TLS(0|1) [scp args...]: sets rx_pid rx_port. SIGINT works on it: `env --default-signal=INT`
# undoes the SIG_IGN that a non-interactive bash gives its background jobs.
start_ourscp() {
  local dir=$1 tls=$2; shift 2
  local extra=("$@")
  [[ "$tls" == 1 ]] && extra+=("${our_tls_scp[@]}")
  mkdir -p "$dir"
  rx_port=$(free_port)
  env --default-signal=INT "${cli[@]}" dicom scp --port "$rx_port" --aet GWSCP --out "$dir" "${extra[@]}" >"$dir.log" 2>&1 &
  rx_pid=$!; PIDS+=("$rx_pid")
  wait_listen "$rx_pid" "$rx_port" || { echo "network-bench: gatewayctl dicom scp did not start:" >&2; cat "$dir.log" >&2; exit 1; }
}
# The LD_PRELOAD shim for leg 1s: storescp fsyncs each file and the directory before its response.
shim="$tmp/fsync-on-close.so"
if ! cc -O2 -shared -fPIC -o "$shim" "$here/fsync-on-close.c" -ldl 2>"$tmp/shim.log"; then
  echo "   no C compiler (or the shim did not build): leg 1s is skipped"; LEG_LIST=${LEG_LIST//1s/}
fi
count_rx() { find "$1" -maxdepth 1 -type f ! -name '.*' | wc -l; }

# One image with UIDs of its own, for warming up a receiver.
WARM="$tmp/warm/CT000001.dcm"
PATIENT_PREFIX=WARM "$here/gen-ct.sh" 1 "$tmp/warm" >/dev/null

# ---- throughput legs -----------------------------------------------------------------------------------------------
declare -A T TD TX GOT SC RC  # per leg key: sender seconds, durable seconds, start-up-excluded seconds, received, sender CPU s, receiver CPU s (lists)
# cpu_of PID: CPU seconds (user + system, all threads) the process has used so far.
cpu_of() { sed 's/.*) //' "/proc/$1/stat" | awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($12 + $13) / hz }'; }
# cpu_time FILE CMD...: runs CMD, writes its user and system CPU seconds to FILE.
cpu_time() { local f=$1; shift; /usr/bin/time -f '%U %S' -o "$f" "$@"; }
failures=0

# run_leg SET LEG TLS ROUND: one timed association.
run_leg() {
  local set=$1 leg=$2 tls=$3 round=$4 key="$1:$2:$3"
  local base=$tmp; [[ "$set" == tmpfs ]] && base=$shm
  local rx="$base/rx-$set-$leg-$tls-$round" t0 t1 t2 t3 te0 te1 c0 c1 got sender_rc=0 echo_s="" durable="" note=""
  local scu_tls=() our_tls=()
  if [[ "$tls" == 1 ]]; then scu_tls=("${dcmtk_tls_scu[@]}"); our_tls=("${our_tls_scu[@]}"); fi
  case $leg in
    1|3) start_storescp "$rx" "$tls" ;;
    1s) LD_PRELOAD="$shim" FSYNC_ON_CLOSE_DIR="$rx" start_storescp "$rx" "$tls" ;;
    2|2w) start_ourscp "$rx" "$tls" ;;
  esac
  if [[ "$leg" == 2w ]]; then warm_up "$rx" "$rx_port" "${scu_tls[@]}"; fi
  local l0; l0=$(load)
  case $leg in
    1|1s) c0=$(cpu_of "$rx_pid"); t0=$(now); cpu_time "$rx.cpu" storescu -aet BENCHSCU -aec STORESCP -R +sd "${scu_tls[@]}" 127.0.0.1 "$rx_port" "$IN" >"$rx.scu.log" 2>&1 || sender_rc=$?; t1=$(now); c1=$(cpu_of "$rx_pid") ;;
    2|2w) c0=$(cpu_of "$rx_pid"); t0=$(now); cpu_time "$rx.cpu" storescu -aet BENCHSCU -aec GWSCP -R +sd "${scu_tls[@]}" 127.0.0.1 "$rx_port" "$IN" >"$rx.scu.log" 2>&1 || sender_rc=$?; t1=$(now); c1=$(cpu_of "$rx_pid") ;;
    3)
      # Empty associations first (same process start-up, JIT, connect, TLS, associate, release): the median of
      # three is subtracted below.
      local echoes=() _i
      for _i in 1 2 3; do
        te0=$(now); "${cli[@]}" dicom echo --port "$rx_port" --calling-aet BENCHSCU --called-aet STORESCP "${our_tls[@]}" >"$rx.echo.log" 2>&1 || { echo "   echo failed:"; cat "$rx.echo.log"; }; te1=$(now)
        echoes+=("$(secs "$te0" "$te1")")
      done
      echo_s=$(median "${echoes[@]}")
      c0=$(cpu_of "$rx_pid"); t0=$(now); cpu_time "$rx.cpu" "${cli[@]}" dicom store "$IN" --port "$rx_port" --calling-aet BENCHSCU --called-aet STORESCP "${our_tls[@]}" >"$rx.scu.log" 2>&1 || sender_rc=$?; t1=$(now); c1=$(cpu_of "$rx_pid")
      ;;
  esac
  if [[ "$leg" != 2* && "$leg" != 1s && "$set" == disk ]]; then
    # storescp never fsyncs: make its files durable now (one fsync per file), to compare with our scp, which does.
    t2=$(now); find "$rx" -maxdepth 1 -type f -exec sync {} + ; t3=$(now)
    durable=$(awk -v s="$(secs "$t0" "$t1")" -v y="$(secs "$t2" "$t3")" 'BEGIN { printf "%.3f", s + y }')
  fi
  case $leg in
    2|2w) stop "$rx_pid" INT ;;   # our scp: SIGINT, as an operator's Ctrl+C
    *) stop "$rx_pid" TERM ;;
  esac
  got=$(count_rx "$rx")
  local s; s=$(secs "$t0" "$t1")
  T[$key]+="$s "
  [[ -n "$durable" ]] && TD[$key]+="$durable "
  [[ "$leg" == 2* && "$set" == disk ]] && TD[$key]+="$s "    # our scp's ack already means durable
  [[ -n "$echo_s" ]] && TX[$key]+="$(awk -v a="$s" -v b="$echo_s" 'BEGIN { printf "%.3f", a - b }') "
  GOT[$key]+="$got "
  local scpu rcpu; scpu=$(awk '{ printf "%.2f", $1 + $2 }' "$rx.cpu"); rcpu=$(awk -v a="$c0" -v b="$c1" 'BEGIN { printf "%.2f", b - a }')
  SC[$key]+="$scpu "; RC[$key]+="$rcpu "
  if [[ "$got" != "$N" || "$sender_rc" != 0 ]]; then
    failures=$(( failures + 1 )); note="  FAILED: received $got of $N, sender exit code $sender_rc"
    sed 's/^/     | /' "$rx.scu.log" | tail -n 5
  fi
  printf '   run %-6s leg %-2s %-5s round %d: %7.3f s %7.1f images/s  received %s/%s  CPU s: sender %s receiver %s%s%s  load %s -> %s%s\n' \
    "$set" "$leg" "$( [[ "$tls" == 1 ]] && echo TLS || echo plain)" "$round" "$s" "$(awk -v n="$N" -v s="$s" 'BEGIN { printf "%.1f", n / s }')" \
    "$got" "$N" "$scpu" "$rcpu" "${durable:+  durable $durable s}" "${echo_s:+  (empty echo $echo_s s)}" "$l0" "$(load)" "$note"
  rm -rf "$rx"
}

leg_name() {
  case $1 in
    1) echo "storescu -> storescp" ;;
    1s) echo "storescu -> storescp, sync per file" ;;
    2) echo "storescu -> gatewayctl scp" ;;
    2w) echo "storescu -> gatewayctl scp (warm)" ;;
    3) echo "gatewayctl store -> storescp" ;;
  esac
}

print_table() { # SET
  local set=$1 tls leg key s d x
  echo
  echo "== results ($set receive directory$( [[ "$set" == tmpfs ]] && echo ': /dev/shm, fsync is free')): N=$N files, $(awk -v b="$BYTES" -v n="$N" 'BEGIN { printf "%.1f MB (%.3f MB/file)", b / 1e6, b / 1e6 / n }'), median of $REPEAT run(s), MB = 10^6 bytes of DICOM files"
  printf '%-45s %8s %9s %8s %10s %10s %14s %8s %8s\n' "leg" "seconds" "images/s" "MB/s" "received" "durable s" "w/o startup s" "snd CPU" "rcv CPU"
  for tls in 0 1; do
    for leg in $LEG_LIST; do
      key="$set:$leg:$tls"
      [[ -n "${T[$key]:-}" ]] || continue
      # shellcheck disable=SC2086
      s=$(median ${T[$key]})
      d="-"; x="-"
      # shellcheck disable=SC2086
      [[ -n "${TD[$key]:-}" ]] && d=$(median ${TD[$key]})
      # shellcheck disable=SC2086
      [[ -n "${TX[$key]:-}" ]] && x=$(median ${TX[$key]})
      # shellcheck disable=SC2086
      printf '%-45s %8.3f %9.1f %8.1f %10s %10s %14s %8s %8s\n' "$(printf '%-2s' "$leg") $( [[ "$tls" == 1 ]] && echo 'TLS  ' || echo 'plain') $(leg_name "$leg")" "$s" \
        "$(awk -v n="$N" -v s="$s" 'BEGIN { print n / s }')" "$(awk -v b="$BYTES" -v s="$s" 'BEGIN { print b / 1e6 / s }')" \
        "$(echo "${GOT[$key]}" | tr ' ' '\n' | grep . | sort -u | tr '\n' ' ' | sed 's/ $//')/$N" "$d" "$x" "$(median ${SC[$key]})" "$(median ${RC[$key]})"
    done
  done
  echo "ratios ours/DCMTK = leg-1 seconds / our seconds (throughput ratio; target >= 0.90):"
  for tls in 0 1; do
    local name base ours ratio label
    name=$( [[ "$tls" == 1 ]] && echo TLS || echo plain)
    # shellcheck disable=SC2086
    base=""; [[ -n "${T[$set:1:$tls]:-}" ]] && base=$(median ${T[$set:1:$tls]})
    for label in "2:leg 2  (our scp)" "2w:leg 2w (our scp, warm)" "3:leg 3  (our store)" "3x:leg 3  (our store, start-up excluded)" "2d:leg 2  vs leg 1, both durable (storescp + fsync of its files)" "2wd:leg 2w vs leg 1, both durable" "2s:leg 2  vs leg 1s, both ack durable files" "2ws:leg 2w vs leg 1s, both ack durable files"; do
      leg=${label%%:*}; label=${label#*:}
      case $leg in
        3x) [[ -n "$base" && -n "${TX[$set:3:$tls]:-}" ]] || continue; ours=$(median ${TX[$set:3:$tls]}) ;;
        2s|2ws) [[ -n "${T[$set:1s:$tls]:-}" && -n "${T[$set:${leg%s}:$tls]:-}" ]] || continue
            base=$(median ${T[$set:1s:$tls]}); ours=$(median ${T[$set:${leg%s}:$tls]}) ;;
        2d|2wd) local l2=${leg%d}
            [[ -n "${TD[$set:1:$tls]:-}" && -n "${TD[$set:$l2:$tls]:-}" ]] || continue
            base=$(median ${TD[$set:1:$tls]}); ours=$(median ${TD[$set:$l2:$tls]}) ;;
        *) [[ -n "$base" && -n "${T[$set:$leg:$tls]:-}" ]] || continue; ours=$(median ${T[$set:$leg:$tls]}) ;;
      esac
      if awk -v o="$ours" 'BEGIN { exit !(o <= 0) }'; then
        printf '  %-5s %-62s %5s  %s\n' "$name" "$label" "n/a" "(the empty echo took longer than the whole store: noise)"
        continue
      fi
      ratio=$(awk -v b="$base" -v o="$ours" 'BEGIN { printf "%.2f", b / o }')
      printf '  %-5s %-62s %5s  %s\n' "$name" "$label" "$ratio" "$(awk -v r="$ratio" 'BEGIN { print (r >= 0.9 ? "meets target" : "BELOW target") }')"
    done
  done
}

# warm_up DIR PORT [storescu TLS args]: one C-STORE association with another image, then its file is removed.
warm_up() {
  local dir=$1 port=$2; shift 2
  storescu -aet BENCHSCU -aec GWSCP -R "$@" 127.0.0.1 "$port" "$WARM" >"$dir.warm.log" 2>&1 || { echo "network-bench: warm-up failed:" >&2; cat "$dir.warm.log" >&2; }
  find "$dir" -maxdepth 1 -type f -name '*.dcm' -delete
}

if [[ "$LEGS" == 1 ]]; then
  IN="$tmp/in"
  echo
  echo "== generating $N CT images 512x512x16-bit (bench/gen-ct.sh) ..."
  t0=$(now)
  VALIDATE=1 "$here/gen-ct.sh" "$N" "$IN" | sed 's/^/   /'
  echo "   in $(secs "$t0" "$(now)") s"
  BYTES=$(find "$IN" -type f -printf '%s\n' | awk '{ s += $1 } END { print s }')
  sets=(disk)
  if [[ "$RX_TMPFS" == 1 ]]; then
    if [[ -d /dev/shm ]] && (( $(df -Pk /dev/shm | awk 'NR == 2 { print $4 }') > BYTES / 1024 * 2 )); then
      shm="$(mktemp -d /dev/shm/network-bench.XXXXXX)"; sets+=(tmpfs)
    else
      echo "   /dev/shm missing or too small: the tmpfs legs are skipped"
    fi
  fi
  echo
  echo "== legs: $REPEAT round(s) x ${#sets[@]} receive dir(s) x 2 x ($LEG_LIST) legs (each run: a fresh receiver; disk = $tmp)"
  for (( round = 1; round <= REPEAT; round++ )); do
    wait_quiet
    for set in "${sets[@]}"; do
      for tls in 0 1; do
        for leg in $LEG_LIST; do
          [[ "$leg" == 1s && "$set" == tmpfs ]] && continue   # fsync is free on tmpfs: the same as leg 1
          run_leg "$set" "$leg" "$tls" "$round"
        done
      done
    done
  done
  for set in "${sets[@]}"; do print_table "$set"; done
fi

# ---- profile -------------------------------------------------------------------------------------------------------
if [[ "$PROFILE" == 1 ]]; then
  echo
  echo "== profile ($PROFILE_N images, receivers on tmpfs where available; single runs, so expect noise; load $(load))"
  pin="$tmp/profile-in"
  "$here/gen-ct.sh" "$PROFILE_N" "$pin" >/dev/null
  pbase=${shm:-$tmp}
  [[ -z "$pbase" ]] && pbase=$tmp
  echo "-- start-up: 3 runs each"
  for _ in 1 2 3; do
    t0=$(now); "${cli[@]}" --version >/dev/null; t1=$(now)
    start_storescp "$pbase/p-echo" 0
    t2=$(now); "${cli[@]}" dicom echo --port "$rx_port" --called-aet STORESCP >/dev/null; t3=$(now)
    t4=$(now); echoscu -aec STORESCP 127.0.0.1 "$rx_port"; t5=$(now)
    stop "$rx_pid"
    echo "   gatewayctl --version $(secs "$t0" "$t1") s; gatewayctl dicom echo $(secs "$t2" "$t3") s; echoscu $(secs "$t4" "$t5") s"
  done
  for pdu in $PROFILE_PDUS; do
    start_ourscp "$pbase/p-pdu-$pdu" 0 --max-pdu "$pdu"
    warm_up "$pbase/p-pdu-$pdu" "$rx_port"
    t0=$(now); storescu -aet BENCHSCU -aec GWSCP -R +sd 127.0.0.1 "$rx_port" "$pin" >/dev/null 2>&1 || true; t1=$(now)
    stop "$rx_pid" INT
    s=$(secs "$t0" "$t1")
    printf '   storescu -> our scp --max-pdu %-8s %6.3f s %7.1f images/s  received %s\n' "$pdu" "$s" "$(awk -v n="$PROFILE_N" -v s="$s" 'BEGIN { print n / s }')" "$(count_rx "$pbase/p-pdu-$pdu")"
    rm -rf "$pbase/p-pdu-$pdu"
  done
  for pdu in 16384 131072; do
    start_storescp "$pbase/p-spdu-$pdu" 0 -pdu "$pdu"
    t0=$(now); "${cli[@]}" dicom store --port "$rx_port" --called-aet STORESCP "$pin" >/dev/null 2>&1 || true; t1=$(now)
    t2=$(now); storescu -aet BENCHSCU -aec STORESCP -R +sd 127.0.0.1 "$rx_port" "$pin" >/dev/null 2>&1 || true; t3=$(now)
    stop "$rx_pid"
    printf '   storescp -pdu %-7s  our store %6.3f s   storescu %6.3f s   (received %s files, same names twice)\n' "$pdu" "$(secs "$t0" "$t1")" "$(secs "$t2" "$t3")" "$(count_rx "$pbase/p-spdu-$pdu")"
    rm -rf "$pbase/p-spdu-$pdu"
  done
  if command -v strace >/dev/null; then
    for who in scp store; do
      log="$tmp/strace-$who.txt"
      if [[ "$who" == scp ]]; then
        mkdir -p "$pbase/p-strace"
        rx_port=$(free_port)
        strace -f -c -o "$log" env --default-signal=INT "${cli[@]}" dicom scp --port "$rx_port" --aet GWSCP --out "$pbase/p-strace" >"$tmp/strace-scp.out" 2>&1 &
        spid=$!; PIDS+=("$spid")
        wait_listen "$spid" "$rx_port" || { echo "network-bench: scp under strace did not start" >&2; exit 1; }
        cpid=$(child_of "$spid"); PIDS+=("$cpid")
        warm_up "$pbase/p-strace" "$rx_port"
        storescu -aet BENCHSCU -aec GWSCP -R +sd 127.0.0.1 "$rx_port" "$pin" >/dev/null 2>&1 || true
        stop "$cpid" INT; stop "$spid"
        echo "-- strace -c -f of our scp receiving 1 (warm-up) + $PROFILE_N images from storescu (received $(count_rx "$pbase/p-strace")); most frequent calls, then the I/O ones:"
      else
        start_storescp "$pbase/p-strace2" 0
        strace -f -c -o "$log" "${cli[@]}" dicom store "$pin" --port "$rx_port" --called-aet STORESCP >/dev/null 2>&1 || true
        stop "$rx_pid"
        echo "-- strace -c -f of our store sending $PROFILE_N images to storescp (default -pdu 16384; received $(count_rx "$pbase/p-strace2")); most frequent calls, then the I/O ones:"
      fi
      sed -n '1,2p' "$log" | sed 's/^/   /'
      sed -n '3,$p' "$log" | grep -v -E '^-|total' | sort -k4,4 -g -r | head -8 | sed 's/^/   /'
      echo "   ..."
      grep -E ' (read|write|readv|writev|recvfrom|sendto|sendmsg|recvmsg|pread64|pwrite64|fsync|fdatasync|rename|openat|epoll_wait)$' "$log" | sed 's/^/   /'
      grep total "$log" | sed 's/^/   /'
      rm -rf "$pbase/p-strace" "$pbase/p-strace2"
    done
  fi
fi

# ---- 2 GiB C-STORE -------------------------------------------------------------------------------------------------
if [[ "$BIG" == 1 ]]; then
  echo
  npix=$(( 512 * 512 * 2 * FRAMES ))
  if (( npix >= 0xFFFFFFFF )); then echo "network-bench: FRAMES=$FRAMES makes the Pixel Data longer than a 32-bit length" >&2; exit 1; fi
  wait_quiet
  big="$tmp/big/big.dcm"; mkdir -p "$tmp/big"
  echo "== big instance: 512x512x16-bit x $FRAMES frames = $npix bytes of Pixel Data (zeros)"
  cat >"$tmp/big/header.dump" <<EOF
(0008,0005) CS [ISO_IR 100]
(0008,0008) CS [DERIVED\\SECONDARY]
(0008,0016) UI [1.2.840.10008.5.1.4.1.1.7.3]
(0008,0018) UI [2.25.5829710322446001958124379121931441.3.1]
(0008,0020) DA [20250101]
(0008,0030) TM [120000]
(0008,0050) SH [A0001]
(0008,0060) CS [OT]
(0008,0064) CS [WSD]
(0008,0090) PN [REFERRING^DOCTOR]
(0010,0010) PN [SYNTH^BIG]
(0010,0020) LO [BIG00001]
(0010,0030) DA [19700101]
(0010,0040) CS [O]
(0020,000d) UI [2.25.5829710322446001958124379121931441.1.1]
(0020,000e) UI [2.25.5829710322446001958124379121931441.2.1]
(0020,0010) SH [1]
(0020,0011) IS [1]
(0020,0013) IS [1]
(0028,0002) US 1
(0028,0004) CS [MONOCHROME2]
(0028,0008) IS [$FRAMES]
(0028,0009) AT (0018,2005)
(0028,0010) US 512
(0028,0011) US 512
(0028,0100) US 16
(0028,0101) US 16
(0028,0102) US 15
(0028,0103) US 0
EOF
  dump2dcm -q +te "$tmp/big/header.dump" "$big"
  # (7FE0,0010) OW: tag, VR, 2 reserved bytes, 32-bit little-endian length = the explicit VR LE element header.
  le32() { printf '\\x%02x\\x%02x\\x%02x\\x%02x' $(( $1 & 255 )) $(( ($1 >> 8) & 255 )) $(( ($1 >> 16) & 255 )) $(( ($1 >> 24) & 255 )); }
  printf '\xe0\x7f\x10\x00OW\x00\x00' >>"$big"
  # shellcheck disable=SC2059
  printf "$(le32 "$npix")" >>"$big"
  t0=$(now); head -c "$npix" /dev/zero >>"$big"; t1=$(now)
  bigsize=$(stat -c %s "$big")
  echo "   $bigsize bytes ($(awk -v b="$bigsize" 'BEGIN { printf "%.3f GiB", b / 1073741824 }')) written in $(secs "$t0" "$t1") s"
  dcmdump -M "$big" | grep -q "(7fe0,0010) OW (not loaded) *# $npix," || { echo "network-bench: dcmdump does not see a $npix-byte Pixel Data in the input" >&2; exit 1; }
  # The data set starts after the File Meta Information: 132 + 12 + (0002,0000) value.
  dataset_offset() { echo $(( 144 + $(od -An -t u4 -j 140 -N 4 "$1" | tr -d ' ') )); }
  inoff=$(dataset_offset "$big")
  insetlen=$(( bigsize - inoff ))
  echo "   data set: $insetlen bytes from offset $inoff"
  max_rss_kb() { awk -F': ' '/Maximum resident set size/ { print $2 }' "$1"; }
  mb() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
  big_rows=()
  # verify_big FILE: Pixel Data length and the data set bytes identical to the input's.
  verify_big() {
    local f=$1 off len
    if [[ ! -f "$f" ]]; then echo "   CHECK FAILED: nothing received" >&2; failures=$(( failures + 1 )); return 1; fi
    off=$(dataset_offset "$f"); len=$(( $(stat -c %s "$f") - off ))
    if dcmdump -M "$f" | grep -q "(7fe0,0010) OW (not loaded) *# $npix,"; then
      echo "   received $(stat -c %s "$f") bytes; dcmdump -M: Pixel Data OW length $npix"
    else
      echo "   CHECK FAILED: dcmdump -M does not show a $npix-byte Pixel Data" >&2; failures=$(( failures + 1 ))
    fi
    if [[ "$len" == "$insetlen" ]] && cmp -s <(tail -c "+$(( inoff + 1 ))" "$big") <(tail -c "+$(( off + 1 ))" "$f"); then
      echo "   data set: $len bytes, identical to the input's (cmp)"
    else
      echo "   CHECK FAILED: received data set $len bytes, differs from the input's $insetlen" >&2; failures=$(( failures + 1 ))
    fi
  }

  # A: storescu -> our scp, the scp under /usr/bin/time -v, stopped with SIGINT after the transfer.
  rx="$tmp/big/rx-ours"; mkdir -p "$rx"
  rx_port=$(free_port)
  env --default-signal=INT /usr/bin/time -v -o "$tmp/big/time-scp.txt" "${cli[@]}" dicom scp --port "$rx_port" --aet GWSCP --out "$rx" >"$rx.log" 2>&1 &
  tpid=$!; PIDS+=("$tpid")
  wait_listen "$tpid" "$rx_port" || { echo "network-bench: scp did not start:" >&2; cat "$rx.log" >&2; exit 1; }
  spid=$(child_of "$tpid"); PIDS+=("$spid")
  echo
  echo "-- storescu -> gatewayctl dicom scp (scp PID $spid under /usr/bin/time -v, port $rx_port)"
  sync
  t0=$(now)
  rc=0; /usr/bin/time -v -o "$tmp/big/time-storescu.txt" storescu -aet BENCHSCU -aec GWSCP -R 127.0.0.1 "$rx_port" "$big" >"$rx.scu.log" 2>&1 || rc=$?
  t1=$(now)
  stop "$spid" INT
  for _ in $(seq 100); do alive "$tpid" || break; sleep 0.05; done
  s=$(secs "$t0" "$t1")
  grep -E 'Maximum resident set size|Elapsed|Exit status' "$tmp/big/time-scp.txt" | sed 's/^\s*/   scp: /'
  scp_rss=$(max_rss_kb "$tmp/big/time-scp.txt")
  echo "   storescu exit $rc, $s s ($(awk -v b="$bigsize" -v s="$s" 'BEGIN { printf "%.1f", b / 1e6 / s }') MB/s, scp fsyncs the file before answering), storescu peak RSS $(mb "$(max_rss_kb "$tmp/big/time-storescu.txt")") MB"
  [[ "$rc" == 0 ]] || { sed 's/^/     | /' "$rx.scu.log" | tail -n 5; failures=$(( failures + 1 )); }
  verify_big "$rx/2.25.5829710322446001958124379121931441.3.1.dcm" || true
  big_rows+=("$(printf '%-40s %8.2f %8.1f %14s %10s' "storescu -> gatewayctl scp" "$s" "$(awk -v b="$bigsize" -v s="$s" 'BEGIN { print b / 1e6 / s }')" "$(mb "$scp_rss") (scp)" "$(mb "$(max_rss_kb "$tmp/big/time-storescu.txt")")")")
  rm -rf "$rx"

  # B: our store -> storescp +B (bit-preserving: streamed to the file), our sender under /usr/bin/time -v.
  rx="$tmp/big/rx-storescp"
  mkdir -p "$rx"
  rx_port=$(free_port)
  /usr/bin/time -v -o "$tmp/big/time-storescp.txt" storescp -aet STORESCP -dhl +B -od "$rx" "$rx_port" >"$rx.log" 2>&1 &
  tpid=$!; PIDS+=("$tpid")
  wait_listen "$tpid" "$rx_port" || { echo "network-bench: storescp did not start:" >&2; cat "$rx.log" >&2; exit 1; }
  spid=$(child_of "$tpid"); PIDS+=("$spid")
  echo
  echo "-- gatewayctl dicom store (under /usr/bin/time -v) -> storescp +B (port $rx_port)"
  sync
  t0=$(now)
  rc=0; /usr/bin/time -v -o "$tmp/big/time-store.txt" "${cli[@]}" dicom store --port "$rx_port" --calling-aet BENCHSCU --called-aet STORESCP --timeout 600 "$big" >"$rx.scu.log" 2>&1 || rc=$?
  t1=$(now)
  stop "$spid" TERM
  for _ in $(seq 100); do alive "$tpid" || break; sleep 0.05; done
  s=$(secs "$t0" "$t1")
  grep -E 'Maximum resident set size|Elapsed|Exit status' "$tmp/big/time-store.txt" | sed 's/^\s*/   store: /'
  store_rss=$(max_rss_kb "$tmp/big/time-store.txt")
  echo "   store exit $rc ($(tr '\n' ' ' <"$rx.scu.log")), $s s ($(awk -v b="$bigsize" -v s="$s" 'BEGIN { printf "%.1f", b / 1e6 / s }') MB/s, storescp does not fsync), storescp peak RSS $(mb "$(max_rss_kb "$tmp/big/time-storescp.txt")") MB"
  [[ "$rc" == 0 ]] || failures=$(( failures + 1 ))
  verify_big "$(find "$rx" -maxdepth 1 -type f | head -n 1)" || true
  big_rows+=("$(printf '%-40s %8.2f %8.1f %14s %10s' "gatewayctl store -> storescp +B" "$s" "$(awk -v b="$bigsize" -v s="$s" 'BEGIN { print b / 1e6 / s }')" "$(mb "$store_rss") (store)" "$(mb "$(max_rss_kb "$tmp/big/time-storescp.txt")")")")
  rm -rf "$rx"

  # C: the baseline, storescu -> storescp +B.
  rx="$tmp/big/rx-dcmtk"
  mkdir -p "$rx"
  rx_port=$(free_port)
  /usr/bin/time -v -o "$tmp/big/time-storescp2.txt" storescp -aet STORESCP -dhl +B -od "$rx" "$rx_port" >"$rx.log" 2>&1 &
  tpid=$!; PIDS+=("$tpid")
  wait_listen "$tpid" "$rx_port" || { echo "network-bench: storescp did not start:" >&2; cat "$rx.log" >&2; exit 1; }
  spid=$(child_of "$tpid"); PIDS+=("$spid")
  echo
  echo "-- baseline: storescu -> storescp +B (port $rx_port)"
  sync
  t0=$(now)
  rc=0; /usr/bin/time -v -o "$tmp/big/time-storescu2.txt" storescu -aet BENCHSCU -aec STORESCP -R 127.0.0.1 "$rx_port" "$big" >"$rx.scu.log" 2>&1 || rc=$?
  t1=$(now)
  stop "$spid" TERM
  for _ in $(seq 100); do alive "$tpid" || break; sleep 0.05; done
  s=$(secs "$t0" "$t1")
  t2=$(now); find "$rx" -maxdepth 1 -type f -exec sync {} +; t3=$(now)
  echo "   storescu exit $rc, $s s ($(awk -v b="$bigsize" -v s="$s" 'BEGIN { printf "%.1f", b / 1e6 / s }') MB/s; fsync of the received file afterwards: $(secs "$t2" "$t3") s), storescu peak RSS $(mb "$(max_rss_kb "$tmp/big/time-storescu2.txt")") MB, storescp $(mb "$(max_rss_kb "$tmp/big/time-storescp2.txt")") MB"
  [[ "$rc" == 0 ]] || failures=$(( failures + 1 ))
  verify_big "$(find "$rx" -maxdepth 1 -type f | head -n 1)" || true
  big_rows+=("$(printf '%-40s %8.2f %8.1f %14s %10s' "storescu -> storescp +B (baseline)" "$s" "$(awk -v b="$bigsize" -v s="$s" 'BEGIN { print b / 1e6 / s }')" "-" "$(mb "$(max_rss_kb "$tmp/big/time-storescp2.txt")") (scp)")")
  rm -rf "$rx"

  echo
  echo "== big instance results: $bigsize bytes, peak RSS in MB (1 MB = 1024 KiB, as /usr/bin/time reports KiB)"
  printf '%-40s %8s %8s %14s %10s\n' "leg" "seconds" "MB/s" "our peak RSS" "DCMTK RSS"  # DCMTK RSS: the storescu/storescp on the other end
  printf '%s\n' "${big_rows[@]}"
  for pair in "scp:$scp_rss" "store:$store_rss"; do
    who=${pair%%:*}; kb=${pair#*:}
    if (( kb < LIMIT_MB * 1024 )); then
      echo "gatewayctl $who: peak RSS $(mb "$kb") MB < $LIMIT_MB MB: OK"
    else
      echo "gatewayctl $who: peak RSS $(mb "$kb") MB >= $LIMIT_MB MB: OVER THE TARGET"; failures=$(( failures + 1 ))
    fi
  done
fi

echo
echo "== done $(date -u '+%Y-%m-%dT%H:%M:%SZ'), load average $(load); checks failed: $failures"
exit $(( failures > 0 ))
