// Mutation fuzzing without a fuzzing engine (Debian's toolchain here has no libFuzzer):
// valid frames are bit-flipped, truncated, spliced and resized with a fixed seed, and
// every decoder a partner's bytes reach must answer with a value or an error, never
// crash or hang. The sanitizer pass of the suite runs this too.

#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <random>

#include "actors/core/frames.hpp"
#include "actors/intake/document_types.hpp"
#include "adapters/zmq/client.hpp"
#include "schemas/frame.capnp.h"
#include "tests/support/ceb_world.hpp"
#include "tests/support/hub_process.hpp"
#include "tests/support/samples.hpp"

using namespace hub;
using namespace hub::test;

namespace {

/// One random mutation of `in`.
bytes mutate(const bytes& in, std::mt19937_64& rng) {
  bytes out = in;
  auto pick = [&rng](size_t n) { return n == 0 ? 0 : static_cast<size_t>(rng() % n); };
  switch (rng() % 6) {
    case 0: // flip a few bits
      for (int i = 0, n = 1 + static_cast<int>(rng() % 8); i < n && !out.empty(); ++i)
        out[pick(out.size())] ^= static_cast<uint8_t>(1u << (rng() % 8));
      break;
    case 1: // truncate
      out.resize(pick(out.size()));
      break;
    case 2: // overwrite a word with an extreme value (pointer and size fields)
      if (out.size() >= 8) {
        auto at = pick(out.size() / 8) * 8;
        uint64_t v = (rng() % 2) ? ~uint64_t{0} : (rng() % 3 == 0 ? 0 : rng());
        for (int i = 0; i < 8; ++i)
          out[at + static_cast<size_t>(i)] = static_cast<uint8_t>(v >> (8 * i));
      }
      break;
    case 3: // duplicate a slice
      if (!out.empty()) {
        auto a = pick(out.size());
        auto len = pick(out.size() - a) + 1;
        bytes slice(out.begin() + static_cast<long>(a), out.begin() + static_cast<long>(a + len));
        out.insert(out.begin() + static_cast<long>(pick(out.size())), slice.begin(), slice.end());
      }
      break;
    case 4: // random garbage of a random size
      out.resize(pick(2048));
      for (auto& b : out)
        b = static_cast<uint8_t>(rng());
      break;
    default: // zero a region
      if (!out.empty()) {
        auto a = pick(out.size());
        std::fill(out.begin() + static_cast<long>(a),
                  out.begin() + static_cast<long>(std::min(out.size(), a + 1 + pick(64))), 0);
      }
      break;
  }
  return out;
}

/// Reads everything the gateway and intake read from a frame; returns true if it
/// decoded at all (the answer does not matter, only that there is one).
bool read_like_the_hub(const bytes& frame) {
  auto msg = aligned_message::copy(frame.data(), frame.size());
  if (!msg)
    return false;
  auto err = with_root<wire::Frame>(*msg, ec::malformed_frame, [](wire::Frame::Reader f) {
    if (f.which() != wire::Frame::ENVELOPE)
      return caf::error{};
    auto env = f.getEnvelope();
    std::string type = env.getDocumentType();
    std::string sender = env.getSender();
    auto payload = env.getPayload();
    auto sig = env.getSignature();
    (void) sig.getKeyId();
    (void) sig.getValue();
    if (auto* t = find_document_type(type))
      (void) validate_payload(*t, payload.begin(), payload.size(), validation_limits{});
    return caf::error{};
  });
  return !err;
}

} // namespace

TEST_CASE("20,000 mutated frames are each decoded or refused, never crash the decoders",
          "[fuzz][codec]") {
  std::mt19937_64 rng{20261130};
  // One seed per registered document kind, from its sample: a new kind is fuzzed as
  // soon as it has one (and the conformance test requires one).
  std::vector<bytes> seeds;
  for (auto* k : document_types()) {
    auto sample = sample_payload(k->name);
    if (!sample)
      FAIL(k->name << ": no sample payload to seed the fuzzer (tests/support/samples.cpp)");
    outgoing d;
    d.document_type = k->name;
    d.payload = std::move(*sample);
    seeds.push_back(build_envelope_frame("ENT-A", d));
  }
  seeds.push_back(build_envelope_frame("ENT-A", declaration_doc()));
  // Regression seed (issue 16): a segment count of 0, once decoded as an empty hello.
  auto zero_segments = build_envelope_frame("ENT-A", declaration_doc());
  std::fill(zero_segments.begin(), zero_segments.begin() + 4, uint8_t{0xff});
  CHECK_FALSE(read_like_the_hub(zero_segments));
  seeds.push_back(std::move(zero_segments));
  size_t decoded = 0;
  for (int i = 0; i < 20000; ++i) {
    auto frame = mutate(seeds[static_cast<size_t>(i) % seeds.size()], rng);
    if (rng() % 4 == 0) // stack a second mutation
      frame = mutate(frame, rng);
    decoded += read_like_the_hub(frame) ? 1 : 0;
  }
  // Both outcomes occur: the mutations are neither all harmless nor all fatal.
  CHECK(decoded > 100);
  CHECK(decoded < 20000);
}

TEST_CASE("the running hub answers 2,000 mutated frames and keeps serving", "[fuzz][integration]") {
  temp_dir dir;
  auto a = make_party("ENT-A", "enterprise");
  auto b = make_party("ENT-B", "enterprise");
  hub_process hubd{dir, write_hub_config(dir, {a, b})};
  zmq::context_t ctx;
  auto ca = hubd.connect(ctx, a);
  std::mt19937_64 rng{7};
  auto seed = build_envelope_frame("ENT-A", declaration_doc());
  size_t sent = 0;
  for (int i = 0; i < 2000; ++i) {
    auto frame = mutate(seed, rng);
    if (frame.empty())
      continue; // ZeroMQ carries empty parts, but the hub has nothing to answer about
    REQUIRE_FALSE(ca->send_raw(frame));
    ++sent;
  }
  // Every frame gets exactly one answer: mostly receipts (accepted ones too: a mutation
  // may still be a valid declaration), a welcome for what became a hello, a status
  // reply for what became a status query.
  for (size_t i = 0; i < sent; ++i) {
    auto answer = ca->next_frame(std::chrono::seconds{10});
    if (!answer)
      FAIL("answer " << i << " of " << sent << " missing: " << context_text(answer.error()));
  }
  CHECK_FALSE(ca->next_frame(std::chrono::milliseconds{300})); // and no more than one each
  CHECK(hubd.running());
  auto cb = hubd.connect(ctx, b);
  auto ok = cb->submit(declaration_doc("AFTER-FUZZ"));
  REQUIRE(ok);
  CHECK(ok->status == receipt::accepted);
}

TEST_CASE("a customs hub answers 1,600 mutated customs documents once each and keeps deciding",
          "[fuzz][integration][customs]") {
  temp_dir dir;
  auto ent = make_party("ENT-A", "enterprise");
  auto port = make_party("CUS-2248", "customs-officer");
  port.customs_unit = "2248";
  auto risk = make_party("RSK-0000", "risk-officer");
  risk.customs_unit = "0000";
  auto tax = make_party("TAX-1", "tax-officer");
  tax.customs_unit = "2200";
  auto credit = make_party("CRD-2200", "credit-officer");
  credit.customs_unit = "2200";
  auto agency = make_party("AGY-LIC", "agency");
  // the SAMPLE CEB enterprises (config/ecommerce.toml): CEB XML goes through its desk
  auto plt = make_party("PLT-DEMO-0001", "platform");
  auto pay = make_party("PAY-DEMO-0001", "payment-company");
  auto lgs = make_party("LGS-DEMO-0001", "logistics-company");
  auto agt = make_party("AGT-DEMO-0001", "declaring-agent");
  auto opr = make_party("OPR-DEMO-0001", "site-operator");
  auto eu = make_party("FOREIGN-EU", "foreign-customs"); // the SAMPLE partner of config/foreign.toml
  std::vector<const test_party*> parties{&ent, &port, &risk, &tax, &credit, &agency, &plt, &pay, &lgs, &agt, &opr, &eu};
  hub_settings s;
  s.ecommerce_config = write_shipped_ecommerce_config(dir);
  s.foreign_config = SWHUB_SOURCE_DIR "/config/foreign.toml";
  s.customs = customs_settings{};
  s.customs->agencies = R"T([[agency]]
id = "commerce"
name = "Ministry of Commerce licensing office, test"
party = "AGY-LIC"
licence-types = ["automatic-import-licence"]
)T";
  hub_process hubd{dir, write_hub_config(dir, {ent, port, risk, tax, credit, agency, plt, pay, lgs, agt, opr, eu}, s)};
  zmq::context_t ctx;
  std::mt19937_64 rng{11};
  declaration_spec good;
  good.importer = "GOOD-ENT";
  good.customs_unit = "2248";
  good.currency = "CNY";
  good.value = "50000.00";
  good.settlement = 1;
  instruction_spec ci;
  ci.id = "CI-FUZZ";
  ci.hs_prefixes = {"8471"};
  ci.valid_until = now_ms() + 3600000;
  struct seed_doc {
    const test_party* from;
    std::string type;
    bytes payload;
  };
  std::vector<seed_doc> seeds{
    {&ent, "customs.declaration", declaration_payload(good)},
    {&ent, "customs.amendment", amendment_payload(good.declaration_id, 0, "fix", &good)},
    {&ent, "customs.tax-payment", payment_payload(good.declaration_id, "6500.00")},
    {&port, "customs.inspection-result", inspection_payload("ENT-A", good.declaration_id, 1, "typo")},
    {&port, "customs.valuation-evidence", evidence_payload("ENT-A", good.declaration_id)},
    {&risk, "customs.control-instruction", instruction_payload(ci)},
    {&tax, "customs.advance-ruling", ruling_payload("R-FUZZ", "GOOD-ENT", "8471300000", "tablet")},
  };
  // Every other kind a desk decides is seeded with its sample, sent by a party whose
  // role may send it: a module's new kind is fuzzed through its desk automatically.
  auto roles = shipped_roles();
  for (auto* k : document_types()) {
    bool seeded = std::any_of(seeds.begin(), seeds.end(),
                              [k](const seed_doc& sd) { return sd.type == k->name; });
    if (!k->hub_desk || seeded)
      continue;
    auto sample = sample_payload(k->name);
    if (!sample)
      FAIL(k->name << ": no sample payload to seed the fuzzer (tests/support/samples.cpp)");
    auto senders = roles_that(roles, &role_config::send, k->name);
    auto from = std::find_if(parties.begin(), parties.end(), [&senders](const test_party* p) {
      return std::find(senders.begin(), senders.end(), p->role) != senders.end();
    });
    if (from == parties.end())
      FAIL(k->name << ": no party of this test may send it");
    seeds.push_back({*from, k->name, std::move(*sample)});
  }
  std::map<std::string, std::unique_ptr<partner_client>> clients;
  for (auto* p : parties)
    clients[p->id] = hubd.connect(ctx, *p);
  std::map<std::string, size_t> sent;
  for (int i = 0; i < 1600; ++i) {
    auto& sd = seeds[static_cast<size_t>(rng() % seeds.size())];
    outgoing d;
    d.document_type = sd.type;
    d.payload = (i % 8 == 0) ? sd.payload : mutate(sd.payload, rng); // some stay valid
    d.message_id = random_message_id();
    if (d.payload.empty())
      continue;
    REQUIRE_FALSE(clients[sd.from->id]->send_envelope(d));
    ++sent[sd.from->id];
  }
  std::map<std::string, size_t> outcomes; // what the mutations came to, by error name
  for (auto& [id, n] : sent)
    for (size_t i = 0; i < n; ++i) {
      auto r = clients[id]->next_receipt(std::chrono::seconds{20});
      if (!r)
        FAIL(id << ": receipt " << i << " of " << n << " missing: " << context_text(r.error()));
      ++outcomes[r->status == receipt::accepted ? "accepted" : r->error_name];
    }
  std::string seen;
  for (auto& [name, n] : outcomes)
    seen += " " + name + "=" + std::to_string(n);
  size_t total = 0;
  for (auto& [id, n] : sent)
    total += n;
  INFO("sent " << total << ", outcomes:" << seen);
  CHECK(outcomes["accepted"] > 0);          // the desk decided some
  CHECK(outcomes["malformed_payload"] > 0); // and refused broken ones
  CHECK(outcomes.count("hub_busy") == 0);   // never gave up on one
  CHECK(hubd.running());
  // The desk still decides: a fresh, valid declaration is released.
  good.declaration_id = "AFTER-FUZZ";
  outgoing after;
  after.document_type = "customs.declaration";
  after.payload = declaration_payload(good);
  after.message_id = random_message_id();
  auto ok = clients["ENT-A"]->submit(after);
  REQUIRE(ok);
  CHECK(ok->status == receipt::accepted);
  auto st = clients["ENT-A"]->query_status(after.message_id);
  REQUIRE(st);
  CHECK((st->status == "released" || st->status == "documentaryCheck" || st->status == "forExamination"));
}
