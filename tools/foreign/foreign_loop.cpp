#include "tools/foreign/foreign_loop.hpp"

#include <algorithm>
#include <chrono>
#include <deque>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <thread>

#include <nlohmann/json.hpp>
#include <zmq.hpp>

#include "actors/core/error.hpp"
#include "actors/core/frames.hpp"
#include "adapters/zmq/client.hpp"
#include "tools/foreign/line_input.hpp"
#include "tools/foreign/simulator.hpp"
#include "tools/foreign/state_file.hpp"

namespace foreign {

namespace {

using clock_type = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr milliseconds tick{100};
constexpr milliseconds max_connect_wait{2000};
constexpr milliseconds exit_linger{2000};
/// Batches sent and not yet receipted at one time.
constexpr size_t max_in_flight = 4;
/// Input is not read further while this many batches wait for their receipt.
constexpr size_t max_pending = 16;

std::string one_line(const nlohmann::ordered_json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

/// {"ts", "event", ...fields} as one line on stderr.
void log_event(std::string_view event, const nlohmann::ordered_json& fields = {}) {
  nlohmann::ordered_json j{{"ts", hub::now_ms()}, {"event", event}};
  if (fields.is_object())
    for (auto& [key, value] : fields.items())
      j[key] = value;
  std::cerr << one_line(j) << std::endl;
}

void print_stdout(const nlohmann::ordered_json& j) {
  std::cout << one_line(j) << std::endl;
}

/// Refusals about this bridge's keys, role or the hub's configuration: the batch is
/// kept and re-sent slowly, so fixing the configuration delivers it.
bool refusal_is_ours(const std::string& error_name) {
  static const std::set<std::string> ours{
    "role_not_allowed",  "missing_signature", "bad_signature", "unknown_key_id",
    "algorithm_not_registered", "key_expired", "spoofed_sender", "unknown_document_type",
    "bad_timestamp", "no_arrangement"};
  return ours.count(error_name) > 0;
}

class foreign_loop {
public:
  foreign_loop(const foreign_settings& s, const std::atomic<bool>& stop) : s_(s), stop_(stop) {}
  int run();

private:
  struct flight {
    bool in_flight = false; ///< sent; re-sent at `due` unless its receipt came
    clock_type::time_point due{};
    unsigned attempts = 0;
  };

  bool setup();
  void fatal(const caf::error& err);
  void connect_if_due();
  void connection_lost(const caf::error& err);
  milliseconds next_wait() const;
  void on_receipt(const hub::receipt& r);
  void on_notification(const hub::notification& n);
  void on_input_line(const input_line& l);
  bool record(std::vector<std::vector<aeo_record>> parts, bool snapshot,
              const nlohmann::json& sim = nullptr);
  void flush();
  void simulate_due();
  void send_due();
  bool done() const;

  const foreign_settings& s_;
  const std::atomic<bool>& stop_;
  int rc_ = 0;
  std::unique_ptr<state_file> state_;
  hub::client_options opts_;
  zmq::context_t ctx_;
  std::unique_ptr<hub::partner_client> client_;
  uint64_t seen_reconnects_ = 0;
  milliseconds backoff_{0};
  clock_type::time_point next_attempt_{};
  clock_type::time_point disconnected_since_ = clock_type::now();
  std::map<std::string, flight> flights_; ///< by batch id, for every pending batch
  std::map<hub::bytes, std::string> by_message_;
  // bridge
  std::unique_ptr<line_input> input_;
  std::deque<input_line> lines_;
  bool input_ended_ = false;
  std::vector<aeo_record> current_;
  std::set<std::string> current_ids_;
  clock_type::time_point current_since_{};
  uint64_t bad_lines_ = 0;
  // simulation
  std::unique_ptr<simulator> sim_;
  int deltas_this_run_ = 0;
  clock_type::time_point next_delta_{};
  // batches accepted in this run whose foreign.aeo-receipt has not come yet
  std::set<std::string> awaiting_notice_;
  std::set<std::string> notices_seen_;
  clock_type::time_point last_receipt_at_ = clock_type::now();
};

void foreign_loop::fatal(const caf::error& err) {
  log_event("fatal", {{"error", hub::error_name(err)}, {"reason", hub::context_text(err)}});
  rc_ = 1;
}

bool foreign_loop::setup() {
  auto state = state_file::open(s_.state);
  if (!state) {
    fatal(state.error());
    return false;
  }
  state_ = std::move(*state);
  if (!s_.batch_prefix.empty())
    state_->set_prefix(s_.batch_prefix);
  if (s_.key.empty()) {
    fatal(caf::make_error(hub::ec::invalid_config,
                          "--key is required (or set SWHUB_KEY): the partner customs' key stem"));
    return false;
  }
  auto opts = hub::client_options_from_files(s_.endpoint, s_.hub_key, s_.key, s_.sign_key,
                                             s_.no_sign);
  if (!opts) {
    fatal(opts.error());
    return false;
  }
  opts_ = std::move(*opts);
  opts_.client_name = s_.client_name;
  opts_.timeout = milliseconds{s_.timeout_ms};
  nlohmann::ordered_json start{{"mode", s_.simulate ? "simulate" : "bridge"},
                               {"endpoint", s_.endpoint},
                               {"state", s_.state},
                               {"dataSet", s_.data_set},
                               {"batch", s_.batch},
                               {"flushMs", s_.flush_ms},
                               {"batchPrefix", state_->prefix()},
                               {"signing", opts_.signing ? opts_.signing->key_id : ""}};
  if (s_.simulate) {
    start["records"] = s_.records;
    start["deltaEveryS"] = s_.delta_every_s;
    start["deltas"] = s_.deltas;
  }
  log_event("start", start);
  if (!opts_.signing)
    log_event("warning", {{"reason", "no signing key: batches are sent unsigned, and the hub "
                                     "refuses them where foreign.aeo-batch must be signed"}});
  auto& c = state_->counters();
  log_event("state_loaded", {{"pendingBatches", state_->pending().size()},
                             {"batchesReceipted", c.batches_receipted},
                             {"recordsReceipted", c.records_receipted},
                             {"batchesRefused", c.batches_refused}});
  // Recorded before a restart, receipt never seen: send again with the same batch id
  // and message id (the hub answers duplicate if it had it; records apply by version).
  for (auto& b : state_->pending()) {
    flights_[b.batch_id].due = clock_type::now();
    by_message_[b.message_id] = b.batch_id;
    log_event("resume", {{"batchId", b.batch_id}, {"records", b.records.size()}});
  }
  if (s_.simulate) {
    sim_ = std::make_unique<simulator>(s_.records, state_->simulation());
    next_delta_ = clock_type::now() + std::chrono::seconds{s_.delta_every_s};
  } else {
    input_ = std::make_unique<line_input>(0);
  }
  return true;
}

void foreign_loop::connect_if_due() {
  if (client_ || clock_type::now() < next_attempt_)
    return;
  auto attempt = opts_;
  attempt.timeout = std::min(opts_.timeout, max_connect_wait);
  attempt.linger = milliseconds{0};
  auto c = hub::partner_client::connect(ctx_, std::move(attempt));
  if (!c) {
    backoff_ = backoff_.count() == 0 ? milliseconds{s_.retry_min_ms}
                                     : std::min(backoff_ * 2, milliseconds{s_.retry_max_ms});
    next_attempt_ = clock_type::now() + backoff_;
    log_event("connect_failed", {{"error", hub::error_name(c.error())},
                                 {"reason", hub::context_text(c.error())},
                                 {"retryInMs", static_cast<int64_t>(backoff_.count())}});
    if (s_.give_up_after_s > 0
        && clock_type::now() - disconnected_since_ > std::chrono::seconds{s_.give_up_after_s}) {
      log_event("fatal", {{"error", "transport_failure"},
                          {"reason", "no connection to the hub for "
                                       + std::to_string(s_.give_up_after_s) + " s"}});
      rc_ = 1;
    }
    return;
  }
  client_ = std::move(*c);
  try {
    client_->socket().set(zmq::sockopt::linger, static_cast<int>(exit_linger.count()));
  } catch (const zmq::error_t&) {
  }
  backoff_ = milliseconds{0};
  seen_reconnects_ = 0;
  log_event("connected", {{"party", client_->party()},
                          {"hubId", client_->hub_id()},
                          {"pendingNotifications", client_->pending_notifications()}});
  for (auto& [id, f] : flights_)
    f.due = std::min(f.due, clock_type::now());
}

void foreign_loop::connection_lost(const caf::error& err) {
  backoff_ = milliseconds{s_.retry_min_ms};
  next_attempt_ = clock_type::now() + backoff_;
  disconnected_since_ = clock_type::now();
  log_event("connection_lost", {{"error", hub::error_name(err)},
                                {"reason", hub::context_text(err)},
                                {"retryInMs", static_cast<int64_t>(backoff_.count())}});
  client_.reset();
  for (auto& [id, f] : flights_)
    f.in_flight = false;
}

milliseconds foreign_loop::next_wait() const {
  auto now = clock_type::now();
  auto until = now + tick;
  if (client_)
    for (auto& [id, f] : flights_)
      until = std::min(until, f.due);
  if (!client_)
    until = std::min(until, std::max(next_attempt_, now));
  if (!current_.empty())
    until = std::min(until, current_since_ + milliseconds{s_.flush_ms});
  if (until <= now)
    return milliseconds{0};
  return std::chrono::ceil<milliseconds>(until - now);
}

bool foreign_loop::record(std::vector<std::vector<aeo_record>> parts, bool snapshot,
                          const nlohmann::json& sim) {
  std::vector<pending_batch> batches;
  for (auto& records : parts) {
    pending_batch b;
    b.batch_id = state_->take_batch_id();
    b.message_id = hub::random_message_id();
    b.data_set = s_.data_set;
    b.snapshot = snapshot;
    b.recorded_at = hub::now_ms();
    b.records = std::move(records);
    batches.push_back(std::move(b));
  }
  std::vector<std::pair<std::string, hub::bytes>> ids;
  std::vector<size_t> sizes;
  for (auto& b : batches) {
    ids.emplace_back(b.batch_id, b.message_id);
    sizes.push_back(b.records.size());
  }
  if (auto err = state_->record_batches(std::move(batches), sim)) {
    fatal(err);
    return false;
  }
  for (size_t k = 0; k < ids.size(); ++k) {
    auto& f = flights_[ids[k].first];
    f.due = clock_type::now() + milliseconds{s_.hold_ms};
    by_message_[ids[k].second] = ids[k].first;
    log_event("recorded", {{"batchId", ids[k].first},
                           {"records", sizes[k]},
                           {"snapshot", snapshot},
                           {"messageId", hub::to_hex(ids[k].second)}});
  }
  return true;
}

void foreign_loop::flush() {
  if (current_.empty())
    return;
  std::vector<std::vector<aeo_record>> parts;
  parts.push_back(std::move(current_));
  current_.clear();
  current_ids_.clear();
  record(std::move(parts), false);
}

void foreign_loop::on_input_line(const input_line& l) {
  std::string error;
  std::optional<aeo_record> r;
  if (l.too_long)
    error = "longer than " + std::to_string(line_input::max_line_bytes) + " bytes";
  else
    r = parse_record_line(l.text, error, hub::now_ms());
  if (!r) {
    ++bad_lines_;
    log_event("bad_input", {{"line", l.number}, {"reason", error}});
    print_stdout({{"kind", "error"}, {"line", l.number}, {"reason", error}});
    return;
  }
  // One word per operator in a batch (the hub refuses a batch naming one twice).
  if (current_ids_.count(r->id) > 0)
    flush();
  if (rc_ != 0)
    return;
  if (current_.empty())
    current_since_ = clock_type::now();
  current_ids_.insert(r->id);
  current_.push_back(std::move(*r));
  if (current_.size() >= s_.batch)
    flush();
}

void foreign_loop::simulate_due() {
  if (!sim_)
    return;
  if (!sim_->snapshot_sent()) {
    auto list = sim_->snapshot();
    std::vector<std::vector<aeo_record>> parts;
    for (size_t i = 0; i < list.size(); i += s_.batch)
      parts.emplace_back(list.begin() + static_cast<std::ptrdiff_t>(i),
                         list.begin() + static_cast<std::ptrdiff_t>(std::min(list.size(), i + s_.batch)));
    log_event("snapshot", {{"records", list.size()}, {"batches", parts.size()}});
    record(std::move(parts), true, sim_->progress());
    return;
  }
  if ((s_.deltas >= 0 && deltas_this_run_ >= s_.deltas) || clock_type::now() < next_delta_)
    return;
  auto delta = sim_->next_delta();
  ++deltas_this_run_;
  next_delta_ = clock_type::now() + std::chrono::seconds{s_.delta_every_s};
  nlohmann::ordered_json changes = nlohmann::ordered_json::array();
  for (auto& r : delta)
    changes.push_back({{"id", r.id}, {"status", status_name(r.status)}, {"version", r.version}});
  log_event("delta", {{"delta", sim_->deltas_sent()}, {"changes", changes}});
  std::vector<std::vector<aeo_record>> parts;
  if (!delta.empty())
    parts.push_back(std::move(delta));
  record(std::move(parts), false, sim_->progress());
}

void foreign_loop::send_due() {
  if (!client_)
    return;
  size_t in_flight = 0;
  for (auto& [id, f] : flights_)
    in_flight += f.in_flight ? 1 : 0;
  auto now = clock_type::now();
  for (auto& b : state_->pending()) { // oldest first
    if (!client_ || rc_ != 0)
      return;
    auto it = flights_.find(b.batch_id);
    if (it == flights_.end())
      continue;
    auto& f = it->second;
    if (f.due > now || (!f.in_flight && in_flight >= max_in_flight))
      continue;
    if (f.in_flight)
      log_event("resend", {{"batchId", b.batch_id}, {"messageId", hub::to_hex(b.message_id)}});
    hub::outgoing doc;
    doc.recipient = "hub";
    doc.document_type = "foreign.aeo-batch";
    doc.payload = batch_payload(b.batch_id, b.data_set, b.snapshot, b.records);
    doc.message_id = b.message_id;
    if (auto err = client_->send_envelope(doc)) {
      connection_lost(err);
      return;
    }
    if (!f.in_flight)
      ++in_flight;
    f.in_flight = true;
    ++f.attempts;
    f.due = now + milliseconds{s_.timeout_ms};
    log_event("sent", {{"batchId", b.batch_id},
                       {"records", b.records.size()},
                       {"messageId", hub::to_hex(b.message_id)},
                       {"attempt", f.attempts}});
  }
}

void foreign_loop::on_receipt(const hub::receipt& r) {
  auto m = by_message_.find(r.message_id);
  if (m == by_message_.end() || flights_.count(m->second) == 0) {
    log_event("stray_receipt", {{"messageId", hub::to_hex(r.message_id)},
                                {"status", hub::to_string(r.status)},
                                {"errorName", r.error_name},
                                {"reason", r.reason}});
    return;
  }
  auto batch_id = m->second;
  auto& f = flights_[batch_id];
  size_t records = 0;
  for (auto& b : state_->pending())
    if (b.batch_id == batch_id)
      records = b.records.size();
  nlohmann::ordered_json line{{"kind", "receipt"},
                              {"batchId", batch_id},
                              {"records", records},
                              {"status", hub::to_string(r.status)},
                              {"sequence", r.sequence},
                              {"messageId", hub::to_hex(r.message_id)}};
  if (r.status == hub::receipt::rejected) {
    line["errorCode"] = r.error_code;
    line["errorName"] = r.error_name;
    line["reason"] = r.reason;
    if (r.retryable || refusal_is_ours(r.error_name)) {
      auto wait = r.retryable
                    ? std::min(milliseconds{s_.retry_min_ms} * (1u << std::min(f.attempts, 6u)),
                               milliseconds{s_.retry_max_ms})
                    : milliseconds{s_.retry_max_ms};
      line["retryInMs"] = static_cast<int64_t>(wait.count());
      log_event(r.retryable ? "retry" : "held", line);
      print_stdout(line);
      f.in_flight = false;
      f.due = clock_type::now() + wait;
      return;
    }
  }
  // Accepted, duplicate (the hub had it: a resend after a restart) or refused for good:
  // it leaves the state file, and only then is it reported.
  bool refused = r.status == hub::receipt::rejected;
  if (auto err = state_->record_receipted(batch_id, refused)) {
    fatal(err);
    return;
  }
  flights_.erase(batch_id);
  by_message_.erase(m);
  last_receipt_at_ = clock_type::now();
  if (r.status == hub::receipt::accepted && notices_seen_.count(batch_id) == 0)
    awaiting_notice_.insert(batch_id);
  log_event(refused ? "refused" : "receipt", line);
  print_stdout(line);
}

void foreign_loop::on_notification(const hub::notification& n) {
  if (n.is_document && n.document_name == "foreign.aeo-receipt") {
    auto body = nlohmann::ordered_json::parse(n.content.begin(), n.content.end(), nullptr, false);
    nlohmann::ordered_json line{{"kind", "foreign.aeo-receipt"}};
    if (body.is_object())
      for (auto& [key, value] : body.items())
        line[key] = value;
    line["notificationId"] = n.id;
    auto batch_id = body.is_object() ? body.value("batchId", "") : "";
    log_event("aeo_receipt", line);
    print_stdout(line);
    awaiting_notice_.erase(batch_id);
    notices_seen_.insert(batch_id);
  } else {
    log_event("other_notification", {{"notification", n.to_json()}});
  }
  if (auto err = client_->ack(n.id))
    connection_lost(err);
}

bool foreign_loop::done() const {
  if (!state_->pending().empty())
    return false;
  if (sim_) {
    if (s_.deltas < 0 || deltas_this_run_ < s_.deltas || !sim_->snapshot_sent())
      return false;
  } else if (!input_ended_ || !current_.empty()) {
    return false;
  }
  // The receipts' notifications follow the hub receipts closely; wait for them a while.
  return awaiting_notice_.empty()
         || clock_type::now() - last_receipt_at_ > milliseconds{s_.timeout_ms};
}

int foreign_loop::run() {
  if (!setup())
    return rc_;
  bool finished = false;
  while (!stop_.load() && rc_ == 0) {
    connect_if_due();
    if (rc_ != 0)
      break;
    auto wait = next_wait();
    if (client_) {
      bool expecting_receipt = std::any_of(flights_.begin(), flights_.end(),
                                           [](const auto& kv) { return kv.second.in_flight; });
      if (expecting_receipt && client_->queued_notifications() == 0) {
        auto r = client_->next_receipt(wait);
        if (r)
          on_receipt(*r);
        else if (!hub::is_timeout(r.error()))
          connection_lost(r.error());
      }
      while (client_ && rc_ == 0) {
        auto n = client_->next_notification(
          expecting_receipt || client_->queued_notifications() > 0 ? milliseconds{0} : wait);
        if (n) {
          on_notification(*n);
          continue;
        }
        if (!hub::is_timeout(n.error()))
          connection_lost(n.error());
        break;
      }
      while (client_ && rc_ == 0 && client_->queued_receipts() > 0) {
        auto r = client_->next_receipt(milliseconds{0});
        if (r)
          on_receipt(*r);
        else if (!hub::is_timeout(r.error()))
          connection_lost(r.error());
      }
      if (client_ && client_->reconnects() != seen_reconnects_) {
        seen_reconnects_ = client_->reconnects();
        log_event("reconnected", {{"reconnects", seen_reconnects_}});
        for (auto& [id, f] : flights_)
          if (f.in_flight)
            f.due = clock_type::now();
      }
    } else if (wait.count() > 0) {
      std::this_thread::sleep_for(std::min(wait, tick));
    }
    if (rc_ != 0)
      break;
    if (input_) {
      if (state_->pending().size() < max_pending)
        input_->take(lines_);
      while (!lines_.empty() && rc_ == 0 && state_->pending().size() < max_pending) {
        on_input_line(lines_.front());
        lines_.pop_front();
      }
      if (!input_ended_ && input_->closed() && lines_.empty()) {
        input_->take(lines_);
        if (lines_.empty()) {
          input_ended_ = true;
          flush();
          log_event("input_closed", {{"badLines", bad_lines_}});
        }
      }
    }
    if (!current_.empty() && clock_type::now() - current_since_ >= milliseconds{s_.flush_ms})
      flush();
    simulate_due();
    if (rc_ != 0)
      break;
    send_due();
    if (rc_ == 0 && done()) {
      finished = true;
      break;
    }
  }
  if (rc_ == 0 && !finished)
    flush(); // records read but not batched yet: kept for the next run
  if (rc_ == 0) {
    auto& c = state_->counters();
    log_event(finished ? "finished" : "stopping",
              {{"pendingBatches", state_->pending().size()},
               {"unsentRecords", current_.size()},
               {"batchesReceipted", c.batches_receipted},
               {"recordsReceipted", c.records_receipted},
               {"batchesRefused", c.batches_refused}});
  }
  input_.reset();
  client_.reset();
  if (rc_ == 0)
    log_event("stopped");
  return rc_;
}

} // namespace

int run_foreign(const foreign_settings& s, const std::atomic<bool>& stop) {
  foreign_loop loop{s, stop};
  return loop.run();
}

} // namespace foreign
