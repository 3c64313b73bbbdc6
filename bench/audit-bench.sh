#!/usr/bin/env bash
# bench/audit-bench.sh [RECORDS] [DIR]
#
# Audit log figures, measured directly (bench/Gateway.Audit.Benchmarks "quick" mode):
#   - durable appends per second (each append awaited until written and fsynced) with 1 and 16
#     concurrent writers, and how many records shared each fsync (group commit);
#   - the time to verify a log of RECORDS records (default 1,000,000): every leaf hash, the hash
#     chain, the Merkle root at every checkpoint, every checkpoint signature.
# DIR (default: $TMPDIR or /tmp) must be on the disk to measure: fsync latency is the figure.
# The machine's load average is printed first: other work on the machine changes every figure.
#
# For the BenchmarkDotNet versions of the same measurements:
#   dotnet run -c Release --project bench/Gateway.Audit.Benchmarks -- --filter '*'
set -euo pipefail

records=${1:-1000000}
dir=${2:-${TMPDIR:-/tmp}}
root="$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.."
artifacts=${AUDIT_BENCH_ARTIFACTS:-/tmp/audit-bench-artifacts}

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build "$root/bench/Gateway.Audit.Benchmarks" -c Release --artifacts-path "$artifacts" -nologo -v q >/dev/null
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores; benchmark directory: $dir ($(df --output=source,fstype "$dir" | tail -1))"
dotnet "$artifacts/bin/Gateway.Audit.Benchmarks/release/Gateway.Audit.Benchmarks.dll" quick "$dir" "$records"
