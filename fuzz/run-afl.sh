#!/usr/bin/env bash
# run-afl.sh TARGET [SECONDS] - fuzzes one target with AFL++ (Debian package afl++) through SharpFuzz.
#
#   fuzz/run-afl.sh pdu 3600        # an hour on the Upper Layer PDU reader
#   targets: dataset, pdu, dimse-command, multipart, policy, audit-bundle, audit-log, dicom-json, backup-manifest
#
# Publishes fuzz/Gateway.Fuzz to fuzz/out/publish, instruments the gateway's parsing assemblies there with the
# SharpFuzz command-line tool (SharpFuzz.CommandLine 2.3.0, installed into fuzz/.tools), writes the seed corpus
# (the codec's test corpus, the example site's policy, PDUs, command sets and STOW bodies from our writers) to
# fuzz/out/seeds, and runs afl-fuzz with findings in fuzz/out/findings/TARGET. Ends after SECONDS (default 3600) and
# prints AFL++'s summary (executions, paths, edges covered). A crash is replayed with
#   dotnet fuzz/out/publish/gateway-fuzz.dll replay TARGET fuzz/out/findings/TARGET/default/crashes/id*
# and becomes a regression test beside the parser's tests (see fuzz/README.md).
set -euo pipefail

target="${1:?usage: fuzz/run-afl.sh TARGET [SECONDS]}"
seconds="${2:-3600}"
fuzz="$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")"
root="$(dirname "$fuzz")"
out="$fuzz/out"
tools="$fuzz/.tools"

if ! command -v afl-fuzz >/dev/null 2>&1; then
  echo "run-afl: afl-fuzz not found; install it with: apt-get install afl++" >&2
  exit 2
fi
if [[ ! -x "$tools/sharpfuzz" ]]; then
  dotnet tool install --tool-path "$tools" SharpFuzz.CommandLine --version 2.3.0
fi

rm -rf "$out/publish" "$out/seeds"
dotnet publish "$fuzz/Gateway.Fuzz/Gateway.Fuzz.csproj" -c Release -o "$out/publish" -nologo -v q
# Seeds first: instrumented code runs only under afl-fuzz (outside it, it touches AFL++'s shared memory and crashes).
dotnet "$out/publish/gateway-fuzz.dll" seeds "$out/seeds"
# Only the parsers' assemblies are instrumented: AFL++ then sees their branches, not the runtime's.
for assembly in Gateway.Dicom Gateway.Dicom.Network Gateway.DicomWeb Gateway.Policy Gateway.Audit Gateway.Backup YamlDotNet; do
  "$tools/sharpfuzz" "$out/publish/$assembly.dll"
done
mkdir -p "$out/findings"

# dotnet itself is not instrumented (SharpFuzz instruments the managed code): skip AFL++'s binary check. -t: a
# generous per-input timeout, the runtime's start is paid once (forkserver) but a slow input still must not count
# as a hang on a loaded machine.
AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 \
  afl-fuzz -V "$seconds" -i "$out/seeds/$target" -o "$out/findings/$target" -t 10000 -m none \
  -- dotnet "$out/publish/gateway-fuzz.dll" "$target"

stats="$out/findings/$target/default/fuzzer_stats"
if [[ -f "$stats" ]]; then
  grep -E '^(execs_done|execs_per_sec|corpus_count|bitmap_cvg|edges_found|total_edges|saved_crashes|saved_hangs) ' "$stats"
fi
crashes=("$out/findings/$target/default/crashes"/id*)
if [[ -e "${crashes[0]}" ]]; then
  echo "run-afl: ${#crashes[@]} crashing inputs; replay them with:" >&2
  echo "  dotnet build fuzz/Gateway.Fuzz -c Release && dotnet fuzz/Gateway.Fuzz/bin/Release/net10.0/gateway-fuzz.dll replay $target ${crashes[*]}" >&2
  exit 1
fi
