// A receipt is a promise: documents receipted before a kill -9 are all there after a
// restart, each exactly once, and re-sending one returns the original receipt.

#include <catch2/catch.hpp>

#include <atomic>
#include <mutex>
#include <set>
#include <thread>

#include <nlohmann/json.hpp>

#include "actors/core/frames.hpp"
#include "actors/store/lmdb_storage.hpp"
#include "schemas/stored.capnp.h"
#include "tests/support/hub_process.hpp"
#include "tests/support/samples.hpp"

using namespace hub;
using namespace hub::test;

namespace {

struct receipted {
  std::string party;
  bytes message_id;
  uint64_t sequence;
  bytes digest;
  outgoing doc; // kept to re-send after the restart
};

/// A load client: one connection per party, `window` envelopes in flight, until
/// `stop` or the hub stops answering. Records every accepted receipt.
void load(const hub_process& hubd, const test_party& party, std::atomic<bool>& stop,
          std::mutex& mtx, std::vector<receipted>& out) {
  zmq::context_t ctx;
  auto opts = hubd.options_for(party);
  opts.timeout = std::chrono::milliseconds{2000};
  auto c = partner_client::connect(ctx, opts);
  if (!c)
    return;
  std::map<bytes, outgoing> in_flight;
  uint64_t n = 0;
  while (!stop) {
    while (in_flight.size() < 32) {
      declaration_spec spec;
      spec.declaration_id = party.id + "-" + std::to_string(n++);
      outgoing doc;
      doc.document_type = "customs.declaration";
      doc.payload = declaration_payload(spec);
      doc.message_id = random_message_id();
      if ((*c)->send_envelope(doc))
        return;
      in_flight.emplace(doc.message_id, doc);
    }
    auto r = (*c)->next_receipt(std::chrono::milliseconds{2000});
    if (!r)
      return; // the hub died: whatever was receipted is recorded
    auto i = in_flight.find(r->message_id);
    if (i == in_flight.end())
      continue;
    if (r->status == receipt::accepted) {
      std::lock_guard<std::mutex> guard{mtx};
      out.push_back({party.id, r->message_id, r->sequence, r->digest, i->second});
    }
    in_flight.erase(i);
  }
}

} // namespace

TEST_CASE("every receipted document survives kill -9 exactly once and re-sending it "
          "returns the original receipt",
          "[integration][fault][crash]") {
  temp_dir dir;
  std::vector<test_party> parties;
  for (int i = 0; i < 4; ++i)
    parties.push_back(make_party("ENT-" + std::to_string(i), "enterprise"));
  auto cfg = write_hub_config(dir, parties);
  std::vector<receipted> got;
  // The CLI's key files for the first party (the load client keeps its keys in memory).
  REQUIRE_FALSE(write_curve_keypair(dir.file("ENT-0"), parties[0].keys));
  auto cli_id = to_hex(random_message_id());
  std::string cli_args;
  nlohmann::json cli_receipt;
  {
    hub_process hubd{dir, cfg};
    // One document through the CLI first: its receipt is a promise like any other.
    cli_args = "--endpoint " + hubd.endpoint() + " --hub-key " + dir.file("hub.curve.pub")
               + " --key " + dir.file("ENT-0");
    auto sub = run_cli("submit " + cli_args + " --type customs.declaration --file "
                       + std::string{SWHUB_SOURCE_DIR} + "/config/samples/declaration.json"
                       + " --message-id " + cli_id);
    INFO(sub.out);
    REQUIRE(sub.exit_code == 0);
    cli_receipt = nlohmann::json::parse(sub.out);
    REQUIRE(cli_receipt["status"] == "accepted");
    std::atomic<bool> stop{false};
    std::mutex mtx;
    std::vector<std::thread> threads;
    for (auto& p : parties)
      threads.emplace_back([&hubd, &p, &stop, &mtx, &got] { load(hubd, p, stop, mtx, got); });
    // Kill while the load is running at full speed.
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds{20};
    while (std::chrono::steady_clock::now() < deadline) {
      {
        std::lock_guard<std::mutex> guard{mtx};
        if (got.size() >= 3000)
          break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds{10});
    }
    hubd.kill9();
    stop = true;
    for (auto& t : threads)
      t.join();
  }
  INFO("receipted before the crash: " << got.size());
  REQUIRE(got.size() >= 100);

  hub_process hubd{dir, cfg}; // restart on the same data
  { // Check the database itself, read-only, while the hub runs.
    lmdb_options o;
    o.dir = dir.file("data");
    o.read_only = true;
    auto db = lmdb_storage::open(o);
    REQUIRE(db);
    std::set<uint64_t> sequences;
    for (auto& r : got) {
      auto raw = (*db)->get(table::documents, be64(r.sequence));
      REQUIRE(raw);
      auto msg = aligned_message::copy(raw->data(), raw->size());
      REQUIRE(msg);
      auto err = with_root<stored::StoredDocument>(*msg, ec::store_failure,
                                                   [&r](stored::StoredDocument::Reader d) {
                                                     CHECK(std::string{d.getSender()} == r.party);
                                                     auto id = d.getMessageId();
                                                     CHECK(bytes(id.begin(), id.end()) == r.message_id);
                                                     auto dg = d.getDigest();
                                                     CHECK(bytes(dg.begin(), dg.end()) == r.digest);
                                                     return caf::error{};
                                                   });
      CHECK_FALSE(err);
      CHECK(sequences.insert(r.sequence).second); // no two receipts share a document
    }
    // Exactly once: one document per dedupe record, no document without its record.
    auto counts = (*db)->counts();
    CHECK(counts["documents"] == counts["dedupe"]);
    CHECK(counts["documents"] >= got.size());
  }
  // Re-sending receipted documents returns their original receipts.
  zmq::context_t ctx;
  std::map<std::string, std::unique_ptr<partner_client>> clients;
  for (auto& p : parties)
    clients[p.id] = hubd.connect(ctx, p);
  for (size_t i = 0; i < got.size(); i += std::max<size_t>(1, got.size() / 50)) {
    auto r = clients[got[i].party]->submit(got[i].doc);
    REQUIRE(r);
    CHECK(r->status == receipt::duplicate);
    CHECK(r->sequence == got[i].sequence);
    CHECK(r->digest == got[i].digest);
  }
  // The CLI's document is there too, under the sequence its receipt promised (the
  // restarted hub listens on a new port).
  cli_args = "--endpoint " + hubd.endpoint() + " --hub-key " + dir.file("hub.curve.pub")
             + " --key " + dir.file("ENT-0");
  auto st = run_cli("status " + cli_args + " --message-id " + cli_id);
  INFO(st.out);
  REQUIRE(st.exit_code == 0);
  auto status = nlohmann::json::parse(st.out);
  CHECK(status["status"] == "accepted");
  CHECK(status["sequence"] == cli_receipt["sequence"]);
  CHECK(hubd.terminate() == 0);
}
