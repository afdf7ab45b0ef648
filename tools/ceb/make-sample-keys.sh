#!/usr/bin/env bash
# SAMPLE signing keys and self-signed certificates of the demo CEB enterprises
# (config/ecommerce.toml), made with the openssl CLI the way a test lab would:
# SM2 with SM3 (the E-Port certificates of 2022), RSA-2048 (older cards, RSA-SHA1) and
# EC P-256. Written to config/samples/ceb/keys/ and committed: they are demo keys,
# published on purpose; never register them for a real enterprise.
# Usage: tools/ceb/make-sample-keys.sh [dir]   (existing files are kept)
set -euo pipefail
dir=${1:-"$(dirname "$0")/../../config/samples/ceb/keys"}
mkdir -p "$dir"
make() { # party algorithm
  local p=$1 alg=$2 key="$dir/$1.key.pem" crt="$dir/$1.cert.pem"
  [[ -f $key && -f $crt ]] && return 0
  case $alg in
    sm2) openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:SM2 -out "$key"
         openssl req -x509 -new -key "$key" -sm3 -sigopt distid:1234567812345678 \
           -subj "/CN=$p/O=SAMPLE swhub demo/C=CN" -days 3650 -out "$crt" ;;
    rsa) openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$key"
         openssl req -x509 -new -key "$key" -sha256 -subj "/CN=$p/O=SAMPLE swhub demo/C=CN" \
           -days 3650 -out "$crt" ;;
    p256) openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$key"
          openssl req -x509 -new -key "$key" -sha256 -subj "/CN=$p/O=SAMPLE swhub demo/C=CN" \
            -days 3650 -out "$crt" ;;
  esac
}
make PLT-DEMO-0001 sm2
make PLT-DEMO-0002 p256
make PAY-DEMO-0001 rsa
make LGS-DEMO-0001 p256
make AGT-DEMO-0001 sm2
make OPR-DEMO-0001 p256
