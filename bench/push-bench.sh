#!/usr/bin/env bash
# bench/push-bench.sh [N] [M] - pushes to a VLAN device, and live ingest with and without prefetch running, in one run.
#
# Legs (N synthetic 512x512 16-bit CT images from bench/gen-ct.sh; a fresh gateway for each gateway leg):
#   direct       storescu -> storescp                                              (the baseline)
#   push         storescu +tls -> gateway clinical leg, called AE REVIEW1 -> encrypted archive -> plain -> storescp REVIEW1
#   live         storescu -> gateway VLAN leg (archived, audited, not forwarded)
#   live+prefetch the same, started once prefetch is moving M priors of a scheduled patient from Orthanc (plain DIMSE)
#                through the archive to storescp REVIEW1; reports when the last prior arrived
# The push leg reports ingest (until storescu's last Success) and last delivery; the live legs report ingest only, so
# that "live+prefetch" against "live" shows what prefetch costs live C-STOREs.
#
# Knobs: N=200, M=100, WORKDIR=/tmp, KEEP=1 keeps the temporary directory, PORT=32112 (first port tried).
# Every process it starts is stopped by PID. TCP_NODELAY=1 is exported for DCMTK.
set -euo pipefail

N="${1:-${N:-200}}"
M="${2:-${M:-100}}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export TCP_NODELAY=1
source "$root/bench/lib.sh"
bench_init push-bench 32112
now() { date +%s.%N; }
count() { find "$1" -type f 2>/dev/null | wc -l; }
wait_count() { # DIR COUNT: waits (at most 300 s) until DIR holds COUNT files
  local i
  for i in $(seq 6000); do (( $(count "$1") >= $2 )) && return 0; sleep 0.05; done
  return 1
}

echo "== push-bench $(date -u +%FT%TZ): N=$N M=$M, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), git $(git -C "$root" rev-parse --short HEAD)"
wrapper_build gateway "$tmp/gateway"
bash "$root/bench/gen-ct.sh" "$N" "$tmp/ct" >/dev/null
PATIENT_PREFIX=PRIOR PER_SERIES="$M" bash "$root/bench/gen-ct.sh" "$M" "$tmp/prior" >/dev/null

cat >"$tmp/policy.yaml" <<'POLICY'
version: 1
mode: enforce
timezone: UTC
zones:
  - name: bench-vlan
    kind: device
    networks: [127.0.0.0/8]
  - name: bench-clinical
    kind: clinical
    networks: [127.0.0.0/8]
peers:
  - name: modality
    zone: bench-vlan
    ae-titles: [BENCH]
    addresses: [127.0.0.1]
  - name: review-station
    zone: bench-vlan
    ae-titles: [REVIEW1]
    addresses: [127.0.0.1]
  - name: workstation
    zone: bench-clinical
    ae-titles: [WS1]
    addresses: [127.0.0.1]
services:
  - name: pacs
    kind: pacs
    ae-title: GATEWAY
  - name: ris
    kind: worklist
    ae-title: GW_MWL
  - name: review1
    kind: pacs
    ae-title: REVIEW1
flows:
  - name: modality-store
    from: modality
    to: pacs
    operations: [echo, store]
    sop-classes: [ct]
  - name: workstation-push
    from: workstation
    to: review1
    operations: [echo, store]
    sop-classes: [ct]
  - name: review-priors
    from: review-station
    to: pacs
    operations: [find, move]
    sop-classes: [ct]
    move-destinations: [review-station]
POLICY

# start_gateway NAME [--Key=Value ...]: a fresh gateway in $tmp/NAME; sets VPORT, CPORT, GW (pid).
start_gateway() {
  local name=$1 work="$tmp/$1"
  shift
  mkdir -p "$work/policies"
  cp "$tmp/policy.yaml" "$work/policies/"
  free_port; VPORT=$FREE; free_port; CPORT=$FREE; free_port; local hport=$FREE
  (cd "$work" && exec dotnet "$tmp/gateway/gateway.dll" --Gateway:Vlan:Port="$VPORT" --Gateway:Clinical:Port="$CPORT" --Gateway:Https:Port="$hport" \
    --Gateway:PolicyDirectory="$work/policies" --Gateway:DataDirectory="$work/data" --Gateway:Tls:DevelopmentPkiDirectory="$work/certs" \
    "$@" >"$work/gateway.log" 2>&1) & pids+=($!); GW=$!
  wait_listen "$VPORT"
}
stop() { kill "$@" 2>/dev/null || true; for p in "$@"; do wait "$p" 2>/dev/null || true; done; }

printf '%-58s %10s %10s %14s %10s\n' leg "ingest s" "images/s" "delivered s" "received"

# direct
free_port; port=$FREE; mkdir -p "$tmp/rx-direct"
storescp -aet REVIEW1 -od "$tmp/rx-direct" "$port" >/dev/null 2>&1 & pids+=($!); scp=$!
wait_listen "$port"
t0=$(now); storescu -aet WS1 -aec REVIEW1 +sd 127.0.0.1 "$port" "$tmp/ct" >/dev/null 2>&1; t1=$(now)
stop "$scp"
d=$(echo "$t1 - $t0" | bc -l)
printf '%-58s %10.3f %10.1f %14.3f %10s\n' "direct storescu -> storescp" "$d" "$(echo "$N / $d" | bc -l)" "$d" "$(count "$tmp/rx-direct")/$N"

# push over TLS through the gateway
free_port; dport=$FREE; mkdir -p "$tmp/rx-push"
storescp -aet REVIEW1 -od "$tmp/rx-push" "$dport" >/dev/null 2>&1 & pids+=($!); scp=$!
wait_listen "$dport"
start_gateway push --Gateway:Devices:REVIEW1:Host=127.0.0.1 --Gateway:Devices:REVIEW1:Port="$dport"
certs="$tmp/push/certs"
t0=$(now)
storescu -aet WS1 -aec REVIEW1 +tls "$certs/client.key" "$certs/client.crt" -pw +cf "$certs/ca.crt" +sd 127.0.0.1 "$CPORT" "$tmp/ct" >/dev/null 2>&1
t1=$(now); wait_count "$tmp/rx-push" "$N" || true; t2=$(now)
stop "$GW" "$scp"
printf '%-58s %10.3f %10.1f %14.3f %10s\n' "push storescu +tls -> gateway (REVIEW1) -> plain storescp" "$(echo "$t1 - $t0" | bc -l)" \
  "$(echo "$N / ($t1 - $t0)" | bc -l)" "$(echo "$t2 - $t0" | bc -l)" "$(count "$tmp/rx-push")/$N"

# live ingest alone
start_gateway live
t0=$(now); storescu -aet BENCH -aec GATEWAY +sd 127.0.0.1 "$VPORT" "$tmp/ct" >/dev/null 2>&1; t1=$(now)
stop "$GW"
live=$(echo "$t1 - $t0" | bc -l)
printf '%-58s %10.3f %10.1f %14s %10s\n' "live storescu -> gateway VLAN leg" "$live" "$(echo "$N / $live" | bc -l)" "-" "-"

# live ingest while prefetch moves M priors: Orthanc (PACS), wlmscpfs (RIS), storescp (REVIEW1)
free_port; ohttp=$FREE; free_port; odicom=$FREE; mkdir -p "$tmp/orthanc/db"
cat >"$tmp/orthanc/orthanc.json" <<JSON
{ "Name": "push-bench", "StorageDirectory": "$tmp/orthanc/db", "IndexDirectory": "$tmp/orthanc/db", "StorageCompression": false,
  "HttpPort": $ohttp, "RemoteAccessAllowed": false, "AuthenticationEnabled": false, "OrthancExplorerEnabled": false,
  "DicomAet": "PACS", "DicomPort": $odicom, "DicomCheckCalledAet": true, "DicomAlwaysAllowFind": true,
  "DicomAlwaysAllowGet": true, "DicomAlwaysAllowStore": true, "DicomScpTimeout": 60, "SaveJobs": false }
JSON
/usr/sbin/Orthanc "$tmp/orthanc/orthanc.json" >"$tmp/orthanc/log" 2>&1 & pids+=($!); orthanc=$!
wait_listen "$odicom"
storescu -aet BENCH -aec PACS +sd 127.0.0.1 "$odicom" "$tmp/prior" >/dev/null 2>&1
free_port; rport=$FREE; mkdir -p "$tmp/wl/RIS"; touch "$tmp/wl/RIS/lockfile"
when=$(date -d '+1 hour' +%Y%m%d%H%M%S)
cat >"$tmp/wl/item.dump" <<DUMP
(0008,0005) CS [ISO_IR 100]
(0008,0050) SH [ACCB1]
(0008,1110) SQ
(fffe,e0dd) -
(0008,1120) SQ
(fffe,e0dd) -
(0010,0010) PN [PRIOR^PATIENT]
(0010,0020) LO [PRIOR00001]
(0010,0030) DA [19700101]
(0010,0040) CS [O]
(0020,000d) UI [2.25.999000111222333444555666777888999]
(0032,1060) LO [CT CHEST]
(0040,0100) SQ
(fffe,e000) -
(0008,0060) CS [CT]
(0040,0001) AE [CTSCANNER1]
(0040,0002) DA [${when:0:8}]
(0040,0003) TM [${when:8:6}]
(0040,0007) LO [CT CHEST]
(0040,0009) SH [SPS1]
(fffe,e00d) -
(fffe,e0dd) -
(0040,1001) SH [RP1]
DUMP
dump2dcm -q +te "$tmp/wl/item.dump" "$tmp/wl/RIS/item.wl"
wlmscpfs -s -dfp "$tmp/wl" "$rport" >/dev/null 2>&1 & pids+=($!); ris=$!
wait_listen "$rport"
free_port; dport=$FREE; mkdir -p "$tmp/rx-prefetch"
storescp -aet REVIEW1 -od "$tmp/rx-prefetch" "$dport" >/dev/null 2>&1 & pids+=($!); scp=$!
wait_listen "$dport"
p0=$(now)
start_gateway prefetch --Gateway:Devices:REVIEW1:Host=127.0.0.1 --Gateway:Devices:REVIEW1:Port="$dport" \
  --Gateway:Upstreams:Pacs:AETitle=PACS --Gateway:Upstreams:Pacs:Host=127.0.0.1 --Gateway:Upstreams:Pacs:Port="$odicom" --Gateway:Upstreams:Pacs:Tls=false \
  --Gateway:Upstreams:Ris:AETitle=RIS --Gateway:Upstreams:Ris:Host=127.0.0.1 --Gateway:Upstreams:Ris:Port="$rport" --Gateway:Upstreams:Ris:Tls=false \
  --Gateway:Routing:QueryRetrieve=Pacs --Gateway:Routing:Worklist=Ris \
  --Gateway:Prefetch:Enabled=true --Gateway:Prefetch:Interval=00:00:05 --Gateway:Prefetch:LeadTime=02:00:00 --Gateway:Prefetch:MostRecent=1 \
  --Gateway:Prefetch:Destination=REVIEW1 --Gateway:Prefetch:Service=pacs --Gateway:Prefetch:WorklistService=ris
wait_count "$tmp/rx-prefetch" 1 || { echo "prefetch did not start; see $tmp/prefetch/gateway.log" >&2; KEEP=1; exit 1; }
before=$(count "$tmp/rx-prefetch")
t0=$(now); storescu -aet BENCH -aec GATEWAY +sd 127.0.0.1 "$VPORT" "$tmp/ct" >/dev/null 2>&1; t1=$(now)
during=$(( $(count "$tmp/rx-prefetch") - before ))
wait_count "$tmp/rx-prefetch" "$M" || true; p1=$(now)
stop "$GW" "$scp" "$ris" "$orthanc"
withp=$(echo "$t1 - $t0" | bc -l)
printf '%-58s %10.3f %10.1f %14s %10s\n' "live storescu -> gateway VLAN leg, prefetch running" "$withp" "$(echo "$N / $withp" | bc -l)" "-" "-"
printf '%-58s %10s %10s %14.3f %10s\n' "  prefetch of $M priors Orthanc -> gateway -> storescp" "-" "-" "$(echo "$p1 - $p0" | bc -l)" "$(count "$tmp/rx-prefetch")/$M"
printf '  priors delivered while the live storescu ran: %d; live ingest with prefetch / without: %.2f\n' "$during" "$(echo "$withp / $live" | bc -l)"
echo "== done $(date -u +%FT%TZ), load $(cut -d' ' -f1-3 /proc/loadavg)"
