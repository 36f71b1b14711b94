#!/usr/bin/env bash
# Regenerates tests/testdata/jose/{keys,negative}/ with the openssl CLI only (no gridgate code), so
# that every file is independent evidence. Deterministic except x5c_header.jws (fresh cert) and
# the ES256 files (ECDSA signatures are randomised); Ed25519 signatures are deterministic.
#
#   tests/testdata/jose/make_vectors.sh      # then review `git diff` and the README table
#
# Trusted keys (the test's Verifier pins them): RFC 8037 A.1 Ed25519 (EdDSA, kid "ed-1") and
# RFC 7515 A.3 P-256 (ES256, kid "ec-1"). The attacker's key is RFC 8032 TEST 2 (Ed25519).
# Claims are valid at the test's FakeClock (1700000000) unless the defect is about them.
set -euo pipefail
cd "$(dirname "$0")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

b64u() { basenc --base64url -w0 | tr -d '='; }
b64u_str() { printf '%s' "$1" | b64u; }
hex_of_b64u() { local s=$1; while (( ${#s} % 4 )); do s+='='; done; printf '%s' "$s" | basenc --base64url -d | xxd -p -c 256; }

# --- keys -------------------------------------------------------------------------------------
ed_seed=$(hex_of_b64u nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A)                   # RFC 8037 A.1
atk_seed=4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb          # RFC 8032 TEST 2
ec_d=$(hex_of_b64u jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI)                     # RFC 7515 A.3
ec_x=$(hex_of_b64u f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU)
ec_y=$(hex_of_b64u x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0)
# PKCS#8 Ed25519 = fixed prefix || seed; SEC1 EC private key = prefix || d || curve || point.
printf '302e020100300506032b657004220420%s' "$ed_seed" | xxd -r -p |
  openssl pkey -inform DER -out keys/ed25519_rfc8037.pem
printf '302e020100300506032b657004220420%s' "$atk_seed" | xxd -r -p |
  openssl pkey -inform DER -out keys/ed25519_attacker.pem
printf '30770201010420%sa00a06082a8648ce3d030107a14403420004%s%s' "$ec_d" "$ec_x" "$ec_y" |
  xxd -r -p | openssl pkey -inform DER -out keys/p256_rfc7515.pem
openssl pkey -in keys/p256_rfc7515.pem -pubout -out keys/p256_rfc7515.pub.pem
atk_x=$(openssl pkey -in keys/ed25519_attacker.pem -pubout -outform DER | tail -c 32 | b64u)

# --- signing helpers (header JSON text, payload JSON text) -> compact JWS on stdout -------------
sign_ed() {  # $1 header, $2 payload, $3 key (default: trusted Ed25519)
  local input; input="$(b64u_str "$1").$(b64u_str "$2")"
  printf '%s' "$input" >"$tmp/in"
  openssl pkeyutl -sign -inkey "${3:-keys/ed25519_rfc8037.pem}" -rawin -in "$tmp/in" -out "$tmp/sig"
  printf '%s.%s' "$input" "$(b64u <"$tmp/sig")"
}
der_sig_es256() {  # signs $1 (signing input) with the P-256 key; DER signature in $tmp/der
  printf '%s' "$1" >"$tmp/in"
  openssl dgst -sha256 -sign keys/p256_rfc7515.pem -out "$tmp/der" "$tmp/in"
}
sign_es256() {  # JOSE r||s: the two INTEGERs of the DER signature, each left-padded to 32 bytes
  local input; input="$(b64u_str "$1").$(b64u_str "$2")"
  der_sig_es256 "$input"
  local raw=""
  for int in $(openssl asn1parse -inform DER -in "$tmp/der" | awk -F: '/INTEGER/ {print $NF}'); do
    raw+=$(printf '%64s' "$int" | tr ' ' 0)
  done
  printf '%s.%s' "$input" "$(printf '%s' "$raw" | xxd -r -p | b64u)"
}
out() { printf '%s' "$2" >"negative/$1"; }

now=1700000000
claims() {  # $1: extra/overriding members as JSON text, merged by jq (jq keeps the last duplicate)
  jq -cn --argjson extra "${1:-{\}}" \
    '{iss:"https://as.example",aud:"https://rs.example",sub:"alice",client_id:"c1",
      iat:1700000000,exp:1700000300,jti:"n-1",scope:"meter:read"} + $extra'
}
H='{"alg":"EdDSA","kid":"ed-1","typ":"at+jwt"}'
P=$(claims)

# --- positive controls (must pass: they show the negatives fail only by their defect) ----------
out valid_eddsa.jws "$(sign_ed "$H" "$P")"
out valid_es256.jws "$(sign_es256 '{"alg":"ES256","kid":"ec-1","typ":"at+jwt"}' "$P")"
mv negative/valid_*.jws .

# --- algorithm --------------------------------------------------------------------------------
out alg_none_empty_sig.jws "$(b64u_str '{"alg":"none","typ":"at+jwt"}').$(b64u_str "$P")."
out alg_none_with_sig.jws "$(sign_ed '{"alg":"none","kid":"ed-1","typ":"at+jwt"}' "$P")"
hs256() {  # $1 header, $2 payload, $3 file holding the HMAC key
  local input; input="$(b64u_str "$1").$(b64u_str "$2")"
  printf '%s' "$input" | openssl dgst -sha256 -mac HMAC -macopt "hexkey:$(xxd -p -c 4096 <"$3")" \
    -binary | b64u | { read -r s; printf '%s.%s' "$input" "$s"; }
}
out hs256_ec_spki_pem_secret.jws \
  "$(hs256 '{"alg":"HS256","kid":"ec-1","typ":"at+jwt"}' "$P" keys/p256_rfc7515.pub.pem)"
printf '04%s%s' "$ec_x" "$ec_y" | xxd -r -p >"$tmp/point"
out hs256_ec_point_secret.jws "$(hs256 '{"alg":"HS256","kid":"ec-1","typ":"at+jwt"}' "$P" "$tmp/point")"
out es512_rfc7515_a4.jws 'eyJhbGciOiJFUzUxMiJ9.UGF5bG9hZA.AdwMgeerwtHoh-l192l60hp9wAHZFVJbLfD_UxMi70cwnZOYaRI1bKPWROc-mZZqwqT2SI-KGDKB34XO0aw_7XdtAG8GaSwFKdCAPZgoXD2YBJZCPEX3xKpRwcdOO8KpEHwJjyqOgzDO7iKvU8vcnwNrmxYbSW9ERBXukOXolLzeO_Jn'
out alg_es256_signed_by_ed25519.jws "$(sign_ed '{"alg":"ES256","kid":"ec-1","typ":"at+jwt"}' "$P")"
out alg_lowercase.jws "$(sign_ed '{"alg":"eddsa","kid":"ed-1","typ":"at+jwt"}' "$P")"
input="$(b64u_str '{"alg":"ES256","kid":"ec-1","typ":"at+jwt"}').$(b64u_str "$P")"
der_sig_es256 "$input"
out es256_der_signature.jws "$input.$(b64u <"$tmp/der")"

# --- header members that bring keys or extensions ---------------------------------------------
out jku_header.jws "$(sign_ed '{"alg":"EdDSA","kid":"ed-1","typ":"at+jwt","jku":"https://attacker.example/jwks"}' "$P")"
out x5u_header.jws "$(sign_ed '{"alg":"EdDSA","kid":"ed-1","typ":"at+jwt","x5u":"https://attacker.example/cert.pem"}' "$P")"
out jwk_header_attacker_key.jws "$(sign_ed "{\"alg\":\"EdDSA\",\"kid\":\"ed-1\",\"typ\":\"at+jwt\",\"jwk\":{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"$atk_x\"}}" "$P" keys/ed25519_attacker.pem)"
openssl req -x509 -new -key keys/ed25519_attacker.pem -subj /CN=attacker -days 1 -outform DER \
  -out "$tmp/cert.der" 2>/dev/null
out x5c_header.jws "$(sign_ed "{\"alg\":\"EdDSA\",\"kid\":\"ed-1\",\"typ\":\"at+jwt\",\"x5c\":[\"$(base64 -w0 <"$tmp/cert.der")\"]}" "$P" keys/ed25519_attacker.pem)"
out crit_unknown.jws "$(sign_ed '{"alg":"EdDSA","kid":"ed-1","typ":"at+jwt","crit":["urn:example:ext"],"urn:example:ext":true}' "$P")"
out crit_empty.jws "$(sign_ed '{"alg":"EdDSA","kid":"ed-1","typ":"at+jwt","crit":[]}' "$P")"
out b64_false.jws "$(sign_ed '{"alg":"EdDSA","kid":"ed-1","typ":"at+jwt","b64":false,"crit":["b64"]}' "$P")"
out kid_unknown.jws "$(sign_ed '{"alg":"EdDSA","kid":"unknown","typ":"at+jwt"}' "$P")"
out dup_alg_header.jws "$(sign_ed '{"alg":"EdDSA","alg":"none","kid":"ed-1","typ":"at+jwt"}' "$P")"
out header_not_object.jws "$(sign_ed '"EdDSA"' "$P")"
out header_alg_not_string.jws "$(sign_ed '{"alg":["EdDSA"],"kid":"ed-1","typ":"at+jwt"}' "$P")"
out header_alg_missing.jws "$(sign_ed '{"kid":"ed-1","typ":"at+jwt"}' "$P")"
printf '{"alg":"EdDSA","kid":"ed-\xff","typ":"at+jwt"}' >"$tmp/h"
input="$(b64u <"$tmp/h").$(b64u_str "$P")"
printf '%s' "$input" >"$tmp/in"
openssl pkeyutl -sign -inkey keys/ed25519_rfc8037.pem -rawin -in "$tmp/in" -out "$tmp/sig"
out header_invalid_utf8.jws "$input.$(b64u <"$tmp/sig")"

# --- encoding and structure -------------------------------------------------------------------
V=$(cat valid_eddsa.jws)
out padded_signature.jws "$V=="
h=${V%%.*}; rest=${V#*.}
out padded_header.jws "$h==.$rest"   # 44-char header + "==" : padding where JOSE forbids it
out standard_base64_char.jws "${V%?}+"
# 64-byte signature = 86 chars, the last one carrying 2 unused bits: make them non-zero.
last=${V: -1}
alphabet=ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_
idx=$(( $(expr index "$alphabet" "$last") - 1 ))
out noncanonical_trailing_bits.jws "${V%?}${alphabet:$(( (idx & ~3) | 1 )):1}"
out trailing_segment.jws "$V.e30"
out trailing_newline.jws "$V"$'\n'
out trailing_space.jws "$V "
out leading_space.jws " $V"
out one_dot.jws "${V%.*}"
out no_dot.jws "${V%%.*}"
out empty.jws ""
out signature_truncated.jws "${V%??}"   # 84 chars: a canonical 63-byte signature
out signature_stripped.jws "${V%.*}."
printf '%s' "$V" | head -c 100 >negative/cut_at_100.jws

# --- claims -----------------------------------------------------------------------------------
out typ_jwt.jws "$(sign_ed '{"alg":"EdDSA","kid":"ed-1","typ":"JWT"}' "$P")"
out typ_missing.jws "$(sign_ed '{"alg":"EdDSA","kid":"ed-1"}' "$P")"
out expired.jws "$(sign_ed "$H" "$(claims "{\"iat\":$((now - 600)),\"exp\":$((now - 1))}")")"
out exp_missing.jws "$(sign_ed "$H" "$(claims '{}' | jq -c 'del(.exp)')")"
out exp_string.jws "$(sign_ed "$H" "$(claims "{\"exp\":\"$((now + 300))\"}")")"
out nbf_61s_ahead.jws "$(sign_ed "$H" "$(claims "{\"nbf\":$((now + 61))}")")"
out iat_61s_ahead.jws "$(sign_ed "$H" "$(claims "{\"iat\":$((now + 61))}")")"
out iss_wrong.jws "$(sign_ed "$H" "$(claims '{"iss":"https://attacker.example"}')")"
out aud_wrong.jws "$(sign_ed "$H" "$(claims '{"aud":["https://other-rs.example"]}')")"
out aud_number.jws "$(sign_ed "$H" "$(claims '{"aud":42}')")"
out jti_missing.jws "$(sign_ed "$H" "$(claims '{}' | jq -c 'del(.jti)')")"
out payload_not_object.jws "$(sign_ed "$H" '["alice"]')"
out payload_dup_sub.jws "$(sign_ed "$H" "$(claims '{}' | sed 's/"sub":"alice"/"sub":"alice","sub":"admin"/')")"
out payload_not_json.jws "$(sign_ed "$H" 'iss=https://as.example')"
out oversized.jws "$(sign_ed "$H" "$(claims "{\"pad\":\"$(head -c 17000 /dev/zero | tr '\0' a)\"}")")"
echo "wrote $(ls negative | wc -l) negative vectors"
