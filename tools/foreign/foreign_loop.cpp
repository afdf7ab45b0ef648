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
#include "tools/bridge/event_log.hpp"
#include "tools/bridge/hub_link.hpp"

namespace foreign {

namespace {

using clock_type = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr milliseconds tick{100};
/// Batches sent and not yet receipted at one time.
constexpr size_t max_in_flight = 4;
/// Input is not read further while this many batches wait for their receipt.
constexpr size_t max_pending = 16;

using bridge::log_event;
using bridge::print_stdout;

/// Refusals about this bridge's keys, role or the hub's configuration: the batch is
/// kept and re-sent slowly, so fixing the configuration delivers it.
bool refusal_is_ours(const std::string& error_name) {
  static const std::set<std::string> ours{
    "role_not_allowed",  "missing_signature", "bad_signature", "unknown_key_id",
    "algorithm_not_registered", "key_expired", "spoofed_sender", "unknown_document_type",
    "bad_timestamp", "no_arrangement", "data_set_mismatch"};
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
  void drain_input();
  pending_batch new_batch(std::vector<aeo_record> records, std::vector<size_t> lines,
                          bool snapshot);
  std::vector<pending_batch> split(std::vector<aeo_record> records, std::vector<size_t> lines,
                                   bool snapshot);
  bool record(std::vector<pending_batch> batches, const nlohmann::json& sim = nullptr);
  bool replace(const pending_batch& old, std::vector<pending_batch> parts, bool refused);
  void check_silence();
  void flush();
  void simulate_due();
  void send_due();
  bool done() const;

  const foreign_settings& s_;
  const std::atomic<bool>& stop_;
  int rc_ = 0;
  std::unique_ptr<state_file> state_;
  bridge::hub_link link_; ///< the connection to the hub, its backoff and giving up
  clock_type::time_point last_frame_at_ = clock_type::now(); ///< the hub's last receipt or notification
  std::map<std::string, flight> flights_; ///< by batch id, for every pending batch
  std::map<hub::bytes, std::string> by_message_;
  // bridge
  std::unique_ptr<line_input> input_;
  std::deque<input_line> lines_;
  bool input_ended_ = false;
  std::vector<aeo_record> current_;
  std::vector<size_t> current_lines_;
  size_t current_bytes_ = 0;
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
  bool gave_up_ = false; ///< rc_ 1 for want of a connection: what was read is still recorded
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
  if (state_->prefix().size() + 21 > 64) { // "-" and up to 20 digits: the hub takes 64
    fatal(caf::make_error(hub::ec::invalid_config,
                          "batch prefix \"" + state_->prefix()
                            + "\" is too long: batch ids are at most 64 characters"));
    return false;
  }
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
                               {"dataSet", s_.data_set},
                               {"idScheme", s_.id_scheme},
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
    if (b.data_set != s_.data_set) // held for data_set_mismatch: sent as --data-set now says
      log_event("data_set_changed", {{"batchId", b.batch_id}, {"recorded", b.data_set},
                                     {"sending", s_.data_set}});
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
  if (link_.connect_if_due()) { // whatever was in flight on a previous connection may be lost
    last_frame_at_ = clock_type::now();
    for (auto& [id, f] : flights_)
      f.due = std::min(f.due, clock_type::now());
  }
  if (link_.gave_up()) {
    rc_ = 1;
    gave_up_ = true;
  }
}

void foreign_loop::connection_lost(const caf::error& err) {
  link_.lost(err, last_frame_at_);
  for (auto& [id, f] : flights_)
    f.in_flight = false;
}

/// Batches in flight and none of the hub's frames for this long: the connection is
/// taken as lost (reconnect, and --give-up-after-s counts from the last frame).
milliseconds silence_limit(const foreign_settings& s) {
  return milliseconds{s.conn.timeout_ms} * 3;
}

void foreign_loop::check_silence() {
  if (!link_.client)
    return;
  bool in_flight = std::any_of(flights_.begin(), flights_.end(),
                               [](const auto& kv) { return kv.second.in_flight; });
  if (!in_flight) {
    last_frame_at_ = std::max(last_frame_at_, clock_type::now() - silence_limit(s_) / 2);
    return;
  }
  if (clock_type::now() - last_frame_at_ > silence_limit(s_))
    connection_lost(caf::make_error(
      hub::ec::transport_failure,
      "no receipt or notification from the hub for "
        + std::to_string(silence_limit(s_).count()) + " ms with batches in flight"));
}

milliseconds foreign_loop::next_wait() const {
  auto now = clock_type::now();
  auto until = now + tick;
  if (link_.client) {
    // Only what could be sent now counts: a batch held back by max_in_flight waits for
    // a receipt, not for its `due`.
    size_t in_flight = 0;
    for (auto& [id, f] : flights_)
      in_flight += f.in_flight ? 1 : 0;
    for (auto& [id, f] : flights_)
      if (f.in_flight || in_flight < max_in_flight)
        until = std::min(until, f.due);
  }
  if (!link_.client)
    until = std::min(until, std::max(link_.next_attempt(), now));
  if (!current_.empty())
    until = std::min(until, current_since_ + milliseconds{s_.flush_ms});
  if (until <= now)
    return milliseconds{0};
  return std::chrono::ceil<milliseconds>(until - now);
}

pending_batch foreign_loop::new_batch(std::vector<aeo_record> records,
                                      std::vector<size_t> lines, bool snapshot) {
  pending_batch b;
  b.batch_id = state_->take_batch_id();
  b.message_id = hub::random_message_id();
  b.data_set = s_.data_set;
  b.snapshot = snapshot;
  b.recorded_at = hub::now_ms();
  b.records = std::move(records);
  if (lines.size() == b.records.size())
    b.lines = std::move(lines);
  return b;
}

/// `records` in batches of at most --batch records and max_batch_bytes.
std::vector<pending_batch> foreign_loop::split(std::vector<aeo_record> records,
                                               std::vector<size_t> lines, bool snapshot) {
  std::vector<pending_batch> out;
  std::vector<aeo_record> part;
  std::vector<size_t> part_lines;
  size_t bytes = 0;
  bool with_lines = lines.size() == records.size();
  for (size_t i = 0; i < records.size(); ++i) {
    auto size = encoded_size(records[i]);
    if (!part.empty() && (part.size() >= s_.batch || bytes + size > max_batch_bytes)) {
      out.push_back(new_batch(std::move(part), std::move(part_lines), snapshot));
      part.clear();
      part_lines.clear();
      bytes = 0;
    }
    bytes += size;
    part.push_back(std::move(records[i]));
    if (with_lines)
      part_lines.push_back(lines[i]);
  }
  if (!part.empty())
    out.push_back(new_batch(std::move(part), std::move(part_lines), snapshot));
  return out;
}

bool foreign_loop::record(std::vector<pending_batch> batches, const nlohmann::json& sim) {
  std::vector<std::pair<std::string, hub::bytes>> ids;
  std::vector<size_t> sizes;
  bool snapshot = !batches.empty() && batches.front().snapshot;
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

/// `old` (refused) leaves the state file and `parts` take its place, in one write.
bool foreign_loop::replace(const pending_batch& old, std::vector<pending_batch> parts,
                           bool refused) {
  std::vector<std::pair<std::string, hub::bytes>> ids;
  std::vector<size_t> sizes;
  for (auto& b : parts) {
    ids.emplace_back(b.batch_id, b.message_id);
    sizes.push_back(b.records.size());
  }
  auto old_id = old.batch_id;
  auto old_message = old.message_id;
  if (auto err = state_->replace_batch(old_id, std::move(parts), refused)) {
    fatal(err);
    return false;
  }
  flights_.erase(old_id);
  by_message_.erase(old_message);
  for (size_t k = 0; k < ids.size(); ++k) {
    auto& f = flights_[ids[k].first];
    f.due = clock_type::now();
    by_message_[ids[k].second] = ids[k].first;
    log_event("recorded", {{"batchId", ids[k].first},
                           {"records", sizes[k]},
                           {"replaces", old_id},
                           {"messageId", hub::to_hex(ids[k].second)}});
  }
  return true;
}

void foreign_loop::flush() {
  if (current_.empty())
    return;
  auto records = std::move(current_);
  auto lines = std::move(current_lines_);
  current_.clear();
  current_lines_.clear();
  current_ids_.clear();
  current_bytes_ = 0;
  record(split(std::move(records), std::move(lines), false));
}

void foreign_loop::on_input_line(const input_line& l) {
  std::string error;
  std::optional<aeo_record> r;
  if (l.too_long)
    error = "longer than " + std::to_string(line_input::max_line_bytes) + " bytes";
  else
    r = parse_record_line(l.text, error, hub::now_ms(), s_.id_scheme);
  if (!r) {
    ++bad_lines_;
    log_event("bad_input", {{"line", l.number}, {"reason", error}});
    print_stdout({{"kind", "error"}, {"line", l.number}, {"reason", error}});
    return;
  }
  // One word per operator in a batch (the hub refuses a batch naming one twice), and
  // a batch within the frame limit.
  auto size = encoded_size(*r);
  if (current_ids_.count(r->id) > 0 || (!current_.empty() && current_bytes_ + size > max_batch_bytes))
    flush();
  if (rc_ != 0)
    return;
  if (current_.empty())
    current_since_ = clock_type::now();
  current_ids_.insert(r->id);
  current_bytes_ += size;
  current_lines_.push_back(l.number);
  current_.push_back(std::move(*r));
  if (current_.size() >= s_.batch)
    flush();
}

/// On any stop: the reader stops, and every line it took from the pipe is parsed and
/// recorded (max_pending does not hold here), so the next run sends it.
void foreign_loop::drain_input() {
  if (!input_)
    return;
  input_->finish();
  input_->take(lines_);
  size_t lines = lines_.size();
  while (!lines_.empty() && (rc_ == 0 || gave_up_)) {
    auto saved_rc = rc_;
    rc_ = 0;
    on_input_line(lines_.front());
    lines_.pop_front();
    if (rc_ == 0)
      rc_ = saved_rc;
    else
      gave_up_ = false; // the state file failed: nothing more can be kept
  }
  if (rc_ == 0 || gave_up_) {
    auto saved_rc = rc_;
    rc_ = 0;
    flush();
    if (rc_ == 0)
      rc_ = saved_rc;
  }
  if (lines > 0)
    log_event("input_recorded", {{"lines", lines}});
}

void foreign_loop::simulate_due() {
  if (!sim_)
    return;
  if (!sim_->snapshot_sent()) {
    auto list = sim_->snapshot();
    auto count = list.size();
    auto parts = split(std::move(list), {}, true);
    log_event("snapshot", {{"records", count}, {"batches", parts.size()}});
    record(std::move(parts), sim_->progress());
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
  record(split(std::move(delta), {}, false), sim_->progress());
}

void foreign_loop::send_due() {
  if (!link_.client)
    return;
  size_t in_flight = 0;
  for (auto& [id, f] : flights_)
    in_flight += f.in_flight ? 1 : 0;
  auto now = clock_type::now();
  for (auto& b : state_->pending()) { // oldest first
    if (!link_.client || rc_ != 0)
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
    doc.payload = batch_payload(b.batch_id, s_.data_set, b.snapshot, b.records);
    doc.message_id = b.message_id;
    if (auto err = link_.client->send_envelope(doc)) {
      connection_lost(err);
      return;
    }
    if (!f.in_flight)
      ++in_flight;
    f.in_flight = true;
    ++f.attempts;
    f.due = now + milliseconds{s_.conn.timeout_ms};
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
  last_frame_at_ = clock_type::now();
  const pending_batch* batch = nullptr;
  for (auto& b : state_->pending())
    if (b.batch_id == batch_id)
      batch = &b;
  size_t records = batch ? batch->records.size() : 0;
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
                    ? std::min(milliseconds{s_.conn.retry_min_ms} * (1u << std::min(f.attempts, 6u)),
                               milliseconds{s_.conn.retry_max_ms})
                    : milliseconds{s_.conn.retry_max_ms};
      line["status"] = "retry"; // kept and re-sent: not a final refusal
      line["retryInMs"] = static_cast<int64_t>(wait.count());
      log_event(r.retryable ? "retry" : "held", line);
      print_stdout(line);
      f.in_flight = false;
      f.due = clock_type::now() + wait;
      return;
    }
  }
  bool refused = r.status == hub::receipt::rejected;
  // Reported first, then dropped from the state file: a crash in between reports it
  // again after the restart (at least once), never not at all.
  log_event(refused ? "refused" : "receipt", line);
  print_stdout(line);
  if (refused && batch) {
    // Too large (the frame, or more records than the hub takes): split in two.
    bool too_large = r.error_name == "frame_too_large"
                     || (r.error_name == "invalid_field" && r.reason.rfind("records: more than", 0) == 0);
    if (too_large && batch->records.size() > 1) {
      auto recs = batch->records;
      auto lines = batch->lines;
      bool with_lines = lines.size() == recs.size();
      auto half = static_cast<std::ptrdiff_t>(recs.size() / 2);
      std::vector<pending_batch> parts;
      parts.push_back(new_batch({recs.begin(), recs.begin() + half},
                                with_lines ? std::vector<size_t>{lines.begin(), lines.begin() + half}
                                           : std::vector<size_t>{},
                                batch->snapshot));
      parts.push_back(new_batch({recs.begin() + half, recs.end()},
                                with_lines ? std::vector<size_t>{lines.begin() + half, lines.end()}
                                           : std::vector<size_t>{},
                                batch->snapshot));
      log_event("split", {{"batchId", batch_id}, {"records", recs.size()}});
      replace(*batch, std::move(parts), false);
      return;
    }
    // One record refused ("records[i]..."): that record is reported by its input line
    // and the others are recorded again as a new batch.
    size_t index = 0;
    bool named = false;
    if (r.reason.rfind("records[", 0) == 0) {
      auto close = r.reason.find(']');
      auto digits = r.reason.substr(8, close == std::string::npos ? 0 : close - 8);
      if (!digits.empty() && digits.size() < 10
          && digits.find_first_not_of("0123456789") == std::string::npos) {
        index = std::stoul(digits);
        named = index < batch->records.size();
      }
    }
    if (named) {
      nlohmann::ordered_json err{{"kind", "error"}};
      if (batch->lines.size() == batch->records.size())
        err["line"] = batch->lines[index];
      err["id"] = batch->records[index].id;
      err["batchId"] = batch_id;
      err["errorName"] = r.error_name;
      err["reason"] = "refused by the hub: " + r.reason;
      log_event("record_refused", err);
      print_stdout(err);
      if (batch->records.size() > 1) {
        auto recs = batch->records;
        auto lines = batch->lines;
        recs.erase(recs.begin() + static_cast<std::ptrdiff_t>(index));
        if (lines.size() > index)
          lines.erase(lines.begin() + static_cast<std::ptrdiff_t>(index));
        std::vector<pending_batch> parts;
        parts.push_back(new_batch(std::move(recs), std::move(lines), batch->snapshot));
        replace(*batch, std::move(parts), true);
        return;
      }
    }
  }
  // Accepted, duplicate (the hub had it: a resend after a restart) or refused for good:
  // it leaves the state file.
  if (auto err = state_->record_receipted(batch_id, refused)) {
    fatal(err);
    return;
  }
  flights_.erase(batch_id);
  by_message_.erase(m);
  last_receipt_at_ = clock_type::now();
  if (r.status == hub::receipt::accepted && notices_seen_.count(batch_id) == 0)
    awaiting_notice_.insert(batch_id);
}

void foreign_loop::on_notification(const hub::notification& n) {
  last_frame_at_ = clock_type::now();
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
  if (auto err = link_.client->ack(n.id))
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
         || clock_type::now() - last_receipt_at_ > milliseconds{s_.conn.timeout_ms};
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
    if (link_.client) {
      bool expecting_receipt = std::any_of(flights_.begin(), flights_.end(),
                                           [](const auto& kv) { return kv.second.in_flight; });
      if (expecting_receipt && link_.client->queued_notifications() == 0) {
        auto r = link_.client->next_receipt(wait);
        if (r)
          on_receipt(*r);
        else if (!hub::is_timeout(r.error()))
          connection_lost(r.error());
      }
      while (link_.client && rc_ == 0) {
        auto n = link_.client->next_notification(
          expecting_receipt || link_.client->queued_notifications() > 0 ? milliseconds{0} : wait);
        if (n) {
          on_notification(*n);
          continue;
        }
        if (!hub::is_timeout(n.error()))
          connection_lost(n.error());
        break;
      }
      while (link_.client && rc_ == 0 && link_.client->queued_receipts() > 0) {
        auto r = link_.client->next_receipt(milliseconds{0});
        if (r)
          on_receipt(*r);
        else if (!hub::is_timeout(r.error()))
          connection_lost(r.error());
      }
      if (link_.reconnected()) {
        for (auto& [id, f] : flights_)
          if (f.in_flight)
            f.due = clock_type::now();
      }
    } else if (wait.count() > 0) {
      std::this_thread::sleep_for(std::min(wait, tick));
    }
    if (rc_ != 0)
      break;
    check_silence();
    if (input_) {
      if (state_->pending().size() < max_pending && lines_.empty())
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
  if (!finished)
    drain_input(); // everything read but not recorded yet: kept for the next run
  if (rc_ == 0 || gave_up_) {
    auto& c = state_->counters();
    size_t unsent = 0, pending_records = 0;
    for (auto& b : state_->pending()) {
      pending_records += b.records.size();
      auto f = flights_.find(b.batch_id);
      if (f == flights_.end() || f->second.attempts == 0)
        unsent += b.records.size();
    }
    log_event(finished ? "finished" : "stopping",
              {{"pendingBatches", state_->pending().size()},
               {"pendingRecords", pending_records},
               {"unsentRecords", unsent},
               {"batchesReceipted", c.batches_receipted},
               {"recordsReceipted", c.records_receipted},
               {"batchesRefused", c.batches_refused}});
  }
  input_.reset();
  link_.client.reset();
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
