#!/usr/bin/env bash
# bench/gateway-bench.sh [N] - store-and-forward throughput of the gateway against DCMTK, in one run.
#
# Legs (N synthetic 512x512 16-bit CT images from bench/gen-ct.sh; fresh receiver and gateway for each):
#   direct      storescu -> storescp                                        (the baseline)
#   durable     storescu -> storescp fsyncing each file before its response  (the baseline that also keeps its word)
#   gateway     storescu -> gateway VLAN leg (plain) -> encrypted archive -> forwarder over TLS -> storescp +tls
# each with 1 and with 4 concurrent storescu (the files split in 4). For the gateway leg it reports the ingest time
# (until the last storescu got its last Success: every instance then durable in the archive and audited) and the
# time until the last instance was delivered to storescp. Targets (issue 6): ingest images/s >= 0.8 x direct, last
# delivery <= 1.5 x direct.
#
# Knobs: N=500, WORKDIR=/tmp, KEEP=1 keeps the temporary directory, PORT=31112 (first port tried).
# Every process it starts is stopped by PID. TCP_NODELAY=1 is exported for DCMTK.
set -euo pipefail

N="${1:-${N:-500}}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export TCP_NODELAY=1
tmp="$(mktemp -d "${WORKDIR:-/tmp}/gateway-bench.XXXXXX")"
pids=()
cleanup() {
  local p
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  [[ "${KEEP:-0}" == 1 ]] || rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

next_port=${PORT:-31112}
# Sets FREE to a port nothing listens on (not in a subshell: the counter must advance).
free_port() {
  while ss -Hltn "sport = :$next_port" | grep -q .; do next_port=$((next_port + 1)); done
  FREE=$next_port
  next_port=$((next_port + 1))
}
wait_listen() {
  local port=$1 i
  for i in $(seq 300); do ss -Hltn "sport = :$port" | grep -q . && return 0; sleep 0.1; done
  echo "nothing listens on $port" >&2
  return 1
}
now() { date +%s.%N; }
count() { find "$1" -type f -name '*.dcm' -o -type f -name 'CT.*' 2>/dev/null | wc -l; }

echo "== gateway-bench $(date -u +%FT%TZ): N=$N, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), git $(git -C "$root" rev-parse --short HEAD)"
# A private build of the gateway, made before anything is timed.
dotnet build "$root/src/Gateway.Host/Gateway.Host.csproj" -c Release -o "$tmp/gateway" --artifacts-path "$tmp/artifacts" -nologo -v q >"$tmp/build.log" 2>&1 \
  || { cat "$tmp/build.log" >&2; exit 1; }
bash "$root/bench/gen-ct.sh" "$N" "$tmp/ct" >/dev/null
for i in 0 1 2 3; do mkdir -p "$tmp/split/$i"; done
i=0
for f in "$tmp"/ct/*.dcm; do ln -s "$f" "$tmp/split/$((i % 4))/"; i=$((i + 1)); done

send() { # send PORT CALLED SENDERS
  local port=$1 called=$2 senders=$3 s spids=()
  if ((senders == 1)); then
    storescu -aet BENCH -aec "$called" +sd 127.0.0.1 "$port" "$tmp/ct" >/dev/null 2>&1
  else
    for s in $(seq 0 $((senders - 1))); do
      storescu -aet BENCH -aec "$called" +sd 127.0.0.1 "$port" "$tmp/split/$s" >/dev/null 2>&1 &
      spids+=($!)
    done
    for s in "${spids[@]}"; do wait "$s"; done
  fi
}

printf '%-40s %10s %10s %14s %12s\n' leg "ingest s" "images/s" "delivered s" "received"
declare -A result
for senders in 1 4; do
  # direct
  free_port; port=$FREE; rx="$tmp/rx-direct-$senders"; mkdir -p "$rx"
  storescp -aet PACS -od "$rx" "$port" >/dev/null 2>&1 & pids+=($!); scp=$!
  wait_listen "$port"
  t0=$(now); send "$port" PACS "$senders"; t1=$(now)
  kill "$scp" || true; wait "$scp" 2>/dev/null || true
  d=$(echo "$t1 - $t0" | bc -l)
  result[direct-$senders]=$d
  printf '%-40s %10.3f %10.1f %14.3f %12s\n' "direct storescu x$senders -> storescp" "$d" "$(echo "$N / $d" | bc -l)" "$d" "$(count "$rx")/$N"

  # direct, durable: storescp makes each file durable before its response (fdatasync through sync(1), run
  # synchronously by --exec-on-reception --exec-sync), as the gateway does for every instance it acknowledges.
  free_port; port=$FREE; rx="$tmp/rx-durable-$senders"; mkdir -p "$rx"
  storescp -aet PACS -od "$rx" -xcr "sync --data #p/#f" -xs "$port" >/dev/null 2>&1 & pids+=($!); scp=$!
  wait_listen "$port"
  t0=$(now); send "$port" PACS "$senders"; t1=$(now)
  kill "$scp" || true; wait "$scp" 2>/dev/null || true
  d=$(echo "$t1 - $t0" | bc -l)
  result[durable-$senders]=$d
  printf '%-40s %10.3f %10.1f %14.3f %12s\n' "durable storescu x$senders -> storescp+sync" "$d" "$(echo "$N / $d" | bc -l)" "$d" "$(count "$rx")/$N"

  # through the gateway
  work="$tmp/gw-$senders"; mkdir -p "$work/policies" "$tmp/rx-gw-$senders"
  cat >"$work/policies/bench.yaml" <<POLICY
version: 1
mode: enforce
timezone: UTC
zones:
  - name: bench-vlan
    kind: device
    networks: [127.0.0.0/8]
peers:
  - name: bench
    zone: bench-vlan
    ae-titles: [BENCH]
    addresses: [127.0.0.1]
services:
  - name: pacs
    kind: pacs
    ae-title: GATEWAY
flows:
  - name: bench-store
    from: bench
    to: pacs
    operations: [echo, store]
    sop-classes: [ct]
POLICY
  # The development PKI is generated by the gateway on first start; storescp needs it first.
  free_port; dotnet "$tmp/gateway/gateway.dll" --Gateway:Vlan:Port=0 --Gateway:Clinical:Enabled=false --Gateway:Https:Port="$FREE" \
    --Gateway:PolicyDirectory="$work/policies" --Gateway:DataDirectory="$work/data" --Gateway:Tls:DevelopmentPkiDirectory="$work/certs" \
    >/dev/null 2>&1 & pkipid=$!
  for _ in $(seq 300); do [[ -f "$work/certs/gateway.key" ]] && break; sleep 0.1; done
  kill "$pkipid" 2>/dev/null || true; wait "$pkipid" 2>/dev/null || true
  rm -rf "$work/data"
  free_port; pport=$FREE
  storescp -aet PACS -od "$tmp/rx-gw-$senders" +tls "$work/certs/gateway.key" "$work/certs/gateway.crt" +cf "$work/certs/ca.crt" "$pport" >/dev/null 2>&1 & pids+=($!); scp=$!
  wait_listen "$pport"
  free_port; vport=$FREE; free_port; hport=$FREE
  (cd "$work" && exec dotnet "$tmp/gateway/gateway.dll" --Gateway:Vlan:Port="$vport" --Gateway:Clinical:Enabled=false --Gateway:Https:Port="$hport" \
    --Gateway:PolicyDirectory="$work/policies" --Gateway:DataDirectory="$work/data" --Gateway:Tls:DevelopmentPkiDirectory="$work/certs" \
    --Gateway:Upstreams:Pacs:AETitle=PACS --Gateway:Upstreams:Pacs:Host=127.0.0.1 --Gateway:Upstreams:Pacs:Port="$pport" \
    --Gateway:Routing:ForwardTo:0=Pacs >"$work/gateway.log" 2>&1) & pids+=($!); gw=$!
  wait_listen "$vport"
  t0=$(now); send "$vport" GATEWAY "$senders"; t1=$(now)
  for _ in $(seq 6000); do (( $(count "$tmp/rx-gw-$senders") >= N )) && break; sleep 0.05; done
  t2=$(now)
  kill "$gw" "$scp" || true; wait "$gw" 2>/dev/null || true; wait "$scp" 2>/dev/null || true
  ingest=$(echo "$t1 - $t0" | bc -l); delivered=$(echo "$t2 - $t0" | bc -l)
  result[ingest-$senders]=$ingest; result[delivered-$senders]=$delivered
  printf '%-40s %10.3f %10.1f %14.3f %12s\n' "storescu x$senders -> gateway -> TLS -> storescp" "$ingest" "$(echo "$N / $ingest" | bc -l)" "$delivered" "$(count "$tmp/rx-gw-$senders")/$N"
done

echo "ratios (targets: ingest >= 0.80 of direct images/s, last delivery <= 1.50 x direct time):"
for senders in 1 4; do
  printf '  %d sender(s): ingest %.2f of direct, last delivery %.2f x direct\n' "$senders" \
    "$(echo "${result[direct-$senders]} / ${result[ingest-$senders]}" | bc -l)" \
    "$(echo "${result[delivered-$senders]} / ${result[direct-$senders]}" | bc -l)"
done
echo "against the durable baseline (storescp fsyncing each file before its response, as acknowledged-means-durable requires):"
for senders in 1 4; do
  printf '  %d sender(s): ingest %.2f of durable direct, last delivery %.2f x durable direct\n' "$senders" \
    "$(echo "${result[durable-$senders]} / ${result[ingest-$senders]}" | bc -l)" \
    "$(echo "${result[delivered-$senders]} / ${result[durable-$senders]}" | bc -l)"
done
echo "== done $(date -u +%FT%TZ), load $(cut -d' ' -f1-3 /proc/loadavg)"
