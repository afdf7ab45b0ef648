#!/usr/bin/env bash
# Installs every Debian 12 package swhub needs to build, test and run.
# Idempotent and non-interactive; run as root (CI does) or with sudo.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build ccache pkg-config git
  libcaf-dev                      # C++ Actor Framework 0.17.6
  libcapnp-dev capnproto          # Cap'n Proto 0.9.2 (+ JSON codec)
  libzmq3-dev cppzmq-dev          # ZeroMQ 4.3.4 with CURVE
  liblmdb-dev lmdb-utils          # LMDB 0.9.24 and mdb_stat/mdb_dump
  libssl-dev openssl              # OpenSSL 3
  libtomlplusplus-dev             # strict TOML config
  libcli11-dev                    # swhub CLI
  libspdlog-dev libfmt-dev        # JSON-lines logging
  nlohmann-json3-dev              # JSON output of the CLI
  libxml2-dev libxml2-utils       # CEB XML: safe parsing, XSD validation, C14N (adapters/ceb)
  libgoogle-perftools-dev         # tcmalloc for swhubd: ~20% less CPU per message (docs/benchmarks.md)
  catch2                          # tests
  procps psmisc                   # pgrep/kill in the integration tests
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
  echo "setup: all ${#PACKAGES[@]} packages present"
  exit 0
fi
SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
