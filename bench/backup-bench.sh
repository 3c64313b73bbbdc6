#!/usr/bin/env bash
# bench/backup-bench.sh [N] - snapshot and restore of a gateway's data directory against restic, in one run.
#
# A gateway (private Release build) receives N synthetic 512x512 16-bit CT images from bench/gen-ct.sh over its VLAN
# leg (storescu), so its data directory holds a real encrypted archive (~0.53 MB per image: N=2000 is ~1 GB), its index
# and its audit log. The gateway is then stopped and the same data directory is backed up by:
#   gatewayctl backup snapshot (first, then incremental of the unchanged archive), gatewayctl backup restore (every file
#   checked against the signed manifest, every object's GCM tags and the audit chain verified), gatewayctl backup drill;
#   restic backup (first, then incremental), restic restore (to a fresh directory), and restic restore --verify followed
#   by sync (what gatewayctl's restore also does: restored bytes read back and checked, and durable before it returns).
# Each timed step starts with the page cache dropped when the kernel allows it (root, not in every container).
# Targets (issue 8): snapshot and restore at least as fast as restic, incremental snapshot < 2 s.
#
# Knobs: N=2000, WORKDIR=/tmp, KEEP=1 keeps the temporary directory, PORT=32112 (first port tried).
# Installs restic with apt-get when it is missing. Every process it starts is stopped by PID.
set -euo pipefail

N="${1:-${N:-2000}}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$root/bench/lib.sh"   # wrapper_build
tmp="$(mktemp -d "${WORKDIR:-/tmp}/backup-bench.XXXXXX")"
pids=()
cleanup() {
  local p
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  if [[ "${KEEP:-0}" != 1 ]]; then
    chattr -R -i "$tmp" 2>/dev/null || true
    rm -rf "$tmp"
  fi
}
trap cleanup EXIT INT TERM

command -v restic >/dev/null || { apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq restic >/dev/null; }
command -v storescu >/dev/null || { echo "storescu not found (apt-get install dcmtk)" >&2; exit 1; }

port=${PORT:-32112}
free_port() { while ss -Hltn "sport = :$port" | grep -q .; do port=$((port + 1)); done; FREE=$port; port=$((port + 1)); }
wait_listen() { local i; for i in $(seq 600); do ss -Hltn "sport = :$1" | grep -q . && return 0; sleep 0.1; done; echo "nothing listens on $1" >&2; return 1; }
drop_caches() { sync; echo 3 >/proc/sys/vm/drop_caches 2>/dev/null || true; }
now() { date +%s.%N; }
declare -A t
timed() { # timed NAME COMMAND... : runs with a cold cache, records seconds in t[NAME]
  local name=$1; shift
  drop_caches
  local t0; t0=$(now)
  "$@" >"$tmp/$name.log" 2>&1 || { echo "$name failed:" >&2; cat "$tmp/$name.log" >&2; exit 1; }
  t[$name]=$(echo "$(now) - $t0" | bc -l)
}

echo "== backup-bench $(date -u +%FT%TZ): N=$N, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $(restic version | head -1), git $(git -C "$root" rev-parse --short HEAD)"
wrapper_build gateway "$tmp/gateway"
wrapper_build gatewayctl "$tmp/ctl"
ctl() { dotnet "$tmp/ctl/gatewayctl.dll" "$@"; }
bash "$root/bench/gen-ct.sh" "$N" "$tmp/ct" >/dev/null

# ---- a gateway's data directory with N archived images --------------------------------------------------------------
work="$tmp/site"; mkdir -p "$work/policies"
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
free_port; vport=$FREE; free_port; hport=$FREE
(cd "$work" && exec dotnet "$tmp/gateway/gateway.dll" --Gateway:Vlan:Port="$vport" --Gateway:Clinical:Enabled=false --Gateway:Https:Port="$hport" \
  --Gateway:PolicyDirectory="$work/policies" --Gateway:DataDirectory="$work/data" --Gateway:Tls:DevelopmentPkiDirectory="$work/certs" >"$work/gateway.log" 2>&1) & pids+=($!); gw=$!
wait_listen "$vport"
storescu -aet BENCH -aec GATEWAY +sd 127.0.0.1 "$vport" "$tmp/ct" >"$tmp/storescu.log" 2>&1
kill "$gw"; wait "$gw" 2>/dev/null || true
data="$work/data"
objects=$(find "$data/archive/objects" -name '*.obj' | wc -l)
bytes=$(du -sb "$data" | cut -f1)
echo "data directory: $objects archived objects, $(echo "$bytes / 1048576" | bc) MiB ($(du -sb "$data/archive/objects" | cut -f1) bytes of objects)"

# ---- gatewayctl ---------------------------------------------------------------------------------------------------
repo="$tmp/repo-gw"
timed gw-first ctl backup snapshot --data "$data" --repo "$repo" --policy "$work/policies"
timed gw-incr ctl backup snapshot --data "$data" --repo "$repo" --policy "$work/policies"
timed gw-restore ctl backup restore --repo "$repo" --to "$tmp/restore-gw" --key-dir "$data/keys" --data "$data"
timed gw-drill ctl backup drill --data "$data" --repo "$repo" --scratch "$tmp" --sample 5
rto=$(grep -o 'RTO [0-9.]* s' "$tmp/gw-drill.log" | head -1)

# ---- restic --------------------------------------------------------------------------------------------------------
export RESTIC_REPOSITORY="$tmp/repo-restic" RESTIC_PASSWORD=bench RESTIC_CACHE_DIR="$tmp/restic-cache"
restic init >/dev/null
timed restic-first restic backup "$data"
timed restic-incr restic backup "$data"
timed restic-restore restic restore latest --target "$tmp/restore-restic"
# What gatewayctl's restore also promises: the restored bytes read back and checked, and durable before it returns.
timed restic-restore-checked bash -c 'restic restore latest --verify --target "$1" && sync -f "$1"' _ "$tmp/restore-restic-checked"

printf '\n%-44s %12s %12s\n' step gatewayctl restic
printf '%-44s %12.2f %12.2f\n' "first snapshot (s)" "${t[gw-first]}" "${t[restic-first]}"
printf '%-44s %12.2f %12.2f\n' "incremental, archive unchanged (s)" "${t[gw-incr]}" "${t[restic-incr]}"
printf '%-44s %12.2f %12.2f\n' "full restore (s)" "${t[gw-restore]}" "${t[restic-restore]}"
printf '%-44s %12s %12.2f\n' "  restic restore --verify, then sync (s)" "" "${t[restic-restore-checked]}"
printf '%-44s %12s %12s\n' "repository size (MiB)" "$(( $(du -sb "$repo" | cut -f1) / 1048576 ))" "$(( $(du -sb "$tmp/repo-restic" | cut -f1) / 1048576 ))"
printf 'drill (restore, serve, C-FIND + C-GET of 5 studies): %.2f s wall, %s\n' "${t[gw-drill]}" "$rto"
grep -h '^snapshot \|^restored \|^drill ' "$tmp"/gw-*.log | sed 's/^/  gatewayctl: /'
echo "targets: snapshot $(echo "${t[gw-first]} <= ${t[restic-first]}" | bc) restore $(echo "${t[gw-restore]} <= ${t[restic-restore]}" | bc) (against restore --verify + sync: $(echo "${t[gw-restore]} <= ${t[restic-restore-checked]}" | bc)) incremental<2s $(echo "${t[gw-incr]} < 2" | bc) (1 = met)"
echo "== done $(date -u +%FT%TZ), load $(cut -d' ' -f1-3 /proc/loadavg)"
