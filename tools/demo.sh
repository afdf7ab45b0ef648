#!/usr/bin/env bash
# The hub's main job on its embedded default, from a fresh Debian 12 machine:
# installs the packages, builds, creates the demo partners' keys, starts swhubd on
# config/hub.toml (data under ./var/), drives sample traffic from simulated partners
# over ZeroMQ, prints what happened, and stops the hub cleanly.
set -euo pipefail
cd "$(dirname "$0")/.."

bash tools/setup.sh
build="build/release"
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DSWHUB_TESTS=OFF \
      -DSWHUB_BENCH=OFF -DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache
cmake --build "$build" -j2 --target swhubd swhub swhub-sim
swhubd="$build/tools/swhubd/swhubd"
swhub="$build/tools/swhub/swhub"
sim="$build/tools/sim/swhub-sim"

# SAMPLE partners of config/hub.toml: each gets its own CURVE and signing key pair.
mkdir -p var/keys
for party in ENT-DEMO-0001 ENT-DEMO-0002 BRK-DEMO-0001 AGY-DEMO-CIQ CUS-DEMO-2248 CUS-DEMO-2201 RSK-DEMO-0000 RSK-DEMO-2200 TAX-DEMO-0001; do
  [[ -f "var/keys/$party.curve.secret" ]] || "$swhub" keygen --out "var/keys/$party" > /dev/null
done
"$swhub" config check config/hub.toml

rm -f var/endpoint
"$swhubd" --config config/hub.toml --endpoint-file var/endpoint 2> var/swhubd.log &
hub_pid=$!
stop_hub() {
  if kill -0 "$hub_pid" 2> /dev/null; then
    kill -TERM "$hub_pid"
    wait "$hub_pid" || true
  fi
}
trap stop_hub EXIT
for _ in $(seq 1 200); do
  [[ -s var/endpoint ]] && break
  kill -0 "$hub_pid" 2> /dev/null || { cat var/swhubd.log; exit 1; }
  sleep 0.05
done
endpoint=$(cat var/endpoint)
echo "== swhubd ready on $endpoint (log: var/swhubd.log)"

echo
echo "== 1. simulated partners: declarations, a re-send, a reused id, bad input, routing"
"$sim" demo --endpoint "$endpoint" --hub-key var/keys/hub.curve.pub --keys-dir var/keys

echo
echo "== 2. the CLI: submit a sample declaration written as JSON, then ask its status"
msg_id=$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')
"$swhub" submit --endpoint "$endpoint" --hub-key var/keys/hub.curve.pub \
  --key var/keys/ENT-DEMO-0001 --type customs.declaration \
  --file config/samples/declaration.json --message-id "$msg_id" | tee var/demo-receipt.json
"$swhub" status --endpoint "$endpoint" --hub-key var/keys/hub.curve.pub \
  --key var/keys/ENT-DEMO-0001 --message-id "$msg_id"

echo
echo "== 3. load: 4 partners, 2,000 declarations/s for 3 s (open loop)"
"$sim" load --endpoint "$endpoint" --hub-key var/keys/hub.curve.pub \
  --key var/keys/ENT-DEMO-0001 --key var/keys/ENT-DEMO-0002 \
  --key var/keys/BRK-DEMO-0001 --connections 4 --rate 2000 --duration-s 3

echo
echo "== 4. what is stored"
"$swhub" db stat --config config/hub.toml

stop_hub
trap - EXIT
echo
echo "== swhubd stopped: $(grep -o '"msg":"stopped[^"]*"' var/swhubd.log | tail -1)"

echo
echo "== 5. offline checks: the hub-signed receipt, and the evidence log of the data"
"$swhub" receipt verify var/demo-receipt.json --hub-key var/keys/hub.sign.pub.pem \
  --message-id "$msg_id" --party ENT-DEMO-0001
"$swhub" audit verify --config config/hub.toml --hub-key var/keys/hub.sign.pub.pem
