#!/usr/bin/env bash
# bench/dicomweb-bench.sh [N] - DICOMweb through the gateway against Orthanc directly, in one run (issue 7).
#
#   WADO-RS   retrieve one study of N images (multipart/related; type="application/dicom"): through the gateway
#             (HTTPS, bearer token, policy, audit record, YARP to Orthanc) vs from Orthanc directly; median of 5.
#             Target: >= 0.9 of direct throughput.
#   QIDO-RS   200 searches for the study on one kept-alive connection each way; p50 of the per-request times.
#             Target: gateway p50 - direct p50 < 2 ms.
#   STOW-RS   N fresh images in one request: into the gateway (policy per instance, encrypted archive, audit record
#             per instance, all durable before the answer) vs into Orthanc directly. Target: >= 0.8 of direct.
#   ceilings  the same WADO-RS bytes over TLS with no upstream, from openssl s_server (OpenSSL alone) and from Kestrel
#             with the gateway's TLS settings (Gateway.LoadTest tls-serve: the gateway's web stack alone).
#
# Knobs: N=100, WARMUP=40 (gateway retrievals before the measured ones), WORKDIR=/tmp, KEEP=1 keeps the temporary directory, PORT=32112 (first port tried), GW_CURL="--http1.1"
# (extra curl options towards the gateway: curl negotiates HTTP/2 over TLS by default).
# Needs dcmtk, orthanc, orthanc-dicomweb, curl, openssl, python3. Every process it starts is stopped by PID.
set -euo pipefail

N="${1:-${N:-100}}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$root/bench/lib.sh"
bench_init dicomweb-bench 32112
median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

echo "== dicomweb-bench $(date -u +%FT%TZ): N=$N, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), git $(git -C "$root" rev-parse --short HEAD)"
wrapper_build gateway "$tmp/gateway"
wrapper_build gatewayctl "$tmp/cli"
dotnet build "$root/bench/Gateway.LoadTest/Gateway.LoadTest.csproj" -c Release -o "$tmp/loadtest" --artifacts-path "$tmp/artifacts-lt" -nologo -v q >"$tmp/build-lt.log" 2>&1 \
  || { cat "$tmp/build-lt.log" >&2; exit 1; }
PER_SERIES="$N" bash "$root/bench/gen-ct.sh" "$N" "$tmp/study" >/dev/null
PER_SERIES="$N" bash "$root/bench/gen-ct.sh" "$N" "$tmp/stow" >/dev/null

# Orthanc with its DICOMweb plugin: the origin, holding the study.
free_port; ohttp=$FREE; free_port; odicom=$FREE
mkdir -p "$tmp/orthanc/db"
cat >"$tmp/orthanc/orthanc.json" <<JSON
{ "Name": "bench", "StorageDirectory": "$tmp/orthanc/db", "IndexDirectory": "$tmp/orthanc/db", "StorageCompression": false,
  "Plugins": ["/usr/share/orthanc/plugins/libOrthancDicomWeb.so"], "HttpPort": $ohttp, "DicomPort": $odicom,
  "RemoteAccessAllowed": false, "AuthenticationEnabled": false, "OrthancExplorerEnabled": false,
  "DicomWeb": { "Enable": true, "Root": "/dicom-web/" } }
JSON
Orthanc "$tmp/orthanc/orthanc.json" >"$tmp/orthanc/log" 2>&1 & pids+=($!)
wait_listen "$ohttp"
for f in "$tmp"/study/*.dcm; do curl -sf -o /dev/null -H 'Content-Type: application/dicom' --data-binary @"$f" "http://127.0.0.1:$ohttp/instances"; done
study=$(curl -sf "http://127.0.0.1:$ohttp/dicom-web/studies" | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["0020000D"]["Value"][0])')
bytes=$(du -cb "$tmp"/study/*.dcm | tail -1 | cut -f1)

# The gateway: a DICOMweb service whose role may search, retrieve and store, and a client in it.
work="$tmp/gw"; mkdir -p "$work/policies"
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
  - name: dicomweb
    kind: dicomweb
flows:
  - name: bench-echo
    from: bench
    to: pacs
    operations: [echo]
roles:
  - name: bench
    grants:
      - services: [dicomweb]
        operations: [qido, wado, stow]
clients:
  - name: bench-app
    client-id: bench-app
    roles: [bench]
POLICY
free_port; vport=$FREE; free_port; hport=$FREE
(cd "$work" && exec dotnet "$tmp/gateway/gateway.dll" --Gateway:Vlan:Port="$vport" --Gateway:Clinical:Enabled=false --Gateway:Https:Port="$hport" \
  --Gateway:PolicyDirectory="$work/policies" --Gateway:DataDirectory="$work/data" --Gateway:Tls:DevelopmentPkiDirectory="$work/certs" \
  --Gateway:DicomWeb:Origin="http://127.0.0.1:$ohttp/dicom-web/" >"$work/gateway.log" 2>&1) & pids+=($!)
wait_listen "$hport"
secret=$(dotnet "$tmp/cli/gatewayctl.dll" identity client add bench-app --kind service --data "$work/data" --policy "$work/policies" | sed -n 's/^secret: //p')
token=$(curl -sf --cacert "$work/certs/ca.crt" -d grant_type=client_credentials -d client_id=bench-app -d client_secret="$secret" \
  "https://127.0.0.1:$hport/connect/token" | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
gw=(--cacert "$work/certs/ca.crt" -H "Authorization: Bearer $token" ${GW_CURL:-})
gwroot="https://127.0.0.1:$hport/dicom-web"
oroot="http://127.0.0.1:$ohttp/dicom-web"

# WADO-RS: the whole study, 5 times each way (one warm-up each first).
wado() { # wado ROOT [curl options...]: seconds for one retrieval
  local url="$1/studies/$study"; shift
  curl -sf -o /dev/null -w '%{time_total}\n' "$@" -H 'Accept: multipart/related; type="application/dicom"; transfer-syntax=*' "$url"
}
# The gateway is a long-running .NET process: until its hot paths are tiered up (tens of requests on 2 cores) the JIT
# takes a third of its CPU, so WARMUP retrievals (default 40) come first; Orthanc is native and needs one.
wado "$oroot" >/dev/null
for _ in $(seq "${WARMUP:-40}"); do wado "$gwroot" "${gw[@]}" >/dev/null; done
wd=$(for _ in 1 2 3 4 5; do wado "$oroot"; done | median)
wg=$(for _ in 1 2 3 4 5; do wado "$gwroot" "${gw[@]}"; done | median)

# The ceiling for any relay that terminates TLS on this machine: the same bytes Orthanc sent, served over TLS (the
# gateway's certificate) by OpenSSL's own minimal server from a file, with no upstream at all.
curl -sf -o "$tmp/wado.body" -H 'Accept: multipart/related; type="application/dicom"; transfer-syntax=*' "$oroot/studies/$study"
free_port; sport=$FREE
(cd "$tmp" && exec openssl s_server -quiet -WWW -accept "$sport" -cert "$work/certs/gateway.crt" -key "$work/certs/gateway.key") >"$tmp/s_server.log" 2>&1 & pids+=($!)
wait_listen "$sport"
tls_floor() { curl -sf -o /dev/null -w '%{time_total}\n' --cacert "$work/certs/ca.crt" "$@"; }
tls_floor "https://127.0.0.1:$sport/wado.body" >/dev/null
wt=$(for _ in 1 2 3 4 5; do tls_floor "https://127.0.0.1:$sport/wado.body"; done | median)
# And the same from memory through Kestrel's HTTPS with the gateway's TLS settings, in the proxy's 64 KiB writes: the web
# server and TLS stack the gateway is built on, without its policy, audit or upstream (warmed up as the gateway was).
free_port; kport=$FREE
dotnet "$tmp/loadtest/Gateway.LoadTest.dll" tls-serve "$tmp/wado.body" "$kport" "$work/certs/gateway.crt" "$work/certs/gateway.key" >"$tmp/tls-serve.log" 2>&1 & pids+=($!)
wait_listen "$kport"
for _ in $(seq "${WARMUP:-40}"); do tls_floor "https://127.0.0.1:$kport/file" ${GW_CURL:-} >/dev/null; done
wk=$(for _ in 1 2 3 4 5; do tls_floor "https://127.0.0.1:$kport/file" ${GW_CURL:-}; done | median)

# QIDO-RS: 200 searches on one connection each way.
qido() { # qido ROOT [curl options...]: per-request seconds, one line each
  local url="$1/studies?StudyInstanceUID=$study" args=() i; shift
  for i in $(seq 200); do args+=("$url" -o /dev/null); done
  curl -sf -w '%{time_total}\n' "$@" -H 'Accept: application/dicom+json' "${args[@]}"
}
qd=$(qido "$oroot" | median)
qg=$(qido "$gwroot" "${gw[@]}" | median)

# STOW-RS: one multipart body of N fresh instances, into each.
python3 - "$tmp/stow" "$tmp/stow.body" <<'PY'
import os, sys
src, out = sys.argv[1], sys.argv[2]
with open(out, "wb") as body:
    for name in sorted(os.listdir(src)):
        body.write(b"--bench-boundary\r\nContent-Type: application/dicom\r\n\r\n")
        body.write(open(os.path.join(src, name), "rb").read())
        body.write(b"\r\n")
    body.write(b"--bench-boundary--\r\n")
PY
stow() { # stow ROOT [curl options...]: seconds and HTTP status
  local url="$1/studies"; shift
  curl -s -o /dev/null -w '%{time_total} %{http_code}\n' "$@" -H 'Content-Type: multipart/related; type="application/dicom"; boundary=bench-boundary' \
    -H 'Accept: application/dicom+json' --data-binary @"$tmp/stow.body" "$url"
}
read -r sd sdcode < <(stow "$oroot")
read -r sg sgcode < <(stow "$gwroot" "${gw[@]}")

mb=$(echo "$bytes / 1048576" | bc -l)
printf '%-34s %12s %12s %10s\n' "" "direct" "gateway" "ratio"
printf '%-34s %10.1f/s %10.1f/s %10.2f   (target >= 0.90)\n' "WADO-RS study, MiB/s (median of 5)" "$(echo "$mb / $wd" | bc -l)" "$(echo "$mb / $wg" | bc -l)" "$(echo "$wd / $wg" | bc -l)"
printf '%-34s %12s %10.1f/s %10.2f   (OpenSSL alone: the most any relay that terminates TLS can reach here)\n' "  same bytes, openssl s_server" "" "$(echo "$mb / $wt" | bc -l)" "$(echo "$wd / $wt" | bc -l)"
printf '%-34s %12s %10.1f/s %10.2f   (Kestrel HTTPS alone: the most the gateway stack can reach here)\n' "  same bytes, Kestrel from memory" "" "$(echo "$mb / $wk" | bc -l)" "$(echo "$wd / $wk" | bc -l)"
printf '%-34s %10.2fms %10.2fms %+9.2fms (target < +2 ms)\n' "QIDO-RS p50 of 200" "$(echo "$qd * 1000" | bc -l)" "$(echo "$qg * 1000" | bc -l)" "$(echo "($qg - $qd) * 1000" | bc -l)"
printf '%-34s %10.1f/s %10.1f/s %10.2f   (target >= 0.80; HTTP %s direct, %s gateway)\n' "STOW-RS $N images, images/s" "$(echo "$N / $sd" | bc -l)" "$(echo "$N / $sg" | bc -l)" "$(echo "$sd / $sg" | bc -l)" "$sdcode" "$sgcode"
echo "== done $(date -u +%FT%TZ), load $(cut -d' ' -f1-3 /proc/loadavg); study $N images, $(echo "$mb" | xargs printf '%.1f') MiB"
