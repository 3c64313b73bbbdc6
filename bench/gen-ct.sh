#!/usr/bin/env bash
# bench/gen-ct.sh N OUTDIR
#
# Generate N synthetic but valid DICOM CT Image Storage files (DCMTK only:
# dump2dcm reads a text dump plus a raw pixel file via the '=file' syntax).
# Used by bench/network-bench.sh. Each file: 512x512 16-bit signed CT, Explicit VR
# Little Endian, ~0.526 MB; dciodvfy reports no errors or warnings for them
# (VALIDATE=1 runs dciodvfy on the first file when it is installed).
#
# Layout: images are grouped into series of PER_SERIES images, series into
# studies of SERIES_PER_STUDY series; every study gets its own patient.
# All UIDs are distinct and live under a fresh per-run 2.25.<uuid> root.
#
# Environment knobs (defaults):
#   ROWS=512 COLS=512          image size (16-bit signed, BitsStored 16)
#   PER_SERIES=100             images per series
#   SERIES_PER_STUDY=1         series per study (=> one patient per study)
#   PIXELS=random|zero         random (incompressible) or all-zero pixel data
#   XFER=+te                   dump2dcm output TS flag (+te explicit LE, +ti implicit LE)
#   PREFIX=CT                  file name prefix (files: OUTDIR/CT000001.dcm ...)
#   VALIDATE=0|1               run dciodvfy (dicom3tools) on the first file; fail on errors
#   PATIENT_PREFIX=P<runtag>-  PatientID/Name prefix; default is unique per run so
#                              runs never share a patient (set PATIENT_PREFIX=PAT
#                              for stable IDs PAT00001, PAT00002, ...)
#
# Requires: dcmtk (dump2dcm), coreutils, and bc (or /usr/bin/python3) for the UID root.
set -euo pipefail

N=${1:?usage: gen-ct.sh N OUTDIR}
OUT=${2:?usage: gen-ct.sh N OUTDIR}
ROWS=${ROWS:-512}
COLS=${COLS:-512}
PER_SERIES=${PER_SERIES:-100}
SERIES_PER_STUDY=${SERIES_PER_STUDY:-1}
PIXELS=${PIXELS:-random}
XFER=${XFER:-+te}
PREFIX=${PREFIX:-CT}
VALIDATE=${VALIDATE:-0}

command -v dump2dcm >/dev/null || { echo "dump2dcm not found (apt-get install dcmtk)" >&2; exit 1; }
mkdir -p "$OUT"

# ---- per-run UID root: 2.25.<decimal of a random (v4) UUID> -----------------
hex=$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')
# set version 4 and RFC 4122 variant bits
hex="${hex:0:12}4${hex:13:3}$(printf '%x' $(( (0x${hex:16:1} & 0x3) | 0x8 )))${hex:17:15}"
if command -v bc >/dev/null; then
  uuidint=$(echo "ibase=16; ${hex^^}" | BC_LINE_LENGTH=0 bc)
elif [ -x /usr/bin/python3 ]; then
  uuidint=$(/usr/bin/python3 -c "print(int('$hex',16))")
else
  echo "need bc or python3 to build a 2.25 UID root" >&2; exit 1
fi
ROOT="2.25.${uuidint}"   # <= 44 chars; children below stay <= 64 chars
PATIENT_PREFIX=${PATIENT_PREFIX:-P${hex:0:6}-}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
npix=$(( ROWS * COLS * 2 ))
if [ "$PIXELS" = zero ]; then head -c "$npix" /dev/zero > "$tmp/pix.raw"; fi

today=$(date +%Y%m%d); now=$(date +%H%M%S)
for (( i=1; i<=N; i++ )); do
  series=$(( (i - 1) / PER_SERIES + 1 ))
  study=$(( (series - 1) / SERIES_PER_STUDY + 1 ))
  inst=$(( (i - 1) % PER_SERIES + 1 ))
  seriesInStudy=$(( (series - 1) % SERIES_PER_STUDY + 1 ))
  if [ "$PIXELS" != zero ]; then head -c "$npix" /dev/urandom > "$tmp/pix.raw"; fi
  z=$(( inst * 5 ))
  cat > "$tmp/ct.dump" <<EOF
(0008,0005) CS [ISO_IR 100]
(0008,0008) CS [ORIGINAL\\PRIMARY\\AXIAL]
(0008,0012) DA [$today]
(0008,0013) TM [$now]
(0008,0016) UI [1.2.840.10008.5.1.4.1.1.2]
(0008,0018) UI [$ROOT.3.$i]
(0008,0020) DA [$today]
(0008,0021) DA [$today]
(0008,0023) DA [$today]
(0008,0030) TM [$now]
(0008,0031) TM [$now]
(0008,0033) TM [$now]
(0008,0050) SH [A${hex:0:6}$(printf '%05d' "$study")]
(0008,0060) CS [CT]
(0008,0070) LO [SYNTHETIC]
(0008,0090) PN [REFERRING^DOCTOR]
(0008,1030) LO [Synthetic CT study $study]
(0008,103e) LO [Synthetic CT series $seriesInStudy]
(0010,0010) PN [SYNTH^${PATIENT_PREFIX}$(printf '%05d' "$study")]
(0010,0020) LO [${PATIENT_PREFIX}$(printf '%05d' "$study")]
(0010,0030) DA [19700101]
(0010,0040) CS [O]
(0018,0015) CS [CHEST]
(0018,0050) DS [5]
(0018,0060) DS [120]
(0018,5100) CS [HFS]
(0020,000d) UI [$ROOT.1.$study]
(0020,000e) UI [$ROOT.2.$series]
(0020,0010) SH [$study]
(0020,0011) IS [$seriesInStudy]
(0020,0012) IS [1]
(0020,0013) IS [$inst]
(0020,0020) CS [L\\P]
(0020,0032) DS [-128\\-128\\$z]
(0020,0037) DS [1\\0\\0\\0\\1\\0]
(0020,0052) UI [$ROOT.4.$series]
(0020,1040) LO []
(0028,0002) US 1
(0028,0004) CS [MONOCHROME2]
(0028,0010) US $ROWS
(0028,0011) US $COLS
(0028,0030) DS [0.5\\0.5]
(0028,0100) US 16
(0028,0101) US 16
(0028,0102) US 15
(0028,0103) US 1
(0028,1050) DS [40]
(0028,1051) DS [400]
(0028,1052) DS [0]
(0028,1053) DS [1]
(7fe0,0010) OW =$tmp/pix.raw
EOF
  dump2dcm -q "$XFER" "$tmp/ct.dump" "$OUT/$(printf '%s%06d.dcm' "$PREFIX" "$i")"
done
if [ "$VALIDATE" = 1 ] && [ "$N" -ge 1 ]; then
  first="$OUT/$(printf '%s%06d.dcm' "$PREFIX" 1)"
  if command -v dciodvfy >/dev/null; then
    # dciodvfy prints the IOD name on stdout and "Error -"/"Warning -" lines on stderr.
    report=$(dciodvfy "$first" 2>&1 || true)
    if grep -qE '^(Error|Warning)' <<<"$report"; then
      echo "dciodvfy reports problems in $first:" >&2; echo "$report" >&2; exit 1
    fi
    echo "dciodvfy $(basename "$first"): $(tr '\n' ' ' <<<"$report")(no errors, no warnings)"
  else
    echo "dciodvfy not installed (dicom3tools): validation skipped"
  fi
fi
echo "generated $N CT images ${ROWS}x${COLS}x16bit in $OUT (UID root $ROOT, PatientID ${PATIENT_PREFIX}00001..)"
