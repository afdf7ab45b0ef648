// The conformance test of document kinds (issue 17), live half: the sample of EVERY
// kind hub::document_types() knows goes through intake of the real swhubd (customs on),
// sent by a party whose role may send it (config/roles.toml) and addressed as the kind
// requires: a kind a desk decides to "hub", a routed kind to a party that may receive
// it. Its payload must get past intake's checks (never malformed_payload,
// unknown_document_type or role_not_allowed); a desk may still refuse it on business
// grounds, with one of its module's own codes. The status query and a byte-identical
// resend must agree with the receipt (SR-20.5; the static half is
// tests/unit/actors/intake/document_kinds.cpp).

#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>
#include <map>
#include <memory>

#include "actors/core/error.hpp"
#include "actors/intake/document_types.hpp"
#include "tests/support/ceb_world.hpp"
#include "tests/support/exchange_checks.hpp"
#include "tests/support/hub_process.hpp"
#include "tests/support/samples.hpp"

using namespace hub;
using namespace hub::test;
using namespace std::chrono_literals;

namespace {

test_party with_unit(test_party p, const std::string& unit) {
  p.customs_unit = unit;
  return p;
}

/// A customs hub with a party of every role the samples need: one sender per role (the
/// first in `parties` whose role may send a kind sends it) and a second enterprise to
/// route to. The licensing agency issues the agency.licence sample's licence type.
struct kinds_world {
  temp_dir dir;
  std::vector<test_party> parties{
    make_party("ENT-A", "enterprise"),
    with_unit(make_party("CUS-2248", "customs-officer"), "2248"),
    with_unit(make_party("RSK-0000", "risk-officer"), "0000"),
    with_unit(make_party("TAX-1", "tax-officer"), "2200"),
    with_unit(make_party("CRD-2200", "credit-officer"), "2200"),
    make_party("AGY-LIC", "agency"),
    make_party("PLT-DEMO-0001", "platform"),
    make_party("ENT-B", "enterprise"),
    // the SAMPLE CEB enterprises of config/ecommerce.toml
    make_party("PAY-DEMO-0001", "payment-company"),
    make_party("LGS-DEMO-0001", "logistics-company"),
    make_party("AGT-DEMO-0001", "declaring-agent"),
    make_party("OPR-DEMO-0001", "site-operator"),
    make_party("FOREIGN-EU", "foreign-customs"), // the SAMPLE partner of config/foreign.toml
  };
  std::map<std::string, role_config> roles = shipped_roles();
  std::unique_ptr<hub_process> hubd;
  zmq::context_t ctx;
  std::map<std::string, std::unique_ptr<partner_client>> clients;

  kinds_world() {
    customs_settings cs;
    cs.agencies = R"T([[agency]]
id = "commerce"
name = "Ministry of Commerce licensing office, test"
party = "AGY-LIC"
licence-types = ["automatic-import-licence"]
)T";
    hub_settings s;
    s.customs = std::move(cs);
    s.ecommerce_config = write_shipped_ecommerce_config(dir);
    s.foreign_config = SWHUB_SOURCE_DIR "/config/foreign.toml";
    hubd = std::make_unique<hub_process>(dir, write_hub_config(dir, parties, s));
    for (auto& p : parties)
      clients[p.id] = hubd->connect(ctx, p);
  }

  /// Whether `party`'s role names `kind` in `list` (send or receive).
  bool may(const test_party& party, std::vector<std::string> role_config::*list,
           const std::string& kind) const {
    auto names = roles_that(roles, list, kind);
    return std::find(names.begin(), names.end(), party.role) != names.end();
  }

  /// The first party whose role may send `kind` (FAILs naming the kind if none).
  const test_party& sender_of(const std::string& kind) const {
    for (auto& p : parties)
      if (may(p, &role_config::send, kind))
        return p;
    FAIL(kind << ": no test party's role may send it");
    return parties.front();
  }

  /// Another party whose role may receive `kind`, or "hub" if none may.
  std::string recipient_of(const std::string& kind, const test_party& sender) const {
    for (auto& p : parties)
      if (p.id != sender.id && may(p, &role_config::receive, kind))
        return p.id;
    return "hub";
  }

  /// Acknowledges notifications on every connection until none came for 500 ms, so
  /// that what a document set off (a case decided after its receipt) is over before
  /// the next one is sent.
  void settle() {
    auto quiet_since = std::chrono::steady_clock::now();
    while (std::chrono::steady_clock::now() - quiet_since < 500ms)
      for (auto& [id, c] : clients)
        if (auto n = c->next_notification(20ms)) {
          c->ack(n->id);
          quiet_since = std::chrono::steady_clock::now();
        }
  }
};

/// Sends `frame` as is and returns its receipt (FAILs if none comes).
receipt send_frame(partner_client& c, const bytes& frame, const std::string& kind) {
  REQUIRE_FALSE(c.send_raw(frame));
  auto r = c.next_receipt(20s);
  if (!r)
    FAIL(kind << ": no receipt: " << context_text(r.error()));
  return *r;
}

std::string describe(const receipt& r) {
  return std::string{to_string(r.status)} + " " + r.error_name + " " + r.reason;
}

/// Whether `code` is one of the codes of the module owning `kind`.
bool module_code(const std::string& kind, uint16_t code) {
  auto* m = module_of_document(kind);
  return m != nullptr && m->errors && code >= m->errors->first && code <= m->errors->last;
}

} // namespace

TEST_CASE("the sample of every document kind gets through intake of the real hub, and its "
          "status query and a byte-identical resend agree with its receipt",
          "[integration][conformance]") {
  kinds_world w;
  for (auto* k : document_types()) {
    auto sample = sample_payload(k->name);
    if (!sample) {
      FAIL_CHECK(k->name << ": no sample payload (tests/support/samples.cpp)");
      continue;
    }
    auto& from = w.sender_of(k->name);
    auto& c = *w.clients.at(from.id);
    outgoing d = hub::test::doc(k->name, *sample);
    d.recipient = k->hub_desk ? "hub" : w.recipient_of(k->name, from);
    auto frame = build_envelope_frame(from.id, d);
    auto first = send_frame(c, frame, k->name);
    INFO(k->name << " from " << from.id << " to " << d.recipient << ": " << describe(first));
    CHECK(first.status != receipt::duplicate);
    if (first.status == receipt::rejected) {
      // Past intake's checks, only the module may refuse it, with a code of its own.
      CHECK(first.error_name != "malformed_payload");
      CHECK(first.error_name != "unknown_document_type");
      CHECK(first.error_name != "role_not_allowed");
      CHECK_FALSE(first.retryable);
      CHECK(k->hub_desk);
      CHECK(module_code(k->name, first.error_code));
    }
    auto st = c.query_status(d.message_id);
    REQUIRE(st);
    INFO("status " << st->status << " " << st->reason);
    CHECK(st->error_code == 0); // a role may read what it may send
    if (first.status == receipt::accepted) {
      CHECK(st->status != "unknown");
      CHECK(st->document_type == k->name);
      CHECK(st->sequence == first.sequence);
      CHECK(st->digest == first.digest);
      CHECK(st->recipient == d.recipient);
    } else {
      CHECK(st->status == "unknown"); // a refusal stores nothing
    }
    auto again = send_frame(c, frame, k->name);
    INFO("resent: " << describe(again));
    if (first.status == receipt::accepted) {
      CHECK(again.status == receipt::duplicate);
      CHECK(again.sequence == first.sequence);
      CHECK(again.digest == first.digest);
    } else {
      CHECK(again.status == receipt::rejected);
      CHECK(again.error_code == first.error_code);
    }
    w.settle();
  }
  CHECK(w.hubd->running());
}

TEST_CASE("a document kind a desk decides, addressed to a party instead of the hub, is refused "
          "with role_not_allowed",
          "[integration][conformance]") {
  kinds_world w;
  auto& to = w.parties.back(); // ENT-B
  for (auto* k : document_types()) {
    if (!k->hub_desk)
      continue;
    auto sample = sample_payload(k->name);
    if (!sample) {
      FAIL_CHECK(k->name << ": no sample payload (tests/support/samples.cpp)");
      continue;
    }
    auto& from = w.sender_of(k->name);
    outgoing d = hub::test::doc(k->name, *sample);
    d.recipient = from.id == to.id ? w.parties.front().id : to.id;
    auto r = submit(*w.clients.at(from.id), d);
    INFO(k->name << " from " << from.id << " to " << d.recipient << ": " << describe(r));
    CHECK(r.status == receipt::rejected);
    CHECK(r.error_name == "role_not_allowed");
    CHECK(r.reason.find("may not receive " + k->name) != std::string::npos);
  }
}
