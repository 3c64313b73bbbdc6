#!/usr/bin/env bash
# convert-memory.sh - peak memory and throughput of `gatewayctl dicom convert` on a >= 2 GiB instance,
# with DCMTK's dcmconv doing the same conversions as the baseline.
#
# 1. Generates a multi-frame Part 10 file in explicit VR little endian without ever holding it in memory:
#    dump2dcm writes the header (File Meta Information + attributes, no pixel data), then the Pixel Data
#    header (7FE0,0010) OW with its exact 32-bit length is appended with printf, then the value itself
#    streamed from /dev/urandom (or /dev/zero) with head -c.
#    Default: 512 x 512 x 16-bit x 4100 frames = 2,149,580,800 bytes of pixel data (> 2 GiB, < 4 GiB).
# 2. For each target transfer syntax (implicit VR LE, explicit VR BE, deflated explicit VR LE) runs
#       /usr/bin/time -v gatewayctl dicom convert --transfer-syntax UID IN OUT
#       /usr/bin/time -v dcmconv <+ti|+tb|+td> IN OUT
#    and prints Maximum resident set size, elapsed time and MB/s (input bytes / elapsed wall time, 10^6 B/s).
#    gatewayctl fsyncs its output, dcmconv does not: the time of a `sync` right after each run is added in a
#    second column so that both are compared with the output on disk.
# 3. Verifies every output with `dcmdump -M` (pixel data not loaded): transfer syntax and Pixel Data length;
#    compares the pixel bytes of gatewayctl's outputs with the input: byte for byte (implicit), against the
#    input with every 16-bit word swapped (`dd conv=swab`, big endian), and after inflating (deflated).
# 4. Removes the temporary directory (all big files) on exit, also on failure or Ctrl-C.
#
# Usage: bench/convert-memory.sh            (from anywhere; takes ~5-10 minutes on 2 cores)
# Knobs (environment):
#   FRAMES=4100 ROWS=512 COLS=512   image geometry (16 bits allocated)
#   PIXELS=random|zero             pixel source (random: incompressible, the worst case for deflate)
#   LEGS="implicit bigendian deflated"   which conversions to run (also: explicit = explicit VR LE copy)
#   DCMCONV=1                      also run dcmconv (0 to skip)
#   WORKDIR=/tmp                   where the temporary directory is made (needs ~2 x 2.15 GB free: the input and one output at a time)
#   GATEWAYCTL=<command>           the CLI to time. Default: a private copy of the build that ./gatewayctl
#                                  runs (`dotnet <copy>/gatewayctl.dll`, exactly what the wrapper execs), so
#                                  that a rebuild triggered by concurrent edits of src/ is never timed.
#                                  GATEWAYCTL=./gatewayctl times the wrapper itself.
#   LIMIT_MB=200                   the peak RSS requirement checked for gatewayctl
set -euo pipefail

root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
FRAMES=${FRAMES:-4100}
ROWS=${ROWS:-512}
COLS=${COLS:-512}
PIXELS=${PIXELS:-random}
LEGS=${LEGS:-implicit bigendian deflated}
DCMCONV=${DCMCONV:-1}
WORKDIR=${WORKDIR:-/tmp}
LIMIT_MB=${LIMIT_MB:-200}

for tool in dump2dcm dcmdump dcmconv python3 bc; do
  command -v "$tool" >/dev/null || { echo "convert-memory: $tool not found (apt-get install dcmtk python3 bc)" >&2; exit 1; }
done
if [[ ! -x /usr/bin/time ]]; then
  echo "convert-memory: /usr/bin/time not found; installing the 'time' package" >&2
  apt-get install -y time >/dev/null
fi

tmp="$(mktemp -d "$WORKDIR/convert-memory.XXXXXX")"
cleanup() { rm -rf "$tmp"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

npix=$(( ROWS * COLS * 2 * FRAMES ))
if (( npix % 2 != 0 || npix >= 0xFFFFFFFF )); then
  echo "convert-memory: pixel data length $npix must be even and below 2^32 - 1" >&2
  exit 1
fi

# ---- the CLI under test --------------------------------------------------------------------------------
# ./gatewayctl builds .build/gatewayctl when src/ changed. If that build fails (src/ mid-edit), the last
# successful build is used, with a warning.
if ! "$root/gatewayctl" --help >/dev/null 2>"$tmp/build.err"; then
  if [[ -z "${GATEWAYCTL:-}" && -f "$root/.build/gatewayctl/gatewayctl.dll" ]]; then
    echo "WARNING: ./gatewayctl could not build src/Gateway.Cli ($(tail -1 "$tmp/build.err")); timing the last" \
      "successful build of $(date -r "$root/.build/gatewayctl/gatewayctl.dll" '+%F %T')" >&2
  else
    cat "$tmp/build.err" >&2
    exit 1
  fi
fi
if [[ -z "${GATEWAYCTL:-}" ]]; then
  cp -r "$root/.build/gatewayctl" "$tmp/cli"
  cli=(dotnet "$tmp/cli/gatewayctl.dll")
else
  read -r -a cli <<<"$GATEWAYCTL"
fi

# ---- 1. the input ---------------------------------------------------------------------------------------
in="$tmp/in.dcm"
echo "== generating $in: ${ROWS}x${COLS}x16-bit x $FRAMES frames, $npix bytes of $PIXELS pixel data"
cat >"$tmp/header.dump" <<EOF
(0008,0005) CS [ISO_IR 100]
(0008,0008) CS [DERIVED\\SECONDARY]
(0008,0016) UI [1.2.840.10008.5.1.4.1.1.7.3]
(0008,0018) UI [2.25.1234567890123456789012345678901.3.1]
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
(0020,000d) UI [2.25.1234567890123456789012345678901.1.1]
(0020,000e) UI [2.25.1234567890123456789012345678901.2.1]
(0020,0010) SH [1]
(0020,0011) IS [1]
(0020,0013) IS [1]
(0028,0002) US 1
(0028,0004) CS [MONOCHROME2]
(0028,0008) IS [$FRAMES]
(0028,0009) AT (0018,2005)
(0028,0010) US $ROWS
(0028,0011) US $COLS
(0028,0100) US 16
(0028,0101) US 16
(0028,0102) US 15
(0028,0103) US 0
(0028,1050) DS [2048]
(0028,1051) DS [4096]
(0028,1052) DS [0]
(0028,1053) DS [1]
EOF
dump2dcm -q +te "$tmp/header.dump" "$in"
# (7FE0,0010) OW, 2 reserved bytes, 32-bit little-endian length: explicit VR LE element header, 12 bytes.
le32() { printf '\\x%02x\\x%02x\\x%02x\\x%02x' $(( $1 & 255 )) $(( ($1 >> 8) & 255 )) $(( ($1 >> 16) & 255 )) $(( ($1 >> 24) & 255 )); }
printf '\xe0\x7f\x10\x00OW\x00\x00' >>"$in"
printf "$(le32 "$npix")" >>"$in"
src=/dev/urandom
[[ "$PIXELS" == zero ]] && src=/dev/zero
gen_start=$(date +%s.%N)
head -c "$npix" "$src" >>"$in"
gen_end=$(date +%s.%N)
insize=$(stat -c %s "$in")
pixoff=$(( insize - npix ))
printf '   %d bytes (%.2f GiB), pixel value at offset %d, written in %.1f s\n' "$insize" "$(echo "$insize / 1073741824" | bc -l)" "$pixoff" "$(echo "$gen_end - $gen_start" | bc -l)"
dcmdump -M "$in" | grep -E 'TransferSyntaxUID|NumberOfFrames|\(7fe0,0010\)' | sed 's/^/   /'
dcmdump -M "$in" | grep -q "(7fe0,0010) OW (not loaded) *# $npix," || { echo "convert-memory: dcmdump does not see a $npix-byte Pixel Data in the input" >&2; exit 1; }

# ---- helpers ----------------------------------------------------------------------------------------------
declare -A uid=([implicit]=1.2.840.10008.1.2 [explicit]=1.2.840.10008.1.2.1 [bigendian]=1.2.840.10008.1.2.2 [deflated]=1.2.840.10008.1.2.1.99)
declare -A dcmconv_flag=([implicit]=+ti [explicit]=+te [bigendian]=+tb [deflated]=+td)
declare -A ts_name=([implicit]=LittleEndianImplicit [explicit]=LittleEndianExplicit [bigendian]=BigEndianExplicit [deflated]=DeflatedLittleEndianExplicit)
results=()
failures=0

# Wall seconds from /usr/bin/time's "Elapsed (wall clock) time (h:mm:ss or m:ss): ..." line.
elapsed_seconds() {
  awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s }' "$1"
}
max_rss_kb() { awk -F': ' '/Maximum resident set size/ { print $2 }' "$1"; }
cpu_seconds() { awk -F': ' '/User time|System time/ { s += $2 } END { print s }' "$1"; }

# run_timed TOOL LEG OUT CMD...: runs CMD under /usr/bin/time -v, prints and records its figures.
run_timed() {
  local tool=$1 leg=$2 out=$3; shift 3
  local log="$tmp/time-$tool-$leg.log"
  sync   # earlier writes are not flushed inside this measurement
  echo "-- $tool -> $leg: $*"
  if ! /usr/bin/time -v -o "$log" "$@"; then
    echo "   FAILED (exit code above); /usr/bin/time output:" >&2
    cat "$log" >&2
    failures=$(( failures + 1 ))
    return 1
  fi
  # gatewayctl fsyncs its output before renaming it; dcmconv leaves it in the page cache. Timing the
  # sync that follows puts both on the same footing ("+sync" column: the output is on disk).
  local sync_start sync_end synced
  sync_start=$(date +%s.%N); sync; sync_end=$(date +%s.%N)
  local rss_kb secs cpu outsize mbps
  rss_kb=$(max_rss_kb "$log")
  cpu=$(cpu_seconds "$log")
  secs=$(elapsed_seconds "$log")
  synced=$(echo "$secs + $sync_end - $sync_start" | bc -l)
  outsize=$(stat -c %s "$out")
  mbps=$(echo "$insize / $secs / 1000000" | bc -l)
  grep -E 'Maximum resident set size|Elapsed \(wall clock\)|User time|System time|Percent of CPU' "$log" | sed 's/^\s*/   /'
  printf '   => peak RSS %.1f MB, %.2f s (%.2f s with the sync after it), %.0f MB/s, output %d bytes\n' \
    "$(echo "$rss_kb / 1024" | bc -l)" "$secs" "$synced" "$mbps" "$outsize"
  results+=("$(printf '%-10s %-10s %10.1f %9.2f %9.2f %8.0f %7.2f %14d' "$tool" "$leg" "$(echo "$rss_kb / 1024" | bc -l)" "$secs" "$synced" "$mbps" "$cpu" "$outsize")")
}

# check_dump OUT LEG: dcmdump -M (values above 4 KB not loaded) shows the transfer syntax and the Pixel Data length.
check_dump() {
  local out=$1 leg=$2 dump
  dump=$(dcmdump -M "$out")
  local ts_line px_line
  ts_line=$(grep '(0002,0010)' <<<"$dump" || true)
  px_line=$(grep '(7fe0,0010)' <<<"$dump" || true)
  echo "   dcmdump -M: ${ts_line%%#*}| ${px_line}"
  if [[ "$ts_line" != *"=${ts_name[$leg]}"* ]] || ! grep -qE "\(7fe0,0010\) OW .*# $npix, 1 PixelData" <<<"$px_line"; then
    echo "   CHECK FAILED: expected ${ts_name[$leg]} and a $npix-byte OW Pixel Data" >&2
    failures=$(( failures + 1 ))
    return 1
  fi
}

# check_pixels OUT LEG: compares gatewayctl's pixel bytes with the input's.
check_pixels() {
  local out=$1 leg=$2
  case $leg in
    implicit | explicit)
      # Pixel Data is the last element: its value is the last $npix bytes of both files.
      if cmp -s <(tail -c "$npix" "$in") <(tail -c "$npix" "$out"); then
        echo "   pixels: all $npix bytes identical to the input"
      else
        echo "   CHECK FAILED: pixel bytes differ from the input" >&2; failures=$(( failures + 1 ))
      fi
      ;;
    bigendian)
      # dd conv=swab swaps every pair of bytes: the input's OW words in big endian.
      if cmp -s <(tail -c "$npix" "$in" | dd conv=swab bs=1M iflag=fullblock status=none) <(tail -c "$npix" "$out"); then
        echo "   pixels: all $npix bytes equal the input with each 16-bit word byte-swapped"
      else
        echo "   CHECK FAILED: pixel bytes are not the input byte-swapped" >&2; failures=$(( failures + 1 ))
      fi
      # And a few explicit samples, to show it: first / middle / last words.
      python3 - "$in" "$out" "$npix" <<'PY' || { echo "   CHECK FAILED: sampled words are not swapped" >&2; failures=$(( failures + 1 )); }
import os, sys
src, dst, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
si, so = os.path.getsize(src) - n, os.path.getsize(dst) - n
with open(src, 'rb') as a, open(dst, 'rb') as b:
    for off in (0, 2, n // 2, n - 4, n - 2):
        a.seek(si + off); b.seek(so + off)
        x, y = a.read(2), b.read(2)
        assert y == x[::-1], (off, x.hex(), y.hex())
        print(f"   pixel word at +{off}: input {x.hex()} -> output {y.hex()}")
PY
      ;;
    deflated)
      # Inflate the data set after the File Meta Information and compare the digest of its last $npix bytes.
      python3 - "$in" "$out" "$npix" <<'PY' || { echo "   CHECK FAILED: inflated pixel bytes differ" >&2; failures=$(( failures + 1 )); }
import hashlib, struct, sys, zlib
src, dst, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
with open(dst, 'rb') as f:
    f.seek(132)
    tag, vr, gl = f.read(4), f.read(4), struct.unpack('<I', f.read(4))[0]
    f.seek(144 + gl)
    d = zlib.decompressobj(-15)
    # First pass: inflated size. Second pass: hash the last n bytes.
    size = 0
    while block := f.read(1 << 20):
        size += len(d.decompress(block))
    size += len(d.flush())
    f.seek(144 + gl)
    d = zlib.decompressobj(-15)
    h, pos, skip = hashlib.sha256(), 0, size - n
    def feed(b):
        global pos
        lo = max(0, skip - pos)
        if lo < len(b):
            h.update(b[lo:])
        pos += len(b)
    while block := f.read(1 << 20):
        feed(d.decompress(block))
    feed(d.flush())
with open(src, 'rb') as f:
    f.seek(-n, 2)
    g = hashlib.sha256()
    while block := f.read(1 << 20):
        g.update(block)
ok = g.digest() == h.digest()
print(f"   pixels: inflated data set {size} bytes; sha256 of its last {n} bytes {'equals' if ok else 'DIFFERS FROM'} the input's pixel value")
sys.exit(0 if ok else 1)
PY
      ;;
  esac
}

# ---- 2./3. conversions ------------------------------------------------------------------------------------
echo
echo "== CLI: ${cli[*]}"
for leg in $LEGS; do
  out="$tmp/out-gatewayctl-$leg.dcm"
  echo
  if run_timed gatewayctl "$leg" "$out" "${cli[@]}" dicom convert --transfer-syntax "${uid[$leg]}" "$in" "$out"; then
    check_dump "$out" "$leg" || true
    check_pixels "$out" "$leg"
  fi
  rm -f "$out"

  if [[ "$DCMCONV" == 1 ]]; then
    out="$tmp/out-dcmconv-$leg.dcm"
    echo
    if run_timed dcmconv "$leg" "$out" dcmconv "${dcmconv_flag[$leg]}" "$in" "$out"; then
      check_dump "$out" "$leg" || true
    fi
    rm -f "$out"
  fi
done

# ---- summary ----------------------------------------------------------------------------------------------
echo
echo "== summary: input $insize bytes ($(printf '%.2f' "$(echo "$insize / 1073741824" | bc -l)") GiB), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "   MB/s = input bytes / wall time; +sync_s = wall time plus a sync right after; cpu_s = user + system time"
printf '%-10s %-10s %10s %9s %9s %8s %7s %14s\n' tool target "peakRSS_MB" "wall_s" "+sync_s" "MB/s" "cpu_s" "output_bytes"
printf '%s\n' "${results[@]}"
for line in "${results[@]}"; do
  read -r tool leg rss _ <<<"$line"
  if [[ "$tool" == gatewayctl ]]; then
    if (( $(echo "$rss < $LIMIT_MB" | bc) )); then
      echo "gatewayctl $leg: peak RSS $rss MB < $LIMIT_MB MB: OK"
    else
      echo "gatewayctl $leg: peak RSS $rss MB >= $LIMIT_MB MB: OVER THE LIMIT"
      failures=$(( failures + 1 ))
    fi
  fi
done
if [[ "$DCMCONV" == 1 ]]; then
  for leg in $LEGS; do
    g=$(printf '%s\n' "${results[@]}" | awk -v l="$leg" '$1 == "gatewayctl" && $2 == l { print $3, $4, $5, $7 }')
    d=$(printf '%s\n' "${results[@]}" | awk -v l="$leg" '$1 == "dcmconv" && $2 == l { print $3, $4, $5, $7 }')
    if [[ -n "$g" && -n "$d" ]]; then
      read -r grss gs gss gc <<<"$g"; read -r drss ds dss dc <<<"$d"
      printf 'ratio gatewayctl/dcmconv %-10s peak RSS %.3f, wall time %.2f, wall time with sync %.2f, CPU time %.2f\n' \
        "$leg" "$(echo "$grss / $drss" | bc -l)" "$(echo "$gs / $ds" | bc -l)" "$(echo "$gss / $dss" | bc -l)" "$(echo "$gc / $dc" | bc -l)"
    fi
  done
fi
echo "checks failed: $failures"
exit $(( failures > 0 ))
