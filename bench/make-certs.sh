#!/usr/bin/env bash
# bench/make-certs.sh OUTDIR
# Create a throw-away test PKI for DICOM TLS on loopback:
#   ca.key/ca.crt            self-signed test CA (RSA 2048, 1 day .. 365 days)
#   server.key/server.crt    CN=localhost, SAN DNS:localhost, IP:127.0.0.1 (serverAuth)
#   client.key/client.crt    CN=dicom-test-client (clientAuth)
#   server.pem / client.pem  key+cert concatenated (handy for openssl s_server/s_client)
# Keys are unencrypted PEM (use DCMTK's -pw / --null-passwd).
set -euo pipefail
OUT=${1:?usage: make-certs.sh OUTDIR}
DAYS=${DAYS:-365}
mkdir -p "$OUT"; cd "$OUT"

openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days "$DAYS" \
  -subj "/CN=DICOM Test CA" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null

mk() { # name cn eku san
  local name=$1 cn=$2 eku=$3 san=$4
  openssl req -newkey rsa:2048 -nodes -keyout "$name.key" -out "$name.csr" -subj "/CN=$cn" 2>/dev/null
  printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=%s\n%s\n' \
    "$eku" "$san" > "$name.ext"
  openssl x509 -req -in "$name.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -days "$DAYS" \
    -sha256 -extfile "$name.ext" -out "$name.crt" 2>/dev/null
  cat "$name.key" "$name.crt" > "$name.pem"
  rm -f "$name.csr" "$name.ext"
}
mk server localhost serverAuth "subjectAltName=DNS:localhost,IP:127.0.0.1"
mk client dicom-test-client clientAuth ""
chmod 600 ./*.key ./*.pem
openssl verify -CAfile ca.crt server.crt client.crt
