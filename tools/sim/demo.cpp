#include "tools/sim/demo.hpp"

#include <algorithm>
#include <cstdio>
#include <map>
#include <memory>

#include "actors/core/error.hpp"
#include "actors/core/frames.hpp"
#include "tools/sim/documents.hpp"

namespace sim {

namespace {

using clock_type = std::chrono::steady_clock;

std::string short_id(const hub::bytes& id) {
  return hub::to_hex(id).substr(0, 12);
}

class demo {
public:
  explicit demo(const demo_config& cfg) : cfg_(cfg), rng_(std::random_device{}()) {
    // nop
  }

  int run() {
    std::printf("swhub demo against %s\n", cfg_.target.endpoint.c_str());
    if (!connect_all())
      return finish();
    auto& first = cfg_.parties.front();
    section("Valid declarations (" + std::to_string(cfg_.per_party) + " per party)");
    hub::outgoing original;
    hub::receipt original_receipt;
    std::string original_declaration_id;
    for (auto& party : cfg_.parties)
      for (size_t i = 0; i < cfg_.per_party; ++i) {
        std::string declaration_id;
        auto doc = declaration(&declaration_id);
        auto r = submit(party, doc, hub::receipt::accepted, "");
        if (party == first && i == 0 && r) {
          original = doc;
          original_receipt = *r;
          original_declaration_id = declaration_id;
        }
      }
    if (original.message_id.empty())
      return finish();
    section("Resend of " + first + "'s first declaration (same id, same content)");
    if (auto r = submit(first, original, hub::receipt::duplicate, ""))
      check(r->sequence == original_receipt.sequence,
            "the duplicate receipt names the original sequence "
              + std::to_string(original_receipt.sequence));
    section("Same message id, different content");
    auto reused = declaration();
    reused.message_id = original.message_id;
    submit(first, reused, hub::receipt::rejected, "reused_message_id");
    section("Invalid declaration: 6-digit HS code \"847130\"");
    auto invalid = declaration();
    invalid.payload = make_declaration(rng_, declaration_spec{2, "847130"});
    submit(first, invalid, hub::receipt::rejected, "invalid_hs_code");
    if (cfg_.parties.size() > 1) {
      section(first + " claims to be " + cfg_.parties[1]);
      auto spoofed = declaration();
      spoofed.sender = cfg_.parties[1];
      submit(first, spoofed, hub::receipt::rejected, "spoofed_sender");
    }
    if (!cfg_.unauthorized.empty() && clients_.count(cfg_.unauthorized) != 0) {
      section(cfg_.unauthorized + " (a role without that right) sends a customs.declaration");
      submit(cfg_.unauthorized, declaration(), hub::receipt::rejected, "role_not_allowed");
    }
    auto message_id = route_message();
    section("Status queries");
    query_declaration(first, original.message_id, original_declaration_id);
    if (!message_id.empty())
      query(message_from(), message_id, "trade message", {"delivered", "accepted"});
    query(first, hub::random_message_id(), "an id never sent", {"unknown"});
    return finish();
  }

private:
  const std::string& message_from() const {
    return cfg_.message_from.empty() ? cfg_.parties.front() : cfg_.message_from;
  }

  void section(const std::string& title) { out_.section(title); }

  bool check(bool ok, const std::string& text) { return out_.check(ok, text); }

  /// A valid declaration (customs admissible) with a fresh message id; its
  /// declarationId is written to `declaration_id` if given.
  hub::outgoing declaration(std::string* declaration_id = nullptr) {
    hub::outgoing doc;
    doc.document_type = "customs.declaration";
    auto fields = random_declaration(rng_);
    if (declaration_id != nullptr)
      *declaration_id = fields.declaration_id;
    doc.payload = make_declaration(fields);
    doc.message_id = hub::random_message_id();
    return doc;
  }

  bool connect_all() {
    section("Partners connect (the hub checks their CURVE keys)");
    std::vector<std::string> all = cfg_.parties;
    for (auto* extra : {&cfg_.message_from, &cfg_.message_to, &cfg_.unauthorized})
      if (!extra->empty() && std::find(all.begin(), all.end(), *extra) == all.end())
        all.push_back(*extra);
    bool ok = true;
    for (auto& party : all) {
      auto c = connect_as(ctx_, cfg_.target, cfg_.keys_dir + "/" + party, "swhub-sim-demo");
      if (!c) {
        ok = check(false, party + ": " + hub::context_text(c.error()));
        continue;
      }
      ok = check((*c)->party() == party,
                 party + " welcomed by " + (*c)->hub_id() + " as " + (*c)->party() + " ("
                   + std::to_string((*c)->pending_notifications())
                   + " pending notifications)")
           && ok;
      clients_.emplace(party, std::move(*c));
    }
    return ok;
  }

  /// Submits as `party` and checks the outcome; returns the receipt if one came.
  caf::expected<hub::receipt> submit(const std::string& party, const hub::outgoing& doc,
                                     hub::receipt::status_t want,
                                     const std::string& want_error) {
    auto& c = *clients_.at(party);
    auto t0 = clock_type::now();
    auto r = c.submit(doc);
    auto ms = std::chrono::duration<double, std::milli>(clock_type::now() - t0).count();
    auto what = party + " -> " + doc.recipient + " " + doc.document_type + " "
                + short_id(doc.message_id) + ": ";
    if (!r) {
      check(false, what + hub::context_text(r.error()));
      return r;
    }
    out_.round_trip(ms);
    char timing[32];
    std::snprintf(timing, sizeof(timing), " (%.1f ms)", ms);
    check(r->status == want && r->error_name == want_error, what + describe(*r) + timing);
    return r;
  }

  /// The trade message from message_from to message_to, and its delivery; returns
  /// the message id (empty if it was not accepted).
  hub::bytes route_message() {
    if (cfg_.message_to.empty() || clients_.count(cfg_.message_to) == 0
        || clients_.count(message_from()) == 0)
      return {};
    section("Trade message " + message_from() + " -> " + cfg_.message_to);
    hub::outgoing doc;
    doc.recipient = cfg_.message_to;
    doc.document_type = "trade.message";
    doc.message_id = hub::random_message_id();
    auto subject = "Inspection appointment " + random_hex(rng_, 3);
    doc.payload = make_trade_message(subject, "Please confirm the inspection slot (demo).",
                                     {"SIM-DEMO"});
    auto r = submit(message_from(), doc, hub::receipt::accepted, "");
    if (!r || r->status != hub::receipt::accepted)
      return {};
    auto& rc = *clients_.at(cfg_.message_to);
    size_t older = 0;
    auto deadline = clock_type::now() + std::chrono::milliseconds{cfg_.target.timeout_ms};
    for (;;) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline
                                                                        - clock_type::now());
      auto n = rc.next_notification(std::max(left, std::chrono::milliseconds{0}));
      if (!n) {
        check(false, cfg_.message_to + " got no delivery: " + hub::context_text(n.error()));
        return doc.message_id;
      }
      // Acknowledge everything: older notifications are left from earlier runs.
      if (auto err = rc.ack(n->id))
        check(false, "ack: " + hub::context_text(err));
      if (!n->is_delivery || n->message_id != doc.message_id) {
        ++older;
        continue;
      }
      if (older > 0)
        std::printf("        (%zu older notification(s) acknowledged on the way)\n", older);
      check(n->sender == message_from() && n->document_type == "trade.message"
              && n->payload == doc.payload,
            cfg_.message_to + " received notification " + std::to_string(n->id) + ": \""
              + subject + "\" from " + n->sender + ", sequence " + std::to_string(n->sequence)
              + ", acknowledged");
      return doc.message_id;
    }
  }

  /// A declaration's status is its customs case's: the lane and settlement decide
  /// which (released, accepted waiting on payment or guarantee, documentaryCheck, ...),
  /// so any case status counts, as long as the case is there and is this declaration.
  void query_declaration(const std::string& party, const hub::bytes& id,
                         const std::string& declaration_id) {
    auto reply = clients_.at(party)->query_status(id);
    if (!reply) {
      check(false, "first declaration: " + hub::context_text(reply.error()));
      return;
    }
    static const std::vector<std::string> case_states{
      "accepted", "acceptedWithErrors", "documentaryCheck", "forExamination",
      "released", "auditPending",       "closed"};
    bool ok = std::find(case_states.begin(), case_states.end(), reply->status)
                != case_states.end()
              && reply->case_id.size() == 18 && reply->declaration_id == declaration_id;
    std::string details = reply->case_id.empty() ? "no case" : "case " + reply->case_id;
    details += ", declarationId " + (reply->declaration_id.empty() ? "?" : reply->declaration_id);
    if (!reply->amount_due.empty())
      details += ", amountDue " + reply->amount_due;
    if (!reply->waiting_on.empty())
      details += ", waiting on " + reply->waiting_on;
    check(ok, "first declaration " + short_id(id) + ": " + reply->status + " (" + details + ")");
  }

  void query(const std::string& party, const hub::bytes& id, const std::string& what,
             std::vector<std::string> expected) {
    auto reply = clients_.at(party)->query_status(id);
    if (!reply) {
      check(false, what + ": " + hub::context_text(reply.error()));
      return;
    }
    bool ok = std::find(expected.begin(), expected.end(), reply->status) != expected.end();
    check(ok, what + " " + short_id(id) + ": " + reply->status
                + (reply->sequence != 0 ? ", sequence " + std::to_string(reply->sequence) : ""));
  }

  int finish() { return out_.finish(); }

  const demo_config& cfg_;
  rng_type rng_;
  zmq::context_t ctx_; // declared before the clients: closed after them
  std::map<std::string, std::unique_ptr<hub::partner_client>> clients_;
  checklist out_;
};

} // namespace

int run_demo(const demo_config& cfg) {
  if (cfg.parties.empty()) {
    std::fprintf(stderr, "swhub-sim demo: --parties needs at least one party\n");
    return 1;
  }
  demo d{cfg};
  return d.run();
}

} // namespace sim
