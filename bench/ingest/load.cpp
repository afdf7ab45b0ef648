#include "bench/ingest/load.hpp"

#include <algorithm>
#include <cmath>
#include <thread>
#include <unordered_map>

#include "actors/core/error.hpp"
#include "bench/ingest/declaration.hpp"

namespace bench {

namespace {

using clock_type = std::chrono::steady_clock;
using time_point = clock_type::time_point;
using std::chrono::milliseconds;

clock_type::duration seconds_to_duration(double s) {
  return std::chrono::duration_cast<clock_type::duration>(std::chrono::duration<double>(s));
}

double seconds_between(time_point a, time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

/// What one connection saw; merged into a phase_result after the threads joined.
struct conn_result {
  uint64_t planned = 0, sent = 0, accepted = 0, rejected = 0, duplicates = 0;
  uint64_t unmatched = 0, lost = 0, frame_bytes = 0;
  time_point last_send{}, last_receipt{};
  std::vector<int64_t> latencies_us;
  std::map<std::string, uint64_t> reject_names;
  std::string first_reject_reason;
  std::string error;
};

/// Drives one partner_client from one thread.
class connection_driver {
public:
  connection_driver(hub::partner_client& client, size_t index, doc_size size,
                    conn_result& out)
    : client_(client), out_(out),
      factory_(client.party() + "-C" + std::to_string(index), index + 1, size) {
    doc_.recipient = "hub";
    doc_.document_type = "customs.declaration";
  }

  void run_open(const load_settings& s, time_point start, double rate_per_conn,
                double offset_s) {
    const auto n = static_cast<uint64_t>(std::floor(s.duration_s * rate_per_conn));
    out_.planned = n;
    /// Planned send time of message i; latency is counted from it.
    auto due = [&](uint64_t i) {
      return start + seconds_to_duration(offset_s + static_cast<double>(i) / rate_per_conn);
    };
    while (out_.sent < n) {
      for (auto now = clock_type::now(); out_.sent < n && due(out_.sent) <= now;
           now = clock_type::now())
        if (!send_one(due(out_.sent)))
          return finish(s);
      if (!drain_ready() || out_.sent >= n)
        break;
      wait_until(due(out_.sent));
      if (!out_.error.empty())
        break;
    }
    finish(s);
  }

  void run_closed(const load_settings& s, time_point start) {
    std::this_thread::sleep_until(start);
    const auto end = start + seconds_to_duration(s.duration_s);
    while (clock_type::now() < end && out_.error.empty()) {
      for (auto now = clock_type::now(); now < end && in_flight_.size() < s.window;
           now = clock_type::now())
        if (!send_one(now))
          return finish(s);
      auto left = std::chrono::ceil<milliseconds>(end - clock_type::now());
      if (!wait_receipt(std::clamp(left, milliseconds{0}, milliseconds{50})) || !drain_ready())
        break;
    }
    finish(s);
  }

private:
  /// Sends the next declaration; its latency will count from `counted_from`.
  bool send_one(time_point counted_from) {
    doc_.payload = factory_.next();
    if (frame_overhead_ == 0) { // the envelope (and signature) around the payload, once
      auto& signing = client_.options().signing;
      frame_overhead_ = hub::build_envelope_frame(client_.party(), doc_,
                                                  nullptr, signing ? &*signing : nullptr)
                          .size()
                        - doc_.payload.size();
    }
    hub::bytes id;
    if (auto err = client_.send_envelope(doc_, &id)) {
      out_.error = client_.party() + ": send: " + hub::context_text(err);
      return false;
    }
    in_flight_.emplace(std::string(id.begin(), id.end()), counted_from);
    out_.sent++;
    out_.frame_bytes += doc_.payload.size() + frame_overhead_;
    out_.last_send = clock_type::now();
    return true;
  }

  void on_receipt(hub::receipt& r, time_point arrival) {
    out_.last_receipt = arrival;
    auto i = in_flight_.find(std::string(r.message_id.begin(), r.message_id.end()));
    if (i == in_flight_.end()) {
      // An answer to no message of ours: the hub could not read the message id.
      out_.unmatched++;
      out_.reject_names["unmatched:" + r.error_name]++;
      if (out_.first_reject_reason.empty())
        out_.first_reject_reason = r.error_name + ": " + r.reason;
      return;
    }
    switch (r.status) {
      case hub::receipt::accepted:
        out_.accepted++;
        out_.latencies_us.push_back(
          std::chrono::duration_cast<std::chrono::microseconds>(arrival - i->second).count());
        break;
      case hub::receipt::duplicate: out_.duplicates++; break;
      case hub::receipt::rejected:
        out_.rejected++;
        out_.reject_names[r.error_name]++;
        if (out_.first_reject_reason.empty())
          out_.first_reject_reason = r.error_name + ": " + r.reason;
        break;
    }
    in_flight_.erase(i);
  }

  /// Waits up to `timeout` for one receipt. False only on a transport failure.
  bool wait_receipt(milliseconds timeout) {
    auto r = client_.next_receipt(timeout);
    if (r) {
      on_receipt(*r, clock_type::now());
      return true;
    }
    if (hub::is_timeout(r.error()))
      return true;
    out_.error = client_.party() + ": receive: " + hub::context_text(r.error());
    return false;
  }

  /// Takes every receipt that has already arrived, without waiting.
  bool drain_ready() {
    for (;;) {
      auto r = client_.next_receipt(milliseconds{0});
      if (r) {
        on_receipt(*r, clock_type::now());
        continue;
      }
      if (hub::is_timeout(r.error()))
        return true;
      out_.error = client_.party() + ": receive: " + hub::context_text(r.error());
      return false;
    }
  }

  /// Until `t`, takes receipts as they come. The client waits in whole milliseconds,
  /// so the last part is slept; a receipt arriving then is seen up to one send
  /// interval late (at 10,000/s over 8 connections: 0.8 ms).
  void wait_until(time_point t) {
    for (;;) {
      auto left = t - clock_type::now();
      if (left <= clock_type::duration::zero())
        return;
      if (left < milliseconds{2}) {
        std::this_thread::sleep_until(t);
        return;
      }
      if (!wait_receipt(std::chrono::floor<milliseconds>(left) - milliseconds{1}))
        return;
    }
  }

  /// Waits for the receipts still outstanding, then counts the rest as lost.
  void finish(const load_settings& s) {
    const auto deadline = clock_type::now() + seconds_to_duration(s.drain_s);
    while (out_.error.empty() && !in_flight_.empty() && clock_type::now() < deadline)
      if (!wait_receipt(milliseconds{100}))
        break;
    out_.lost = in_flight_.size();
  }

  hub::partner_client& client_;
  conn_result& out_;
  declaration_factory factory_;
  hub::outgoing doc_;
  size_t frame_overhead_ = 0;
  std::unordered_map<std::string, time_point> in_flight_; ///< message id -> counted from
};

void run_connection(hub::partner_client& client, size_t index, const load_settings& s,
                    time_point start, size_t connections, conn_result& out) {
  // Nothing may escape a thread: a throw would std::terminate the benchmark with the
  // hub still running.
  try {
    connection_driver d{client, index, s.size, out};
    if (s.open_loop) {
      double per_conn = s.rate / static_cast<double>(connections);
      // Connection i sends i/rate after connection 0: the total is evenly spaced.
      d.run_open(s, start, per_conn, static_cast<double>(index) / s.rate);
    } else {
      d.run_closed(s, start);
    }
  } catch (const std::exception& e) {
    out.error = std::string{"exception: "} + e.what();
  } catch (...) {
    out.error = "unknown exception";
  }
}

phase_result merge(const std::vector<conn_result>& parts, const load_settings& s,
                   time_point start) {
  phase_result r;
  r.name = s.open_loop ? "open" : "closed";
  r.connections = parts.size();
  r.planned_rate = s.open_loop ? s.rate : 0;
  std::vector<int64_t> all;
  uint64_t frame_bytes = 0;
  time_point last_send = start, last_receipt = start;
  for (auto& p : parts) {
    r.planned += p.planned;
    r.sent += p.sent;
    r.accepted += p.accepted;
    r.rejected += p.rejected;
    r.duplicates += p.duplicates;
    r.unmatched += p.unmatched;
    r.lost += p.lost;
    frame_bytes += p.frame_bytes;
    last_send = std::max(last_send, p.last_send);
    last_receipt = std::max(last_receipt, p.last_receipt);
    all.insert(all.end(), p.latencies_us.begin(), p.latencies_us.end());
    for (auto& [name, n] : p.reject_names)
      r.reject_names[name] += n;
    if (r.first_reject_reason.empty())
      r.first_reject_reason = p.first_reject_reason;
    if (r.error.empty())
      r.error = p.error;
  }
  r.send_s = seconds_between(start, last_send);
  r.elapsed_s = seconds_between(start, last_receipt);
  r.docs_per_s = r.elapsed_s > 0 ? static_cast<double>(r.accepted) / r.elapsed_s : 0;
  r.mean_frame_bytes = r.sent > 0 ? static_cast<double>(frame_bytes) / static_cast<double>(r.sent) : 0;
  r.latency = summarize(all);
  return r;
}

} // namespace

client_set connect_clients(zmq::context_t& ctx, const std::string& endpoint,
                           const std::string& server_public_key,
                           const std::vector<client_identity>& parties, size_t count) {
  client_set out;
  for (size_t i = 0; i < count && !parties.empty(); ++i) {
    auto& who = parties[i % parties.size()];
    hub::client_options opts;
    opts.endpoint = endpoint;
    opts.server_public_key = server_public_key;
    opts.keys = who.keys;
    opts.client_name = "swhub-bench-ingest";
    if (!who.sign_stem.empty()) {
      auto id = hub::load_signing_identity(who.sign_stem);
      if (!id) {
        out.error = "signing key " + who.sign_stem + ": " + hub::context_text(id.error());
        out.clients.clear();
        return out;
      }
      opts.signing = std::move(*id);
    }
    auto c = hub::partner_client::connect(ctx, opts);
    if (!c) {
      out.error = "connection " + std::to_string(i) + ": " + hub::context_text(c.error());
      out.clients.clear();
      return out;
    }
    out.clients.push_back(std::move(*c));
  }
  return out;
}

phase_result run_phase(client_set set, const load_settings& s) {
  auto& clients = set.clients;
  std::vector<conn_result> parts(clients.size());
  // A common start a little ahead, so every thread is running when it comes.
  auto start = clock_type::now() + milliseconds{100};
  std::vector<std::thread> threads;
  for (size_t i = 0; i < clients.size(); ++i)
    threads.emplace_back(run_connection, std::ref(*clients[i]), i, std::cref(s), start,
                         clients.size(), std::ref(parts[i]));
  for (auto& t : threads)
    t.join();
  clients.clear(); // before the caller's zmq context goes
  return merge(parts, s, start);
}

} // namespace bench
