#!/usr/bin/env bash
# Regenerates the negative vectors of this directory (see README.md). Run from anywhere:
#   tests/testdata/x509/make_vectors.sh
# Needs: bash, printf, openssl, base64. Certificates and keys here are throwaway test material.
set -euo pipefail
cd "$(dirname "$0")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

bin() { printf "$2" > "$1"; }

# IB1 roles extension values (decodeIb1Roles must refuse each).
bin roles-integer-element.der        '\x30\x03\x02\x01\x05'
bin roles-printable-element.der      '\x30\x03\x13\x01\x61'
bin roles-ia5-element.der            '\x30\x03\x16\x01\x61'
bin roles-set-not-sequence.der       '\x31\x03\x0c\x01\x61'
bin roles-nonminimal-length.der      '\x30\x81\x03\x0c\x01\x61'
bin roles-indefinite-length.der      '\x30\x80\x0c\x01\x61\x00\x00'
bin roles-trailing-byte.der          '\x30\x03\x0c\x01\x61\x00'
bin roles-truncated.der              '\x30\x05\x0c\x01\x61'
bin roles-nested-sequence.der        '\x30\x05\x30\x03\x0c\x01\x61'
bin roles-invalid-utf8.der           '\x30\x04\x0c\x02\xc3\x28'
bin roles-overlong-utf8.der          '\x30\x04\x0c\x02\xc0\xaf'
bin roles-surrogate-utf8.der         '\x30\x05\x0c\x03\xed\xa0\x80'
bin roles-nul-inside.der             '\x30\x05\x0c\x03\x61\x00\x62'
bin roles-constructed-utf8.der       '\x30\x07\x2c\x05\x0c\x03\x61\x62\x63'
bin roles-empty-string.der           '\x30\x02\x0c\x00'
bin roles-bare-utf8string.der        '\x0c\x01\x61'

# IB1 member extension values (decodeIb1Member must refuse each).
bin member-printable.der             '\x13\x01\x61'
bin member-ia5.der                   '\x16\x01\x61'
bin member-in-sequence.der           '\x30\x03\x0c\x01\x61'
bin member-trailing-byte.der         '\x0c\x01\x61\x00'
bin member-nonminimal-length.der     '\x0c\x81\x01\x61'
bin member-empty-input.der           ''
bin member-empty-string.der          '\x0c\x00'
bin member-newline.der               '\x0c\x02\x61\x0a'
bin member-truncated.der             '\x0c\x05\x61'

# Certificates: a throwaway self-signed certificate is the starting point.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$tmp/key.pem" \
  -subj "/CN=vector" -days 1 -out "$tmp/cert.pem" 2>/dev/null
openssl x509 -in "$tmp/cert.pem" -outform DER -out "$tmp/cert.der"
size=$(stat -c %s "$tmp/cert.der")
{ cat "$tmp/cert.der"; printf '\x00'; } > cert-trailing-byte.der
head -c $((size - 1)) "$tmp/cert.der" > cert-truncated.der
{ cat "$tmp/cert.der"; cat "$tmp/cert.der"; } > cert-two-concatenated.der
# The outer SEQUENCE's length (two-byte long form) one larger than the content present.
len=$((size - 4 + 1))
{ printf "\\x30\\x82\\x$(printf %02x $((len >> 8)))\\x$(printf %02x $((len & 255)))"; tail -c +5 "$tmp/cert.der"; } > cert-bad-outer-length.der

# PEM where one certificate is expected (Certificate::fromPem must refuse each).
body=$(sed -n '/BEGIN/,/END/p' "$tmp/cert.pem" | sed '1d;$d')
cp "$tmp/key.pem" pem-private-key.pem
{ echo "-----BEGIN TRUSTED CERTIFICATE-----"; echo "$body"; echo "-----END TRUSTED CERTIFICATE-----"; } > pem-trusted-certificate.pem
{ echo "-----BEGIN CERTIFICATE-----"; echo "$body"; echo "-----END X509 CRL-----"; } > pem-mismatched-end.pem
{ echo "-----BEGIN CERTIFICATE-----"; echo "$body" | sed '2s/^./*/'; echo "-----END CERTIFICATE-----"; } > pem-bad-base64-char.pem
{ echo "-----BEGIN CERTIFICATE-----"; echo "$body" | sed '$s/.$//'; echo "-----END CERTIFICATE-----"; } > pem-truncated-base64.pem
cat "$tmp/cert.pem" "$tmp/cert.pem" > pem-two-certificates.pem
{ echo "-----BEGIN CERTIFICATE-----"; echo "Proc-Type: 4,ENCRYPTED"; echo; echo "$body"; echo "-----END CERTIFICATE-----"; } > pem-encapsulated-header.pem
{ echo "-----END CERTIFICATE-----"; cat "$tmp/cert.pem"; } > pem-end-before-begin.pem
sed '$d' "$tmp/cert.pem" > pem-missing-end.pem
{ echo "-----BEGIN CERTIFICATE-----"; echo "-----END CERTIFICATE-----"; } > pem-empty-body.pem
cat "$tmp/cert.pem" "$tmp/key.pem" > pem-cert-and-key.pem

# Forwarded-certificate header values (decodeForwardedCert with the format in the name must
# refuse each). fwd-<format>-<defect>.txt; the file content is the header value, no newline.
urlenc() { od -An -tx1 -v | tr -d ' \n' | sed 's/../%&/g'; }
good_url=$(urlenc < "$tmp/cert.pem")
printf '%s' "${good_url}%G1" > fwd-url-encoded-pem-bad-escape.txt
printf '%s' "${good_url}%4" > fwd-url-encoded-pem-truncated-escape.txt
printf '%s' "$(urlenc < pem-private-key.pem)" > fwd-url-encoded-pem-private-key.txt
printf '%s' "X${good_url}" > fwd-url-encoded-pem-leading-text.txt
printf '%s' "$(tr '\n' '\t' < "$tmp/cert.pem" | sed 's/\t/ /g; s/CERTIFICATE/CERTIFICATE REQUEST/g')" > fwd-pem-wrong-label.txt
printf '%s' "$(base64 -w 64 "$tmp/cert.der")" > fwd-base64-der-with-newlines.txt
printf '%s' "$(base64 -w 0 "$tmp/cert.der" | tr '+/' '-_' | tr -d '=')" > fwd-base64-der-base64url.txt
printf ':%s:;x=1' "$(base64 -w 0 "$tmp/cert.der")" > fwd-rfc9440-with-parameter.txt
printf '%s' "$(base64 -w 0 "$tmp/cert.der")" > fwd-rfc9440-no-colons.txt
printf 'Hash=abc;Cert="%s' "$good_url" > fwd-envoy-xfcc-unterminated-quote.txt
printf 'Cert="%s";Cert="%s"' "$good_url" "$good_url" > fwd-envoy-xfcc-duplicate-cert.txt
printf 'Hash=abc,Cert="%s"' "$good_url" > fwd-envoy-xfcc-cert-only-in-second-element.txt
printf 'Cert="%s"x' "$good_url" > fwd-envoy-xfcc-junk-after-quote.txt
