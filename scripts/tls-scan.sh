#!/usr/bin/env bash
# tls-scan.sh [OUT.md] - scans the gateway's two TLS listeners with testssl (Debian package testssl.sh) and writes
# the findings to threat-model/tls-scan-YYYY-MM-DD.md (or OUT.md).
#
# Starts ./gateway on its embedded defaults in a temporary directory holding a copy of policies/ (development PKI,
# loopback addresses; only the ports are moved to free ones, so that a gateway already running here is not scanned
# by mistake), then:
#   1. testssl -p -s -f -S -P -R -U against the DIMSE TLS listener (clinical leg) and the HTTPS endpoint;
#   2. openssl s_client checks testssl cannot make: TLS 1.0/1.1 refused, the chain verifies against the CA, and mutual
#      TLS refused on the DIMSE listener without a client certificate (and accepted with one);
# and prints a verdict per check. Exit status: 0 when every check passed, 1 when one failed, 2 on a setup error.
# Needs: testssl (apt-get install testssl.sh), openssl, echoscu (dcmtk), python3, ss (iproute2), dotnet. Takes about 5-10 minutes on 2 cores.
set -euo pipefail

root="$(dirname "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")")"
out="${1:-$root/threat-model/tls-scan-$(date -u +%F).md}"

testssl_bin="$(command -v testssl || command -v testssl.sh || true)"
if [[ -z "$testssl_bin" ]]; then
  echo "tls-scan: testssl not found; install it with: apt-get install testssl.sh" >&2
  exit 2
fi

work="$(mktemp -d /tmp/gateway-tls-scan.XXXXXX)"
gateway_pid=""
cleanup() {
  if [[ -n "$gateway_pid" ]] && kill -0 "$gateway_pid" 2>/dev/null; then
    kill -TERM "$gateway_pid" 2>/dev/null || true
    wait "$gateway_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

# A free loopback port: one nothing listens on (checked with ss), from a range the kernel does not hand out itself.
free_port() {
  local port
  while true; do
    port=$((20000 + RANDOM % 10000))
    if ! ss -Hltn "sport = :$port" | grep -q .; then
      echo "$port"
      return
    fi
  done
}

vlan_port="$(free_port)"
clinical_port="$(free_port)"
https_port="$(free_port)"
while [[ "$clinical_port" == "$vlan_port" ]]; do clinical_port="$(free_port)"; done
while [[ "$https_port" == "$vlan_port" || "$https_port" == "$clinical_port" ]]; do https_port="$(free_port)"; done

wait_listening() {
  local port="$1" deadline=$((SECONDS + 180))
  until ss -Hltn "sport = :$port" | grep -q .; do
    if ! kill -0 "$gateway_pid" 2>/dev/null; then
      echo "tls-scan: the gateway exited; its output:" >&2
      cat "$work/gateway.out" >&2
      exit 2
    fi
    if ((SECONDS > deadline)); then
      echo "tls-scan: the gateway did not listen on port $port within 180 s" >&2
      exit 2
    fi
    sleep 0.5
  done
}

# Build first (./gateway builds src/Gateway.Host when a source changed, which can take minutes on a loaded machine),
# so that the wait for the listeners below measures the start only.
"$root/gateway" --version >/dev/null

# The embedded defaults read the policy from ./policies: the example site's.
cp -r "$root/policies" "$work/policies"
echo "tls-scan: starting ./gateway in $work (VLAN $vlan_port, clinical $clinical_port, HTTPS $https_port)" >&2
(
  cd "$work"
  exec "$root/gateway" "--Gateway:Vlan:Port=$vlan_port" "--Gateway:Clinical:Port=$clinical_port" "--Gateway:Https:Port=$https_port"
) >"$work/gateway.out" 2>&1 &
gateway_pid=$!
wait_listening "$clinical_port"
wait_listening "$https_port"
certs="$work/certs"
echo "tls-scan: gateway is listening (pid $gateway_pid)" >&2

run_testssl() {
  local port="$1" name="$2"
  # --ip: no DNS; --warnings off: no interactive questions; -p protocols, -s cipher categories, -f forward secrecy,
  # -S server defaults (certificate), -P server preference, -R renegotiation, -U vulnerabilities.
  # --add-ca: judge the chain against the gateway's CA (testssl knows only the public CA bundles otherwise).
  "$testssl_bin" --quiet --color 0 --warnings off --nodns none --ip 127.0.0.1 --add-ca "$certs/ca.crt" \
    --jsonfile "$work/$name.json" -p -s -f -S -P -R -U "127.0.0.1:$port" >"$work/$name.txt" 2>&1 || true
}

echo "tls-scan: testssl against the DIMSE TLS listener ..." >&2
run_testssl "$clinical_port" dimse
echo "tls-scan: testssl against the HTTPS endpoint ..." >&2
run_testssl "$https_port" https

failures=0
checks=()
accepted=0
# Records a verdict: pass, FAIL, or accepted (a finding explained in the report that does not fail the scan).
check() {
  local verdict="$1" text="$2"
  checks+=("| $text | $verdict |")
  case "$verdict" in
    pass) ;;
    accepted) accepted=$((accepted + 1)) ;;
    *) failures=$((failures + 1)) ;;
  esac
}

# A handshake with openssl s_client; prints its output. Never fails (the caller reads the output).
s_client() {
  timeout 20 openssl s_client -connect "127.0.0.1:$1" -servername localhost "${@:2}" </dev/null 2>&1 || true
}

# The finding (or severity, with FIELD=severity) of testssl's result ID in a flat JSON file; empty when absent.
finding() {
  python3 - "$1" "$2" "${3:-finding}" <<'PY'
import json, sys
path, wanted, field = sys.argv[1:4]
for entry in json.load(open(path)):
    if entry.get("id") == wanted:
        print(entry.get(field, ""))
        break
PY
}

# Succeeds when testssl's finding ID in JSON starts with PREFIX; records the verdict either way.
expect_finding() {
  local json="$1" leg="$2" id="$3" prefix="$4" text="$5" got
  got="$(finding "$json" "$id")"
  if [[ "$got" == "$prefix"* ]]; then
    check pass "$leg: $text (testssl $id: $got)"
  else
    check FAIL "$leg: $text (testssl $id: ${got:-no result})"
  fi
}

for leg in dimse https; do
  port="$clinical_port"
  [[ "$leg" == https ]] && port="$https_port"
  json="$work/$leg.json"
  for p in SSLv2 SSLv3 TLS1 TLS1_1; do
    expect_finding "$json" "$leg" "$p" "not offered" "$p not offered"
  done
  expect_finding "$json" "$leg" TLS1_2 "offered" "TLS 1.2 offered"
  expect_finding "$json" "$leg" TLS1_3 "offered" "TLS 1.3 offered"
  # testssl 3.0's ids; AVERAGE is its "Obsolete CBC ciphers (AES, ARIA etc.)" line.
  for id in cipherlist_NULL cipherlist_aNULL cipherlist_EXPORT cipherlist_LOW cipherlist_3DES_IDEA cipherlist_AVERAGE; do
    expect_finding "$json" "$leg" "$id" "not offered" "no ${id#cipherlist_} ciphers"
  done
  expect_finding "$json" "$leg" cipherlist_STRONG "offered" "AEAD ciphers offered"
  expect_finding "$json" "$leg" secure_renego "supported" "secure renegotiation (RFC 5746)"
  expect_finding "$json" "$leg" secure_client_renego "not vulnerable" "no client-initiated renegotiation"
  expect_finding "$json" "$leg" LUCKY13 "not vulnerable" "not vulnerable to LUCKY13 (no CBC)"
  expect_finding "$json" "$leg" cert_chain_of_trust "passed" "certificate chain of trust (against the gateway's CA)"
  # cert_revocation (no CRL distribution point or OCSP URI in the certificate) is a property of the development
  # PKI's certificates, not of the listener: a site's CA puts them in its certificates and the gateway checks the CRLs
  # of Gateway:Tls:Crl. It is reported as accepted, not hidden.
  high="$(python3 - "$json" <<'PY'
import json, sys
print(" ".join(e["id"] for e in json.load(open(sys.argv[1])) if e.get("severity") in ("MEDIUM", "HIGH", "CRITICAL") and e["id"] != "cert_revocation"))
PY
)"
  if [[ -z "$high" ]]; then
    check pass "$leg: no MEDIUM, HIGH or CRITICAL finding (testssl) other than cert_revocation"
  else
    check FAIL "$leg: MEDIUM, HIGH or CRITICAL findings (testssl): $high"
  fi
  revocation="$(finding "$json" cert_revocation)"
  if [[ -n "$revocation" ]]; then
    check accepted "$leg: testssl cert_revocation $(finding "$json" cert_revocation severity): $revocation (development PKI certificates carry no CRL distribution point or OCSP URI; a site's PKI does, see SECURITY.md)"
  fi
  for v in -tls1 -tls1_1; do
    handshake="$(s_client "$port" "$v" -cipher 'DEFAULT@SECLEVEL=0' -cert "$certs/client.crt" -key "$certs/client.key")"
    if grep -qE '(New|Cipher is) .*(TLSv1|ECDHE|AES)' <<<"$handshake" && ! grep -q 'Cipher is (NONE)' <<<"$handshake"; then
      check FAIL "$leg: openssl s_client $v refused (a handshake completed)"
    else
      check pass "$leg: openssl s_client $v refused ($(grep -oE 'alert [a-z ]+|unexpected eof|no protocols available|wrong version number' <<<"$handshake" | head -1))"
    fi
  done
  if s_client "$port" -CAfile "$certs/ca.crt" -verify_return_error -cert "$certs/client.crt" -key "$certs/client.key" | grep -q 'Verify return code: 0 (ok)'; then
    check pass "$leg: certificate chain verifies against the CA (openssl s_client -verify_return_error)"
  else
    check FAIL "$leg: certificate chain verifies against the CA (openssl s_client -verify_return_error)"
  fi
done

# Mutual TLS on the DIMSE listener. The gateway's TLS stack (SslStream on OpenSSL) completes the handshake without a
# client certificate and then closes the connection before reading a byte, without an alert; so the refusal is
# checked as a DICOM peer sees it: DCMTK's echoscu with anonymous TLS (+tla) must not get an association, while the
# same echoscu with the development client certificate is answered by the policy (it does not know the calling AE
# title, so the answer is a rejection: the TLS layer let it through).
without_cert="$(TCP_NODELAY=1 timeout 30 echoscu -aet TLSSCAN -aec GATEWAY +tla +cf "$certs/ca.crt" 127.0.0.1 "$clinical_port" 2>&1 || true)"
with_cert="$(TCP_NODELAY=1 timeout 30 echoscu -aet TLSSCAN -aec GATEWAY +tls "$certs/client.key" "$certs/client.crt" +cf "$certs/ca.crt" 127.0.0.1 "$clinical_port" 2>&1 || true)"
if grep -q 'Peer aborted Association (or never connected)' <<<"$without_cert"; then
  check pass "dimse: echoscu over TLS without a client certificate gets no association (connection closed after the handshake)"
else
  check FAIL "dimse: echoscu over TLS without a client certificate gets no association: $(tail -1 <<<"$without_cert")"
fi
if grep -q 'Association Rejected' <<<"$with_cert"; then
  check pass "dimse: echoscu with the development client certificate reaches the policy (Association Rejected: unknown AE title)"
else
  check FAIL "dimse: echoscu with the development client certificate reaches the policy: $(tail -1 <<<"$with_cert")"
fi
tls12_no_cert="$(s_client "$clinical_port" -tls1_2 -CAfile "$certs/ca.crt" -ign_eof)"

{
  echo "# TLS scan of the gateway, $(date -u +%F)"
  echo
  echo "Produced by \`scripts/tls-scan.sh\` on $(uname -n) ($(. /etc/os-release && echo "$PRETTY_NAME"), $(openssl version), testssl $("$testssl_bin" --version 2>/dev/null | grep -oE '[0-9]+\.[0-9]+(\.[0-9]+)?' | head -1)),"
  echo "against \`./gateway\` on its embedded defaults in a temporary directory (development PKI: ECDSA P-256 certificates"
  echo "from a generated CA), commit \`$(git -C "$root" describe --always --dirty 2>/dev/null || echo unknown)\`. Ports moved to free ones:"
  echo "DIMSE TLS (clinical leg) 127.0.0.1:$clinical_port, HTTPS 127.0.0.1:$https_port."
  echo
  echo "Commands:"
  echo
  echo '```sh'
  echo "scripts/tls-scan.sh"
  echo "# which runs, for each listener:"
  echo "testssl --quiet --color 0 --warnings off --nodns none --ip 127.0.0.1 --add-ca ca.crt --jsonfile OUT.json -p -s -f -S -P -R -U 127.0.0.1:PORT"
  echo "openssl s_client -connect 127.0.0.1:PORT -tls1|-tls1_1 -cipher 'DEFAULT@SECLEVEL=0' -cert client.crt -key client.key"
  echo "openssl s_client -connect 127.0.0.1:PORT -CAfile ca.crt -verify_return_error [-cert client.crt -key client.key]"
  echo "openssl s_client -connect 127.0.0.1:DIMSE_PORT -tls1_2 -CAfile ca.crt -ign_eof     # no client certificate"
  echo "echoscu -aet TLSSCAN -aec GATEWAY +tla +cf ca.crt 127.0.0.1 DIMSE_PORT                 # no client certificate"
  echo "echoscu -aet TLSSCAN -aec GATEWAY +tls client.key client.crt +cf ca.crt 127.0.0.1 DIMSE_PORT"
  echo '```'
  echo
  echo "testssl 3.0.8 cannot present a client certificate (no \`--mtls\` before 3.1). It does not need one here: the"
  echo "DIMSE listener completes the handshake without a client certificate and only then closes the connection, before"
  echo "reading a byte (see below), so every testssl check ran to its end on both listeners."
  echo
  echo "Observed without a client certificate (\`openssl s_client -tls1_2 -CAfile ca.crt -ign_eof\` against the DIMSE listener):"
  echo
  echo '```'
  grep -E 'New, |Cipher is|Verify return|unexpected eof|alert' <<<"$tls12_no_cert" | sed -e 's/^[0-9A-F]*:error:/error:/' || true
  echo '```'
  echo
  echo "## Verdicts"
  echo
  echo "| check | verdict |"
  echo "|---|---|"
  printf '%s\n' "${checks[@]}"
  echo
  echo "$((${#checks[@]} - failures - accepted)) passed, $failures failed, $accepted accepted."
  for leg in dimse https; do
    echo
    if [[ "$leg" == dimse ]]; then
      echo "## testssl output: DIMSE TLS listener (clinical leg)"
    else
      echo "## testssl output: HTTPS endpoint"
    fi
    echo
    echo '```'
    sed -e 's/[[:space:]]*$//' "$work/$leg.txt" | grep -v -E '^ *$|Start [0-9]{4}-|Done [0-9]{4}-|^ *Testing all IPv4|^ *Service detected|rDNS|^ *Further IP' || true
    echo '```'
  done
} >"$out"

echo "tls-scan: $((${#checks[@]} - failures - accepted)) passed, $failures failed, $accepted accepted; findings in ${out#"$root"/}" >&2
((failures == 0))
