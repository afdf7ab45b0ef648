#!/usr/bin/env bash
# The hub's main job on its embedded default, from a fresh Debian 12 machine:
# installs the packages, builds, creates the demo partners' keys, starts swhubd on
# config/hub.toml (data under ./var/), drives sample traffic from simulated partners
# over ZeroMQ (customs processing on: config/customs.toml), walks through customs
# clearance with the demo officers, shows the single window (declarations routed to the
# inspection and quarantine agency, answered by `swhub-agency --simulate`), shows
# cross-border e-commerce (CEB XML from a platform, a payment company, a logistics company
# and a declaring agent: config/ecommerce.toml; then the SAMPLE CEB files sent as they
# are with `swhub-ceb`), shows mutual recognition (the EU partner customs' AEO list sent by
# `swhub-foreign --simulate`, a declaration naming one of its AEOs), prints what happened,
# and stops the agency and the hub cleanly.
# Data persists in ./var across runs: every run uses fresh declaration and
# instruction ids, order numbers and buyers (suffixed with the run's UTC time); the
# SAMPLE CEB files go out once (var/ceb/<party>/.swhub-ceb.state remembers them).
set -euo pipefail
cd "$(dirname "$0")/.."

bash tools/setup.sh
build="build/release"
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DSWHUB_TESTS=OFF \
      -DSWHUB_BENCH=OFF -DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache
cmake --build "$build" -j2 --target swhubd swhub swhub-sim swhub-agency swhub-ceb swhub-foreign
swhubd="$build/tools/swhubd/swhubd"
swhub="$build/tools/swhub/swhub"
sim="$build/tools/sim/swhub-sim"
agency="$build/tools/agency/swhub-agency"
ceb="$build/tools/ceb_bridge/swhub-ceb"
foreign="$build/tools/foreign/swhub-foreign"

# SAMPLE partners of config/hub.toml: each gets its own CURVE and signing key pair.
mkdir -p var/keys
for party in ENT-DEMO-0001 ENT-DEMO-0002 BRK-DEMO-0001 AGY-DEMO-CIQ CUS-DEMO-2248 CUS-DEMO-2201 RSK-DEMO-0000 RSK-DEMO-2200 TAX-DEMO-0001 \
             PLT-DEMO-0001 PLT-DEMO-0002 PAY-DEMO-0001 LGS-DEMO-0001 AGT-DEMO-0001 OPR-DEMO-0001 FOREIGN-EU; do
  [[ -f "var/keys/$party.curve.secret" ]] || "$swhub" keygen --out "var/keys/$party" > /dev/null
done
"$swhub" config check config/hub.toml

rm -f var/endpoint
"$swhubd" --config config/hub.toml --endpoint-file var/endpoint 2> var/swhubd.log &
hub_pid=$!
agency_pid=""
stop_agency() {
  if [[ -n "$agency_pid" ]] && kill -0 "$agency_pid" 2> /dev/null; then
    kill -TERM "$agency_pid"
    wait "$agency_pid" || true
  fi
  agency_pid=""
}
stop_hub() {
  stop_agency
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
run=$(date -u +%y%m%d-%H%M%S)
connect=(--endpoint "$endpoint" --hub-key var/keys/hub.curve.pub)

echo
echo "== 1. simulated partners: declarations (customs admissible), a re-send, a reused id, bad input, routing"
"$sim" demo "${connect[@]}" --keys-dir var/keys

# The inspection and quarantine agency (config/customs.toml [[agency]] "ciq") on the hub:
# swhub-agency decides the declarations routed to AGY-DEMO-CIQ (simulated: 90 % approved,
# 10 % asking for an inspection, after 300 ms), remembering its decisions in var/.
# Started after step 1, which connects as AGY-DEMO-CIQ itself: the hub sends a party's
# notifications to its connection that sent the latest frame.
"$agency" "${connect[@]}" --key var/keys/AGY-DEMO-CIQ --state var/agency-ciq.state \
  --simulate --approve 90 --inspect 10 --latency-ms 300 2> var/swhub-agency.log &
agency_pid=$!
echo
echo "== swhub-agency for AGY-DEMO-CIQ started (pid $agency_pid, log: var/swhub-agency.log)"

echo
echo "== 2. the CLI: a sample declaration written as JSON, its status, an amendment, the tax payment"
# config/samples/*.json name declaration SAMPLE-IM-2026-000001; a declarationId is
# lodged once per declarant, so this run's copies carry their own.
for f in declaration amendment tax-payment; do
  sed "s/SAMPLE-IM-2026-000001/SAMPLE-IM-$run/g" "config/samples/$f.json" > "var/demo-$f.json"
done
msg_id=$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')
"$swhub" submit "${connect[@]}" --key var/keys/ENT-DEMO-0001 --type customs.declaration \
  --file var/demo-declaration.json --message-id "$msg_id" | tee var/demo-receipt.json
"$swhub" status "${connect[@]}" --key var/keys/ENT-DEMO-0001 --message-id "$msg_id"
echo "-- amended before release (100 battery packs, not 120): the amount due is assessed again"
"$swhub" submit "${connect[@]}" --key var/keys/ENT-DEMO-0001 --type customs.amendment \
  --file var/demo-amendment.json
"$swhub" status "${connect[@]}" --key var/keys/ENT-DEMO-0001 --message-id "$msg_id"
echo "-- the tax paid: released"
"$swhub" submit "${connect[@]}" --key var/keys/ENT-DEMO-0001 --type customs.tax-payment \
  --file var/demo-tax-payment.json
"$swhub" status "${connect[@]}" --key var/keys/ENT-DEMO-0001 --message-id "$msg_id"

echo
echo "== 3. load: 4 partners, 2,000 declarations/s for 3 s (open loop)"
"$sim" load "${connect[@]}" \
  --key var/keys/ENT-DEMO-0001 --key var/keys/ENT-DEMO-0002 \
  --key var/keys/BRK-DEMO-0001 --connections 4 --rate 2000 --duration-s 3

echo
echo "== 4. what is stored"
"$swhub" db stat --config config/hub.toml

echo
echo "== 5. customs clearance with the demo parties: guarantee, payment, control instruction,"
echo "      examination, a level-2 proposal, an amendment, bad declarations"
"$sim" customs "${connect[@]}" --keys-dir var/keys --run-id "$run"
echo "-- why SIM-CUS-$run-EXAM was examined (the recorded lane decision, replayed: swhub customs explain)"
explain=$("$swhub" customs explain --config config/hub.toml --declarant ENT-DEMO-0001 \
  --declaration-id "SIM-CUS-$run-EXAM")
echo "$explain"
echo "   => $(sed -n 's/.*"explanation":"\([^"]*\)".*/\1/p' <<< "$explain")"
echo "-- the lane of SIM-CUS-$run-GUAR (no rule matched: the random draw of its credit tier decided)"
explain=$("$swhub" customs explain --config config/hub.toml --declarant ENT-DEMO-0001 \
  --declaration-id "SIM-CUS-$run-GUAR")
echo "   => $(sed -n 's/.*"explanation":"\([^"]*\)".*/\1/p' <<< "$explain")"
echo "-- the case SIM-CUS-$run-EXAM as stored (swhub customs case)"
"$swhub" customs case --config config/hub.toml --declarant ENT-DEMO-0001 \
  --declaration-id "SIM-CUS-$run-EXAM"

echo
echo "== 6. the single window: goods routed to the inspection and quarantine agency (swhub-agency),"
echo "      a mixed declaration, goods that need no agency, an answer for a case not routed to it"
kill -0 "$agency_pid" 2> /dev/null || { cat var/swhub-agency.log; exit 1; }
"$sim" single-window "${connect[@]}" --keys-dir var/keys --run-id "$run"
echo "-- the case SIM-SW-$run-BERRY as stored (swhub customs case: its \"agencies\")"
"$swhub" customs case --config config/hub.toml --declarant ENT-DEMO-0001 \
  --declaration-id "SIM-SW-$run-BERRY"
echo "-- swhub-agency: $(grep -c '"event":"decided"' var/swhub-agency.log || true) case(s) decided in this run"

echo
echo "== 7. cross-border e-commerce: platform, payment company, logistics company and declaring"
echo "      agent send CEB XML as to China E-Port: a parcel matched and released, a batch of 50"
echo "      orders, a mismatch, a quota refusal, a return giving the quota back"
"$sim" ecommerce "${connect[@]}" --keys-dir var/keys --run-id "$run"

# Sends CEB files with swhub-ceb as `party` (receipts into var/ceb/<dir>) and prints
# what was sent and the receipt files written. Unsigned envelopes: the CEB messages
# carry the enterprise's ds:Signature, and hub.toml registers no envelope key for them.
ceb_send() {
  local party=$1 dir=$2 out
  shift 2
  if ! out=$("$ceb" send "${connect[@]}" --no-sign --key "var/keys/$party" \
               --out "var/ceb/$dir" "$@"); then
    echo "$out"
    echo "== swhub-ceb send as $party failed"
    return 1
  fi
  echo "   $party: $(grep -c '"status":"accepted"' <<< "$out" || true) file(s) sent and accepted," \
       "$(grep -c '"status":"already-sent"' <<< "$out" || true) sent in an earlier run"
  local line file statuses wrote=0
  while IFS= read -r line; do
    file=$(sed -n 's/.*"saved":"\([^"]*\)".*/\1/p' <<< "$line")
    [[ -n "$file" ]] || continue
    statuses=$(grep -o '"returnStatus":"[^"]*"' <<< "$line" | cut -d'"' -f4 | sort | uniq -c \
               | awk '{printf "%s%s x %s", sep, $1, $2; sep=", "}')
    echo "      wrote $file ($statuses)"
    wrote=$((wrote + 1))
  done <<< "$out"
  if [[ $wrote -eq 0 ]]; then
    echo "      receipt files from earlier runs:" $(cd "var/ceb/$dir" && ls -- *.xml 2> /dev/null)
  fi
}
echo "-- the SAMPLE files of config/samples/ceb sent as they are with swhub-ceb (each enterprise"
echo "   its own folder; the inventory last, so the parcel is released while the agent waits)"
ceb_send PLT-DEMO-0001 platform config/samples/ceb/platform
ceb_send PAY-DEMO-0001 payment config/samples/ceb/payment
ceb_send LGS-DEMO-0001 logistics config/samples/ceb/logistics
ceb_send AGT-DEMO-0001 agent config/samples/ceb/agent/parcel-0001-inventory.xml

echo
echo "== 8. mutual recognition with the EU (config/foreign.toml EU-CN): the partner customs'"
echo "      bridge sends its SAMPLE AEO list and a delta (swhub-foreign --simulate); a"
echo "      declaration naming one of those AEOs as consignor gets the MRA benefit"
"$foreign" "${connect[@]}" --key var/keys/FOREIGN-EU --state var/foreign-eu.state \
  --simulate --records 20 --deltas 1 --delta-every-s 1 > var/swhub-foreign.out 2> var/swhub-foreign.log
echo "   swhub-foreign: $(grep -c '"kind":"foreign.aeo-receipt"' var/swhub-foreign.out || true) receipt(s) from the hub"
echo "-- what the hub holds of the EU list (swhub foreign partners)"
"$swhub" foreign partners --config config/hub.toml
aeo=$("$swhub" foreign aeo --config config/hub.toml --arrangement EU-CN \
      | grep '"status":"valid"' | grep '"recognised":true' | head -1 | sed -n 's/.*"id":"\([^"]*\)".*/\1/p')
[[ -n "$aeo" ]] || { echo "no valid recognised EU AEO held"; exit 1; }
sed -e "s/SAMPLE-IM-2026-000001/SAMPLE-IM-MRA-$run/g" \
    -e "s/\"customsUnit\": \"2248\",/\"customsUnit\": \"2248\", \"foreignOperators\": [{\"role\": \"consignor\", \"aeoId\": \"$aeo\"}],/" \
    config/samples/declaration.json > var/demo-mra-declaration.json
"$swhub" submit "${connect[@]}" --key var/keys/ENT-DEMO-0001 --type customs.declaration \
  --file var/demo-mra-declaration.json > /dev/null
explain=$("$swhub" customs explain --config config/hub.toml --declarant ENT-DEMO-0001 \
  --declaration-id "SAMPLE-IM-MRA-$run")
echo "-- why SAMPLE-IM-MRA-$run got its lane (consignor $aeo)"
echo "   => $(sed -n 's/.*"explanation":"\([^"]*\)".*/\1/p' <<< "$explain")"
grep -q "recognised AEO under EU-CN" <<< "$explain" || { echo "the MRA benefit is missing"; exit 1; }

stop_hub
trap - EXIT
echo
echo "== swhubd stopped: $(grep -o '"msg":"stopped[^"]*"' var/swhubd.log | tail -1)"
echo "== $(grep -o '"msg":"customs: [^"]*"' var/swhubd.log | tail -1)"
echo "== $(grep -o '"msg":"ecommerce: [^"]*"' var/swhubd.log | tail -1)"

echo
echo "== 9. offline checks: the hub-signed receipt, and the evidence log of the data"
"$swhub" receipt verify var/demo-receipt.json --hub-key var/keys/hub.sign.pub.pem \
  --message-id "$msg_id" --party ENT-DEMO-0001
"$swhub" audit verify --config config/hub.toml --hub-key var/keys/hub.sign.pub.pem \
  --witness var/demo-receipt.json
