#!/usr/bin/env bash
# bench/load-test.sh [load|faults] - issue 9's load and fault run against a live gateway, Orthanc as the PACS.
#
#   load    DEVICES simulated modalities (default 16, each from its own address 127.0.1.N) store studies of STUDY
#           images at RATE images/s each and query their patient every third study, for DURATION seconds (default 600).
#           Reports: acknowledged vs delivered to Orthanc (nothing lost), C-STORE/C-FIND latency p50/p95/p99/max,
#           per-10 s windows, and the gateway's resident memory over time (flat or not).
#   faults  4 devices run throughout (DURATION default 240 s) while, in turn: Slowloris (200 connections from
#           127.0.0.2), an association flood (127.0.0.3), one oversized object (over the flow's max-object-size),
#           the PACS flapping (kill -9 / restart every 5 s), and kill -9 of the gateway in a loop (restarted each
#           time). The per-window latency shows what each phase did to the devices; at the end every acknowledged
#           instance must be in Orthanc, and the Security Alerts and warnings the gateway wrote are counted.
#           Disk full is not in this run (it needs a mount): Gateway.Host.Tests GatewayDiskFullTests fills a real tmpfs.
#
# Knobs: DEVICES, DURATION, RATE=5, STUDY=20, SIZE=256 (template CT rows = cols; 256 -> 128 KiB), WORKDIR=/tmp,
# KEEP=1 keeps the work directory, PORT=32112 (first port tried). Needs dcmtk, orthanc, curl, python3, bc.
# Every process it starts is stopped by PID.
set -euo pipefail

SCENARIO="${1:-load}"
[[ "$SCENARIO" == load || "$SCENARIO" == faults ]] || { echo "usage: $0 [load|faults]" >&2; exit 64; }
if [[ "$SCENARIO" == load ]]; then DEVICES="${DEVICES:-16}"; SECONDS_RUN="${DURATION:-600}"; else DEVICES="${DEVICES:-4}"; SECONDS_RUN="${DURATION:-240}"; fi
RATE="${RATE:-5}"; STUDY="${STUDY:-20}"; SIZE="${SIZE:-256}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export TCP_NODELAY=1
source "$root/bench/lib.sh"
bench_init load-test 32112

echo "== load-test $SCENARIO $(date -u +%FT%TZ): $DEVICES devices x $RATE images/s for $SECONDS_RUN s, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), git $(git -C "$root" rev-parse --short HEAD)"
wrapper_build gateway "$tmp/gateway"
wrapper_build gatewayctl "$tmp/ctl"
dotnet build "$root/bench/Gateway.LoadTest/Gateway.LoadTest.csproj" -c Release -o "$tmp/driver" --artifacts-path "$tmp/artifacts-driver" -nologo -v q >"$tmp/build.log" 2>&1 || { cat "$tmp/build.log" >&2; exit 1; }
ROWS=$SIZE COLS=$SIZE bash "$root/bench/gen-ct.sh" 1 "$tmp/template" >/dev/null
template=$(ls "$tmp"/template/*.dcm | head -1)
driver() { dotnet "$tmp/driver/Gateway.LoadTest.dll" "$@"; }

# The policy: the devices by AE title and their /24; a size limit for the oversize phase.
mkdir -p "$tmp/gw/policies"
{
  echo "version: 1"; echo "mode: enforce"; echo "timezone: UTC"
  echo "zones:"; echo "  - name: load-vlan"; echo "    kind: device"; echo "    networks: [127.0.0.0/8]"
  echo "peers:"; echo "  - name: devices"; echo "    zone: load-vlan"
  printf '    ae-titles: ['; for i in $(seq 1 "$DEVICES"); do printf 'DEV%02d%s' "$i" "$([[ $i -lt $DEVICES ]] && echo ', ')"; done; echo ']'
  echo "    addresses: [127.0.1.0/24]"
  echo "services:"; echo "  - name: pacs"; echo "    kind: pacs"; echo "    ae-title: GATEWAY"
  echo "flows:"; echo "  - name: devices-to-pacs"; echo "    from: devices"; echo "    to: pacs"
  echo "    operations: [echo, store, find]"; echo "    sop-classes: [ct]"; echo "    max-object-size: 2 MiB"
} >"$tmp/gw/policies/load.yaml"

free_port; vport=$FREE; free_port; hport=$FREE; free_port; ohttp=$FREE; free_port; odicom=$FREE
gw_args=(--Gateway:Vlan:Port="$vport" --Gateway:Clinical:Enabled=false --Gateway:Https:Port="$hport"
  --Gateway:PolicyDirectory="$tmp/gw/policies" --Gateway:DataDirectory="$tmp/gw/data" --Gateway:Tls:DevelopmentPkiDirectory="$tmp/gw/certs"
  --Gateway:Upstreams:Pacs:AETitle=PACS --Gateway:Upstreams:Pacs:Host=127.0.0.1 --Gateway:Upstreams:Pacs:Port="$odicom"
  --Gateway:Routing:ForwardTo:0=Pacs --Gateway:Routing:QueryRetrieve=Pacs)
gw=""
start_gateway() {
  (cd "$tmp/gw" && exec dotnet "$tmp/gateway/gateway.dll" "${gw_args[@]}" >>"$tmp/gw/gateway.log" 2>&1) & pids+=($!); gw=$!
  wait_listen "$vport"
}
# The development PKI comes from the gateway's first start; Orthanc needs it before.
start_gateway; kill "$gw"; wait "$gw" 2>/dev/null || true

mkdir -p "$tmp/orthanc/db"
cat >"$tmp/orthanc/orthanc.json" <<JSON
{ "Name": "load-test", "StorageDirectory": "$tmp/orthanc/db", "IndexDirectory": "$tmp/orthanc/db", "StorageCompression": false,
  "HttpPort": $ohttp, "RemoteAccessAllowed": false, "AuthenticationEnabled": false, "OrthancExplorerEnabled": false,
  "DicomAet": "PACS", "DicomPort": $odicom, "DicomCheckCalledAet": true, "DicomAlwaysAllowEcho": true,
  "DicomAlwaysAllowFind": true, "DicomAlwaysAllowStore": true, "DicomScpTimeout": 60, "SaveJobs": false,
  "DicomTlsEnabled": true, "DicomTlsCertificate": "$tmp/gw/certs/gateway.crt", "DicomTlsPrivateKey": "$tmp/gw/certs/gateway.key",
  "DicomTlsTrustedCertificates": "$tmp/gw/certs/ca.crt", "DicomTlsRemoteCertificateRequired": true }
JSON
orthanc=""
start_orthanc() { /usr/sbin/Orthanc "$tmp/orthanc/orthanc.json" >>"$tmp/orthanc/log" 2>&1 & pids+=($!); orthanc=$!; wait_listen "$odicom"; }
start_orthanc
start_gateway

# Resident memory of the gateway every 5 s (the PID changes when the fault phase restarts it).
( while sleep 5; do
    p=$(cat "$tmp/gw.pid" 2>/dev/null || echo "$gw"); r=$(awk '/VmRSS/ {print $2}' "/proc/$p/status" 2>/dev/null || echo 0)
    echo "$(date +%s) $r"
  done >"$tmp/rss.txt" ) & pids+=($!)
echo "$gw" >"$tmp/gw.pid"

driver devices --port "$vport" --devices "$DEVICES" --seconds "$SECONDS_RUN" --rate "$RATE" --study-size "$STUDY" \
  --template "$template" --source-network 127.0.1.0 --out "$tmp/run" >"$tmp/devices.out" 2>&1 & pids+=($!); devices=$!

if [[ "$SCENARIO" == faults ]]; then
  phase() { echo "-- $(date -u +%T) +$(( $(date +%s) - t0 )) s: $*"; }
  t0=$(date +%s)
  sleep 30
  phase "slowloris: 200 connections from 127.0.0.2 for 30 s"
  driver slowloris --port "$vport" --from 127.0.0.2 --connections 200 --seconds 30
  phase "flood: 16 loops associating from 127.0.0.3 for 30 s"
  driver flood --port "$vport" --from 127.0.0.3 --connections 16 --seconds 30
  phase "oversize: one 4 MiB CT from DEV01 (the flow allows 2 MiB)"
  driver oversize --port "$vport" --from 127.0.1.1 --ae-prefix DEV --bytes $((4 << 20)) --template "$template" \
    && echo "   refused, as it should be" || echo "   NOT refused"
  phase "PACS flapping: kill -9 and restart every 5 s, 6 times"
  for _ in 1 2 3 4 5 6; do kill -9 "$orthanc"; wait "$orthanc" 2>/dev/null || true; sleep 5; start_orthanc; sleep 5; done
  phase "gateway kill -9 loop: 4 times, 15 s apart"
  for _ in 1 2 3 4; do
    sleep 15; kill -9 "$gw"; wait "$gw" 2>/dev/null || true
    start_gateway; echo "$gw" >"$tmp/gw.pid"
  done
  phase "faults done; devices go on until the end"
fi

wait "$devices" || true
cat "$tmp/devices.out" | grep -v '^  *[0-9]* s: ' || true
acked=$(sort -u "$tmp/run/acked.txt" | wc -l)

# Nothing lost: wait for the outbox to drain into Orthanc, then compare.
count_orthanc() { curl -sf "http://127.0.0.1:$ohttp/statistics" | python3 -c 'import json,sys; print(json.load(sys.stdin)["CountInstances"])'; }
for _ in $(seq 600); do (( $(count_orthanc) >= acked )) && break; sleep 1; done
inorthanc=$(count_orthanc)
# Every acknowledged UID (or a sample of 1000) looked up in Orthanc by SOP Instance UID.
missing=0; checked=0
while read -r _ uid; do
  checked=$((checked + 1))
  curl -sf -X POST "http://127.0.0.1:$ohttp/tools/lookup" -d "$uid" | grep -q '"Instance"' || { missing=$((missing + 1)); echo "  not in Orthanc: $uid"; }
done < <(sort -u "$tmp/run/acked.txt" | shuf -n 1000)
echo "nothing lost: $acked acknowledged, $inorthanc in Orthanc; $checked acknowledged UIDs looked up, $missing missing"

# Memory: first minute, then the rest.
python3 - "$tmp/rss.txt" <<'PY'
import sys
rows = [tuple(map(int, l.split())) for l in open(sys.argv[1]) if l.strip() and l.split()[1] != "0"]
if len(rows) < 4:
    print("memory: too few samples"); sys.exit()
t0 = rows[0][0]
mb = lambda kb: kb / 1024
first = [r for t, r in rows if t - t0 <= 60]
half = [(t, r) for t, r in rows if t - t0 >= (rows[-1][0] - t0) / 2]
n = len(half); mt = sum(t for t, _ in half) / n; mr = sum(r for _, r in half) / n
slope = sum((t - mt) * (r - mr) for t, r in half) / max(1, sum((t - mt) ** 2 for t, _ in half))
print(f"memory (gateway RSS): first minute max {mb(max(first)):.0f} MB, overall max {mb(max(r for _, r in rows)):.0f} MB, "
      f"last {mb(rows[-1][1]):.0f} MB; second half trend {slope * 60 / 1024:+.1f} MB/min over {n} samples")
PY

# Stopped first: the gateway signs a checkpoint over its last records at shutdown, so verify sees a sealed log.
kill "$gw" 2>/dev/null || true; wait "$gw" 2>/dev/null || true
data="$tmp/gw/data"
alerts=$(dotnet "$tmp/ctl/gatewayctl.dll" audit search --dir "$data/audit" --event 110113 --format jsonl 2>/dev/null | wc -l || echo "?")
warnings=$(cat "$data"/logs/*.json 2>/dev/null | grep -c '"@l":"Warning"' || true)
echo "gateway: $alerts Security Alert records, $warnings warnings in its log; per-address refusals logged:"
grep -ho 'Connections from [0-9.]* refused: more than [0-9]* [a-z ]*' "$tmp/gw/gateway.log" | sort | uniq -c | sed 's/^/  /' || echo "  none"
if dotnet "$tmp/ctl/gatewayctl.dll" audit verify --dir "$data/audit" >"$tmp/verify.out" 2>&1; then echo "audit log verifies: $(tail -1 "$tmp/verify.out")"; else echo "AUDIT VERIFY FAILED:"; cat "$tmp/verify.out"; fi
echo "== done $(date -u +%FT%TZ), load $(cut -d' ' -f1-3 /proc/loadavg)"
[[ "$missing" == 0 && "$inorthanc" -ge "$acked" ]]
