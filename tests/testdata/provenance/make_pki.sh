#!/usr/bin/env bash
# Test-only signing PKI for provenance, made with the openssl CLI (PERSEUS.md, Certificates):
#   root     EC P-384, CA, basicConstraints critical, keyUsage critical (digitalSignature,
#            keyCertSign, cRLSign), SKI; serial 1001
#   issuer   EC P-256, CA pathlen 0 (critical), keyUsage critical; serial 2001
#   edp      signing leaf: EC P-256, keyUsage critical digitalSignature, no EKU, SAN URI = CN =
#            application URL, IB1 roles [energy-data-provider] and member; serial 123456
#   cap      the same with role carbon-accounting-provider only; serial 98765
# and defective ones, each named after its defect (used by the unit tests):
#   issuer-bc-noncrit (2002) + leaf-under-bc-noncrit (3001): CA basicConstraints not critical
#   issuer-no-kcs     (2003) + leaf-under-no-kcs     (3002): CA keyUsage without keyCertSign
#   leaf-critical-ext (3003): an unknown critical extension 1.3.6.1.4.1.99999.1
#   leaf-eku-server   (3004): extendedKeyUsage serverAuth only (no clientAuth)
#   leaf-no-roles     (3005): no IB1 roles extension
#   leaf-two-uris     (3006): two SAN URIs
#   leaf-p384         (3007): EC P-384 key
#   other-root (1002) + other-issuer (2004) + leaf-other (3008): a chain to a root nobody trusts
# Usage: make_pki.sh OUTDIR [DAYS]   (DAYS: leaf/issuer validity, default 365)
set -euo pipefail
out=$1
days=${2:-365}
mkdir -p "$out"
cd "$out"

tf=https://registry.core.trust.ib1.org
edp_role=$tf/scheme/perseus/role/energy-data-provider
cap_role=$tf/scheme/perseus/role/carbon-accounting-provider

key() { openssl genpkey -algorithm EC -pkeyopt "ec_paramgen_curve:$2" -out "$1.key" 2>/dev/null; }

cat > ext.cnf <<CNF
[req]
distinguished_name = dn
[dn]
[root]
basicConstraints = critical, CA:TRUE
keyUsage = critical, digitalSignature, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[issuer]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, digitalSignature, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[issuer_bc_noncrit]
basicConstraints = CA:TRUE, pathlen:0
keyUsage = critical, digitalSignature, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[issuer_no_kcs]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, digitalSignature, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[edp_roles]
role.0 = UTF8String:$edp_role
[cap_roles]
role.0 = UTF8String:$cap_role
CNF

leaf_section() {  # name app roles_section [extra lines...]
  local name=$1 app=$2 roles=$3
  shift 3
  {
    echo "[$name]"
    echo "keyUsage = critical, digitalSignature"
    echo "subjectKeyIdentifier = hash"
    echo "authorityKeyIdentifier = keyid:always"
    echo "subjectAltName = URI:$app"
    if [ "$roles" != none ]; then echo "1.3.6.1.4.1.62329.1.1 = ASN1:SEQUENCE:$roles"; fi
    echo "1.3.6.1.4.1.62329.1.3 = ASN1:UTF8String:https://directory.core.trust.ib1.org/m/$name"
    for line in "$@"; do echo "$line"; done
  } >> ext.cnf
}

root() {  # name serial cn
  key "$1" P-384
  openssl req -x509 -new -key "$1.key" -subj "/C=GB/ST=London/O=Test Trust Framework/CN=$3" \
    -days 9132 -set_serial "$2" -config ext.cnf -extensions root -out "$1.pem"
}

issue() {  # name serial curve subject ca_name section days
  key "$1" "$3"
  openssl req -new -key "$1.key" -subj "$4" -config ext.cnf -out "$1.csr"
  openssl x509 -req -in "$1.csr" -CA "$5.pem" -CAkey "$5.key" -set_serial "$2" -days "$7" \
    -extfile ext.cnf -extensions "$6" -out "$1.pem" 2>/dev/null
  rm "$1.csr"
}

leaf() {  # name serial curve ca_name org roles [extra...]
  local name=$1 serial=$2 curve=$3 ca=$4 org=$5 roles=$6
  shift 6
  local app=https://directory.core.trust.ib1.org/a/$name
  leaf_section "$name" "$app" "$roles" "$@"
  issue "$name" "$serial" "$curve" "/C=GB/O=$org/CN=${app//\//\\/}" "$ca" "$name" "$days"
  cat "$name.pem" "$ca.pem" > "$name-bundle.pem"
}

root root 1001 "Test Trust Framework Signing CA"
issue issuer 2001 P-256 "/C=GB/ST=London/O=Test Trust Framework/CN=Test Trust Framework Signing Issuer" \
  root issuer "$days"
leaf edp 123456 P-256 issuer "Example Energy Ltd" edp_roles
leaf cap 98765 P-256 issuer "Carbon Counters Ltd" cap_roles

issue issuer-bc-noncrit 2002 P-256 "/C=GB/O=Test Trust Framework/CN=Issuer BC not critical" \
  root issuer_bc_noncrit "$days"
leaf leaf-under-bc-noncrit 3001 P-256 issuer-bc-noncrit "Example Energy Ltd" edp_roles
issue issuer-no-kcs 2003 P-256 "/C=GB/O=Test Trust Framework/CN=Issuer without keyCertSign" \
  root issuer_no_kcs "$days"
leaf leaf-under-no-kcs 3002 P-256 issuer-no-kcs "Example Energy Ltd" edp_roles
leaf leaf-critical-ext 3003 P-256 issuer "Example Energy Ltd" edp_roles \
  "1.3.6.1.4.1.99999.1 = critical, ASN1:UTF8String:must be understood"
leaf leaf-eku-server 3004 P-256 issuer "Example Energy Ltd" edp_roles "extendedKeyUsage = serverAuth"
leaf leaf-no-roles 3005 P-256 issuer "Example Energy Ltd" none
leaf leaf-two-uris 3006 P-256 issuer "Example Energy Ltd" edp_roles \
  "subjectAltName = URI:https://a.example/1, URI:https://a.example/2"
leaf leaf-p384 3007 P-384 issuer "Example Energy Ltd" edp_roles

root other-root 1002 "Some Other Signing CA"
issue other-issuer 2004 P-256 "/C=GB/O=Other/CN=Other Issuer" other-root issuer "$days"
leaf leaf-other 3008 P-256 other-issuer "Example Energy Ltd" edp_roles
rm -f ext.cnf
