# bench/lib.sh - sourced by the bench scripts that run real peers (gateway-bench, push-bench, dicomweb-bench, backup-bench,
# load-test). bench_init NAME DEFAULT_PORT makes the work directory $tmp (under WORKDIR, default /tmp; removed at exit
# unless KEEP=1), the list $pids of processes stopped by PID at exit, and the port counter free_port draws from (PORT
# overrides the first port tried). wrapper_build NAME DIR copies the build that ./NAME runs (./gateway, ./gatewayctl:
# ReadyToRun where it can be made, see scripts/run-built) into DIR, building it first when the sources changed, so that
# a bench times what operators run.

bench_init() {
  tmp="$(mktemp -d "${WORKDIR:-/tmp}/$1.XXXXXX")"
  pids=()
  next_port=${PORT:-$2}
  trap bench_cleanup EXIT INT TERM
}

bench_cleanup() {
  local p
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  [[ "${KEEP:-0}" == 1 ]] || rm -rf "$tmp"
}

# Sets FREE to a port nothing listens on (not in a subshell: the counter must advance).
free_port() {
  while ss -Hltn "sport = :$next_port" | grep -q .; do next_port=$((next_port + 1)); done
  FREE=$next_port
  next_port=$((next_port + 1))
}

# Waits up to 60 s for something to listen on PORT.
wait_listen() {
  local port=$1 i
  for i in $(seq 600); do ss -Hltn "sport = :$port" | grep -q . && return 0; sleep 0.1; done
  echo "nothing listens on $port" >&2
  return 1
}

# Copies .build/NAME (after ./NAME builds it if needed) to DIR, under the wrapper's lock so a concurrent rebuild cannot
# hand over a half-written build.
wrapper_build() {
  local name=$1 dir=$2
  "$root/$name" --version >/dev/null || { echo "$name: build failed (see $root/.build/$name.build.log)" >&2; return 1; }
  flock "$root/.build/$name.lock" cp -r "$root/.build/$name" "$dir"
}
