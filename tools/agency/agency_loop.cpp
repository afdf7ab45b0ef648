#include "tools/agency/agency_loop.hpp"

#include <algorithm>
#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <thread>

#include <zmq.hpp>

#include "actors/core/error.hpp"
#include "actors/core/frames.hpp"
#include "adapters/zmq/client.hpp"
#include "tools/agency/bridge_input.hpp"
#include "tools/agency/decision.hpp"
#include "tools/agency/state_file.hpp"
#include "tools/bridge/event_log.hpp"
#include "tools/bridge/hub_link.hpp"

namespace agency {

namespace {

using clock_type = std::chrono::steady_clock;
using std::chrono::milliseconds;

/// The longest the loop sleeps before looking at signals, input and timers again.
constexpr milliseconds tick{100};

using bridge::log_event;
using bridge::print_stdout;

/// Refusals that are about this adapter (keys, roles, the hub's configuration), not
/// about the case: the decision is kept and re-sent slowly, never given up, so fixing
/// the configuration (and restarting) delivers it.
bool refusal_is_ours(const std::string& error_name) {
  static const std::set<std::string> ours{
    "role_not_allowed",  "missing_signature", "bad_signature", "unknown_key_id",
    "algorithm_not_registered", "key_expired", "spoofed_sender", "unknown_document_type",
    "bad_timestamp"};
  return ours.count(error_name) > 0;
}

int64_t ms_count(milliseconds ms) {
  return static_cast<int64_t>(ms.count());
}

class agency_loop {
public:
  agency_loop(const agency_settings& s, const std::atomic<bool>& stop) : s_(s), stop_(stop) {}

  int run();

private:
  enum class phase {
    deciding,      ///< simulator: decision drawn, given at `due`
    waiting_input, ///< bridge: printed, waiting for the agency's system
    sending,       ///< decision recorded; send at `due` (or when connected)
    in_flight,     ///< sent; re-send at `due` unless its receipt came
    acking,        ///< receipt recorded; acknowledge at `due`
  };

  static const char* to_string(phase p) {
    switch (p) {
      case phase::deciding: return "deciding";
      case phase::waiting_input: return "waitingInput";
      case phase::sending: return "sending";
      case phase::in_flight: return "inFlight";
      case phase::acking: return "acking";
    }
    return "?";
  }

  struct live_case {
    std::string case_id;
    std::set<uint64_t> notifications; ///< to acknowledge once done
    phase ph = phase::waiting_input;
    clock_type::time_point due{};
    decision what;                    ///< deciding: the drawn one; later: the recorded one
    hub::bytes message_id;
    unsigned attempts = 0;
  };

  bool setup();
  void connect_if_due();
  void connection_lost(const caf::error& err);
  milliseconds next_wait() const;
  void on_notification(const hub::notification& n);
  void on_receipt(const hub::receipt& r);
  void on_input_line(const std::string& line);
  void run_due();
  bool decide(live_case& c, const decision& d);
  void send(live_case& c);
  bool finish(live_case& c, const std::string& outcome, const hub::receipt& r,
              const char* event, const nlohmann::ordered_json& fields);
  void ack(live_case& c);
  void fatal(const caf::error& err);

  const agency_settings& s_;
  const std::atomic<bool>& stop_;
  int rc_ = 0;
  std::unique_ptr<state_file> state_;
  bridge::hub_link link_; ///< the connection to the hub, its backoff and giving up
  std::unique_ptr<bridge_input> input_;
  bool input_closed_logged_ = false;
  std::map<std::string, live_case> cases_;
  std::map<hub::bytes, std::string> by_message_;
};

void agency_loop::fatal(const caf::error& err) {
  log_event("fatal", {{"error", hub::error_name(err)}, {"reason", hub::context_text(err)}});
  rc_ = 1;
}

bool agency_loop::setup() {
  auto state = state_file::open(s_.state);
  if (!state) {
    fatal(state.error());
    return false;
  }
  state_ = std::move(*state);
  auto opts = bridge::client_options_of(s_.conn);
  if (!opts) {
    fatal(opts.error());
    return false;
  }
  link_.configure(std::move(*opts), s_.conn.link());
  auto& opts_ = link_.options();
  nlohmann::ordered_json start{{"mode", s_.simulate ? "simulate" : "bridge"},
                               {"endpoint", s_.conn.endpoint},
                               {"state", s_.state},
                               {"signing", opts_.signing ? opts_.signing->key_id : ""}};
  if (s_.simulate) {
    start["approve"] = s_.sim.approve;
    start["reject"] = s_.sim.reject;
    start["inspect"] = s_.sim.inspect;
    start["documents"] = s_.sim.documents;
    start["latencyMs"] = s_.sim.latency_ms;
    start["latencyJitterMs"] = s_.sim.latency_jitter_ms;
    start["seed"] = s_.sim.seed;
  }
  log_event("start", start);
  if (!opts_.signing)
    log_event("warning", {{"reason", "no signing key: decisions are sent unsigned, and the "
                                     "hub refuses them where agency.decision must be signed"}});
  auto unfinished = state_->unfinished();
  log_event("state_loaded", {{"cases", state_->size()},
                             {"unfinished", unfinished.size()},
                             {"repairedLines", state_->repaired()}});
  // Decided before a restart, receipt never seen: send the same decision again (same
  // message id, so the hub answers duplicate if it had it).
  for (auto& r : unfinished) {
    live_case c;
    c.case_id = r.what.case_id;
    c.what = r.what;
    c.message_id = r.message_id;
    c.ph = phase::sending;
    c.due = clock_type::now();
    by_message_[c.message_id] = c.case_id;
    cases_.emplace(c.case_id, std::move(c));
  }
  if (!s_.simulate)
    input_ = std::make_unique<bridge_input>(0);
  return true;
}

void agency_loop::connect_if_due() {
  if (link_.connect_if_due()) // whatever was in flight on a previous connection may be lost
    for (auto& [id, c] : cases_)
      if (c.ph == phase::in_flight || c.ph == phase::sending)
        c.due = std::min(c.due, clock_type::now());
  if (link_.gave_up())
    rc_ = 1;
}

void agency_loop::connection_lost(const caf::error& err) { link_.lost(err); }

milliseconds agency_loop::next_wait() const {
  auto now = clock_type::now();
  auto until = now + tick;
  // Without a connection only a simulated decision can fall due; sends and acks wait.
  for (auto& [id, c] : cases_)
    if (c.ph == phase::deciding || (link_.client && c.ph != phase::waiting_input))
      until = std::min(until, c.due);
  if (!link_.client)
    until = std::min(until, std::max(link_.next_attempt(), now));
  if (until <= now)
    return milliseconds{0};
  return std::chrono::ceil<milliseconds>(until - now);
}

void agency_loop::on_notification(const hub::notification& n) {
  if (!n.is_agency_case) {
    // Not for this adapter (a routed trade message, a status): keep it in the log
    // and acknowledge it, so it does not come back forever.
    log_event("other_notification", {{"notification", n.to_json()}});
    link_.client->ack(n.id);
    return;
  }
  auto it = cases_.find(n.case_id);
  if (it != cases_.end()) {
    it->second.notifications.insert(n.id);
    log_event("repeat", {{"caseId", n.case_id},
                         {"notificationId", n.id},
                         {"phase", to_string(it->second.ph)}});
    return;
  }
  if (auto* rec = state_->find(n.case_id)) {
    if (rec->done) {
      // Decided and answered before (maybe before a restart): only the ack was lost.
      log_event("repeat", {{"caseId", n.case_id},
                           {"notificationId", n.id},
                           {"phase", "done"},
                           {"verdict", verdict_name(rec->what.verdict)}});
      if (auto err = link_.client->ack(n.id))
        connection_lost(err);
      else
        log_event("acked", {{"caseId", n.case_id}, {"notificationIds", {n.id}}});
      return;
    }
  }
  live_case c;
  c.case_id = n.case_id;
  c.notifications.insert(n.id);
  log_event("case", {{"caseId", n.case_id},
                     {"notificationId", n.id},
                     {"agency", n.agency},
                     {"declarationType", n.declaration_type},
                     {"items", n.items.size()},
                     {"deadline", n.deadline},
                     {"reason", n.reason}});
  if (s_.simulate) {
    auto sim = simulate(s_.sim, n);
    c.what = sim.what;
    c.ph = phase::deciding;
    c.due = clock_type::now() + sim.latency;
  } else {
    c.ph = phase::waiting_input;
    print_stdout(case_json(n));
  }
  cases_.emplace(c.case_id, std::move(c));
}

bool agency_loop::decide(live_case& c, const decision& d) {
  case_record r;
  r.what = d;
  r.message_id = hub::random_message_id();
  r.decided_at = hub::now_ms();
  if (auto err = state_->record_decision(r)) {
    fatal(err);
    return false;
  }
  c.what = d;
  c.message_id = r.message_id;
  c.ph = phase::sending;
  c.due = clock_type::now() + milliseconds{s_.hold_ms};
  by_message_[c.message_id] = c.case_id;
  log_event("decided", {{"caseId", d.case_id},
                        {"verdict", verdict_name(d.verdict)},
                        {"reason", d.reason},
                        {"messageId", hub::to_hex(c.message_id)}});
  return true;
}

void agency_loop::send(live_case& c) {
  if (!link_.client)
    return; // sent when connected
  hub::outgoing doc;
  doc.recipient = "hub";
  doc.document_type = "agency.decision";
  doc.payload = decision_payload(c.what);
  doc.message_id = c.message_id;
  if (auto err = link_.client->send_envelope(doc)) {
    connection_lost(err);
    return;
  }
  ++c.attempts;
  c.ph = phase::in_flight;
  c.due = clock_type::now() + milliseconds{s_.conn.timeout_ms};
  log_event("sent", {{"caseId", c.case_id},
                     {"messageId", hub::to_hex(c.message_id)},
                     {"attempt", c.attempts}});
}

bool agency_loop::finish(live_case& c, const std::string& outcome, const hub::receipt& r,
                         const char* event, const nlohmann::ordered_json& fields) {
  // Recorded first, logged after: a logged receipt is always in the state file.
  if (auto err = state_->record_done(c.case_id, outcome, r.error_name)) {
    fatal(err);
    return false;
  }
  log_event(event, fields);
  by_message_.erase(c.message_id);
  c.ph = phase::acking;
  c.due = clock_type::now() + milliseconds{s_.hold_ms};
  if (!s_.simulate)
    print_stdout({{"kind", "result"},
                  {"caseId", c.case_id},
                  {"verdict", verdict_name(c.what.verdict)},
                  {"status", outcome},
                  {"errorName", r.error_name},
                  {"reason", r.reason}});
  return true;
}

void agency_loop::on_receipt(const hub::receipt& r) {
  auto m = by_message_.find(r.message_id);
  if (m == by_message_.end()) {
    // A refused ack (empty message id), or a late answer to a re-send already settled.
    log_event("stray_receipt", {{"messageId", hub::to_hex(r.message_id)},
                                {"status", hub::to_string(r.status)},
                                {"errorName", r.error_name},
                                {"reason", r.reason}});
    return;
  }
  auto it = cases_.find(m->second);
  if (it == cases_.end() || it->second.ph != phase::in_flight) {
    log_event("stray_receipt", {{"messageId", hub::to_hex(r.message_id)},
                                {"caseId", m->second},
                                {"status", hub::to_string(r.status)}});
    return;
  }
  auto& c = it->second;
  nlohmann::ordered_json fields{{"caseId", c.case_id},
                                {"messageId", hub::to_hex(r.message_id)},
                                {"status", hub::to_string(r.status)},
                                {"sequence", r.sequence}};
  if (r.status != hub::receipt::rejected) {
    finish(c, hub::to_string(r.status), r, "receipt", fields);
    return;
  }
  fields["errorCode"] = r.error_code;
  fields["errorName"] = r.error_name;
  fields["reason"] = r.reason;
  if (r.retryable) {
    auto wait = std::min(milliseconds{s_.conn.retry_min_ms} * (1u << std::min(c.attempts, 6u)),
                         milliseconds{s_.conn.retry_max_ms});
    fields["retryInMs"] = ms_count(wait);
    log_event("retry", fields);
    c.due = clock_type::now() + wait;
    return;
  }
  if (refusal_is_ours(r.error_name)) {
    fields["retryInMs"] = s_.conn.retry_max_ms;
    log_event("held", fields);
    c.due = clock_type::now() + milliseconds{s_.conn.retry_max_ms};
    return;
  }
  // A definitive refusal about the case (not routed to us, unknown, no longer open):
  // nothing we send will change it; record it and let the case go.
  finish(c, "rejected", r, "refused", fields);
}

void agency_loop::ack(live_case& c) {
  if (!link_.client)
    return; // acknowledged when connected
  for (auto id : c.notifications)
    if (auto err = link_.client->ack(id)) {
      connection_lost(err);
      return;
    }
  if (!c.notifications.empty()) { // none: a forwarded decision, or not re-sent yet
    nlohmann::ordered_json ids = nlohmann::ordered_json::array();
    for (auto id : c.notifications)
      ids.push_back(id);
    log_event("acked", {{"caseId", c.case_id}, {"notificationIds", ids}});
  }
  cases_.erase(c.case_id);
}

void agency_loop::on_input_line(const std::string& line) {
  std::string error;
  auto d = parse_decision_line(line, error);
  if (!d) {
    log_event("bad_input", {{"line", line}, {"reason", error}});
    print_stdout({{"kind", "result"}, {"status", "invalid"}, {"reason", error}});
    return;
  }
  auto it = cases_.find(d->case_id);
  if (it != cases_.end() && it->second.ph == phase::waiting_input) {
    decide(it->second, *d);
    return;
  }
  const case_record* rec = state_->find(d->case_id);
  if (rec != nullptr || it != cases_.end()) {
    auto verdict = rec != nullptr ? rec->what.verdict : it->second.what.verdict;
    log_event("already_decided", {{"caseId", d->case_id}, {"verdict", verdict_name(verdict)}});
    print_stdout({{"kind", "result"},
                  {"caseId", d->case_id},
                  {"status", "alreadyDecided"},
                  {"verdict", verdict_name(verdict)}});
    return;
  }
  // A case this adapter has not seen (its system learned of it another way, or the
  // state file was replaced): forward the decision; the hub is the judge (not_routed,
  // unknown_declaration come back as a result line).
  log_event("decision_without_case", {{"caseId", d->case_id}});
  live_case c;
  c.case_id = d->case_id;
  auto& placed = cases_.emplace(c.case_id, std::move(c)).first->second;
  decide(placed, *d);
}

void agency_loop::run_due() {
  auto now = clock_type::now();
  std::vector<std::string> due;
  for (auto& [id, c] : cases_)
    if (c.ph != phase::waiting_input && c.due <= now)
      due.push_back(id);
  for (auto& id : due) {
    if (rc_ != 0)
      return;
    auto it = cases_.find(id);
    if (it == cases_.end())
      continue;
    auto& c = it->second;
    switch (c.ph) {
      case phase::deciding:
        decide(c, c.what);
        if (c.ph == phase::sending && c.due <= clock_type::now())
          send(c);
        break;
      case phase::sending:
        send(c);
        break;
      case phase::in_flight:
        if (link_.client) {
          log_event("resend", {{"caseId", c.case_id}, {"messageId", hub::to_hex(c.message_id)}});
          send(c);
        }
        break;
      case phase::acking:
        ack(c);
        break;
      case phase::waiting_input:
        break;
    }
  }
}

int agency_loop::run() {
  if (!setup())
    return rc_;
  std::deque<std::string> lines;
  while (!stop_.load() && rc_ == 0) {
    connect_if_due();
    if (rc_ != 0)
      break;
    auto wait = next_wait();
    if (link_.client) {
      // Wait for what we expect: a receipt while a decision is in flight (it ends the
      // wait at once; notifications meanwhile are queued), else a notification.
      bool expecting_receipt = std::any_of(cases_.begin(), cases_.end(), [](const auto& kv) {
        return kv.second.ph == phase::in_flight;
      });
      if (expecting_receipt && link_.client->queued_notifications() == 0) {
        auto r = link_.client->next_receipt(wait);
        if (r)
          on_receipt(*r);
        else if (!hub::is_timeout(r.error()))
          connection_lost(r.error());
      }
      while (link_.client) {
        auto n = link_.client->next_notification(
          expecting_receipt || link_.client->queued_notifications() > 0 ? milliseconds{0} : wait);
        if (n) {
          on_notification(*n);
          if (link_.client && link_.client->queued_notifications() > 0)
            continue;
        } else if (!hub::is_timeout(n.error())) {
          connection_lost(n.error());
        }
        break;
      }
      while (link_.client && link_.client->queued_receipts() > 0) {
        auto r = link_.client->next_receipt(milliseconds{0});
        if (r)
          on_receipt(*r);
        else if (!hub::is_timeout(r.error()))
          connection_lost(r.error());
      }
      if (link_.reconnected()) {
        for (auto& [id, c] : cases_)
          if (c.ph == phase::in_flight)
            c.due = clock_type::now();
      }
    } else if (wait.count() > 0) {
      std::this_thread::sleep_for(std::min(wait, tick));
    }
    if (input_) {
      input_->take(lines);
      while (!lines.empty() && rc_ == 0) {
        on_input_line(lines.front());
        lines.pop_front();
      }
      if (input_->closed() && !input_closed_logged_) {
        input_closed_logged_ = true;
        log_event("input_closed", {{"reason", "stdin ended; cases already received still "
                                              "finish, new ones wait for a restart"}});
      }
    }
    run_due();
  }
  if (rc_ == 0)
    log_event("stopping", {{"openCases", cases_.size()}});
  input_.reset();
  link_.client.reset(); // lingers so the last acks get out
  if (rc_ == 0)
    log_event("stopped");
  return rc_;
}

} // namespace

int run_agency(const agency_settings& s, const std::atomic<bool>& stop) {
  agency_loop loop{s, stop};
  return loop.run();
}

} // namespace agency
