#include "bench/customs/load.hpp"

#include <algorithm>
#include <cmath>
#include <thread>
#include <unordered_map>

#include "actors/core/error.hpp"

namespace bench {

namespace {

using clock_type = std::chrono::steady_clock;
using time_point = clock_type::time_point;
using std::chrono::milliseconds;

clock_type::duration seconds_to_duration(double s) {
  return std::chrono::duration_cast<clock_type::duration>(std::chrono::duration<double>(s));
}

int64_t micros(time_point from, time_point to) {
  return std::chrono::duration_cast<std::chrono::microseconds>(to - from).count();
}

struct message_state {
  time_point planned{};
  bool warmup = false;
  bool receipt = false;
  bool accepted = false;
  bool notified = false;
  bool final_seen = false; ///< agencies: a status other than "accepted" (else: any status)
  bool released = false;
  bool closed = false;
  size_t cls = no_agency;
};

/// A goods pool declarations draw their items from, and how often.
struct goods_pool {
  std::vector<goods_line> goods;
  double weight = 0;
};

struct conn_result {
  uint64_t planned = 0, sent = 0, warmup_sent = 0, accepted = 0, rejected = 0, duplicates = 0;
  uint64_t lost = 0, notified = 0, no_notice = 0, notifications = 0, acks = 0, foreign = 0;
  uint64_t frame_bytes = 0, items = 0;
  time_point first_measured{}, last_notice{};
  bool any_measured = false;
  std::vector<int64_t> receipt_us, notice_us;
  std::array<std::vector<int64_t>, 3> release_us;
  std::array<release_class, 3> classes{};
  std::map<std::string, uint64_t> final_status;
  std::map<std::string, uint64_t> first_status, reject_names;
  std::string first_reject_reason, error;
};

class driver {
public:
  driver(hub::partner_client& c, size_t index, const std::vector<goods_line>& goods,
         const std::vector<bench_enterprise>& ents, uint64_t seed, conn_result& out,
         const std::vector<goods_pool>& pools, const customs_load_settings& s)
    : c_(c), index_(index), goods_(goods), ents_(ents), r_{seed * 0x9E3779B97F4A7C15ull + index + 1},
      out_(out), pools_(pools), agencies_(s.agencies), slow_(s.slow_agency) {
    doc_.recipient = "hub";
    doc_.document_type = "customs.declaration";
  }

  void run(const customs_load_settings& s, time_point start, double per_conn, double offset_s) {
    const auto n_warm = static_cast<uint64_t>(std::floor(s.warmup_s * per_conn));
    const auto n = n_warm + static_cast<uint64_t>(std::floor(s.duration_s * per_conn));
    out_.planned = n - n_warm;
    auto due = [&](uint64_t i) {
      return start + seconds_to_duration(offset_s + static_cast<double>(i) / per_conn);
    };
    uint64_t next = 0;
    while (next < n && out_.error.empty()) {
      for (auto now = clock_type::now(); next < n && due(next) <= now; now = clock_type::now()) {
        if (!send_one(due(next), next < n_warm))
          return finish(s);
        ++next;
      }
      if (next >= n || !drain())
        break;
      wait_until(due(next));
    }
    finish(s);
  }

private:
  bool send_one(time_point planned, bool warmup) {
    auto items = draw_items(pick_goods(), r_);
    auto decl_id = c_.party() + "-" + std::to_string(++counter_);
    auto& importer = ents_[r_.below(ents_.size())].code;
    doc_.payload = declaration_payload(decl_id, importer, items);
    if (overhead_ == 0)
      overhead_ = hub::build_envelope_frame(c_.party(), doc_).size() - doc_.payload.size();
    hub::bytes id;
    if (auto err = c_.send_envelope(doc_, &id)) {
      out_.error = c_.party() + ": send: " + hub::context_text(err);
      return false;
    }
    message_state m;
    m.planned = planned;
    m.warmup = warmup;
    if (!agencies_.empty()) {
      auto mask = agencies_of(agencies_, items);
      m.cls = mask == 0 ? no_agency
              : slow_ < agencies_.size() && (mask & (1u << slow_)) != 0 ? slow_agency
                                                                        : fast_agencies;
      by_decl_.emplace(decl_id, std::string(id.begin(), id.end()));
    }
    if (!warmup && !out_.any_measured) {
      out_.any_measured = true;
      out_.first_measured = planned;
    }
    (warmup ? out_.warmup_sent : out_.sent)++;
    if (!warmup) {
      out_.frame_bytes += doc_.payload.size() + overhead_;
      out_.items += items.size();
    }
    msgs_.emplace(std::string(id.begin(), id.end()), m);
    ++open_;
    return true;
  }

  /// The goods of the next declaration: all of them, or (agencies) a pool by weight.
  const std::vector<goods_line>& pick_goods() {
    if (pools_.empty())
      return goods_;
    double total = 0;
    for (auto& p : pools_)
      total += p.weight;
    double x = r_.uniform(0, total);
    for (auto& p : pools_) {
      if (x < p.weight)
        return p.goods;
      x -= p.weight;
    }
    return pools_.back().goods;
  }

  /// A message is open until it has its receipt and, if accepted, its final
  /// notification (the first one; with agencies the first not "accepted").
  void maybe_close(message_state& m) {
    if (!m.closed && m.receipt && (!m.accepted || m.final_seen)) {
      m.closed = true;
      --open_;
    }
  }

  void on_receipt(const hub::receipt& r, time_point at) {
    auto i = msgs_.find(std::string(r.message_id.begin(), r.message_id.end()));
    if (i == msgs_.end() || i->second.receipt) {
      if (r.status == hub::receipt::rejected && r.message_id.empty()) {
        out_.reject_names["unmatched:" + r.error_name]++;
        if (out_.first_reject_reason.empty())
          out_.first_reject_reason = r.error_name + ": " + r.reason;
      }
      return;
    }
    auto& m = i->second;
    m.receipt = true;
    m.accepted = r.status == hub::receipt::accepted;
    if (!m.warmup) {
      switch (r.status) {
        case hub::receipt::accepted:
          out_.accepted++;
          out_.receipt_us.push_back(micros(m.planned, at));
          break;
        case hub::receipt::duplicate: out_.duplicates++; break;
        case hub::receipt::rejected:
          out_.rejected++;
          out_.reject_names[r.error_name]++;
          if (out_.first_reject_reason.empty())
            out_.first_reject_reason = r.error_name + ": " + r.reason;
          break;
      }
    }
    maybe_close(m);
  }

  void on_notification(const hub::notification& n, time_point at) {
    out_.notifications++;
    if (!c_.ack(n.id))
      out_.acks++;
    if (n.is_delivery) {
      out_.foreign++;
      return;
    }
    auto i = msgs_.find(std::string(n.subject_message_id.begin(), n.subject_message_id.end()));
    if (i == msgs_.end() && !by_decl_.empty()) {
      if (auto d = by_decl_.find(n.declaration_id); d != by_decl_.end())
        i = msgs_.find(d->second);
    }
    if (i == msgs_.end()) {
      out_.foreign++;
      return;
    }
    auto& m = i->second;
    const bool sw = !agencies_.empty();
    if (!m.notified) {
      m.notified = true;
      if (!m.warmup) {
        out_.notice_us.push_back(micros(m.planned, at));
        out_.first_status[n.status]++;
        if (!sw)
          out_.last_notice = std::max(out_.last_notice, at);
      }
    }
    if (!m.final_seen && (!sw || n.status != "accepted")) {
      m.final_seen = true;
      m.released = n.status == "released";
      if (sw && !m.warmup) {
        out_.final_status[n.status]++;
        out_.last_notice = std::max(out_.last_notice, at);
        if (m.released)
          out_.release_us[m.cls].push_back(micros(m.planned, at));
      }
    }
    maybe_close(m); // a notification that overtook the receipt closes with the receipt
  }

  /// Takes whatever has arrived, without waiting. False on a transport failure.
  bool drain() {
    for (bool any = true; any;) {
      any = false;
      for (;;) {
        auto r = c_.next_receipt(milliseconds{0});
        if (!r) {
          if (!hub::is_timeout(r.error()))
            return fail("receive", r.error());
          break;
        }
        on_receipt(*r, clock_type::now());
        any = true;
      }
      for (;;) {
        auto n = c_.next_notification(milliseconds{0});
        if (!n) {
          if (!hub::is_timeout(n.error()))
            return fail("receive", n.error());
          break;
        }
        on_notification(*n, clock_type::now());
        any = true;
      }
    }
    return true;
  }

  bool fail(const char* what, const caf::error& err) {
    out_.error = c_.party() + ": " + what + ": " + hub::context_text(err);
    return false;
  }

  /// Blocks in zmq_poll on the socket (whole milliseconds) until `t`, taking
  /// receipts and notifications as they come; the last sub-millisecond is slept, so
  /// an arrival then is timestamped up to one send interval late (rounded up).
  void wait_until(time_point t) {
    zmq::pollitem_t items[] = {{c_.socket().handle(), 0, ZMQ_POLLIN, 0}};
    for (;;) {
      auto left = t - clock_type::now();
      if (left <= clock_type::duration::zero())
        return;
      if (left < milliseconds{1}) {
        std::this_thread::sleep_until(t);
        return;
      }
      try {
        zmq::poll(items, 1, std::chrono::floor<milliseconds>(left));
      } catch (const zmq::error_t& e) {
        if (e.num() != EINTR) {
          out_.error = c_.party() + ": poll: " + e.what();
          return;
        }
      }
      if (!drain())
        return;
    }
  }

  void finish(const customs_load_settings& s) {
    const auto deadline = clock_type::now() + seconds_to_duration(s.drain_s);
    zmq::pollitem_t items[] = {{c_.socket().handle(), 0, ZMQ_POLLIN, 0}};
    while (out_.error.empty() && open_ > 0 && clock_type::now() < deadline) {
      if (!drain())
        break;
      if (open_ == 0)
        break;
      try {
        zmq::poll(items, 1, milliseconds{20});
      } catch (const zmq::error_t&) {
      }
    }
    drain();
    for (auto& [id, m] : msgs_) {
      if (m.warmup)
        continue;
      if (!m.receipt)
        out_.lost++;
      else if (m.accepted && m.notified)
        out_.notified++;
      else if (m.accepted)
        out_.no_notice++;
      if (!agencies_.empty() && m.accepted) {
        auto& k = out_.classes[m.cls];
        k.planned++;
        (m.released ? k.released : m.final_seen ? k.held : k.pending)++;
      }
    }
  }

  hub::partner_client& c_;
  size_t index_;
  const std::vector<goods_line>& goods_;
  const std::vector<bench_enterprise>& ents_;
  rng r_;
  conn_result& out_;
  hub::outgoing doc_;
  size_t overhead_ = 0;
  uint64_t counter_ = 0;
  uint64_t open_ = 0;
  std::unordered_map<std::string, message_state> msgs_;
  const std::vector<goods_pool>& pools_;
  const std::vector<bench_agency>& agencies_;
  size_t slow_;
  std::unordered_map<std::string, std::string> by_decl_; ///< declaration id -> message id
};

/// Agencies: goods routed to no agency (weight 40) and to one or two (60, see
/// customs_load_settings). Empty without agencies.
std::vector<goods_pool> make_pools(const std::vector<goods_line>& goods,
                                   const std::vector<bench_agency>& agencies) {
  std::vector<goods_pool> pools;
  if (agencies.empty())
    return pools;
  auto pool = [&](unsigned mask, double weight) {
    goods_pool p;
    p.weight = weight;
    for (auto& g : goods) {
      item_spec it;
      it.line = &g;
      auto m = agencies_of(agencies, {it});
      if (mask == 0 ? m == 0 : (m & mask) != 0)
        p.goods.push_back(g);
    }
    if (!p.goods.empty())
      pools.push_back(std::move(p));
  };
  pool(0, 40);
  if (agencies.size() == 3) {
    pool(1, 15);
    pool(2, 15);
    pool(1 | 2, 10);
    pool(4, 10);
    pool(1 | 4, 10);
  } else {
    for (size_t i = 0; i < agencies.size(); ++i)
      pool(1u << i, 60.0 / static_cast<double>(agencies.size()));
  }
  return pools;
}

} // namespace

customs_client_set connect_customs_clients(zmq::context_t& ctx, const std::string& endpoint,
                                           const std::string& server_public_key,
                                           const std::vector<hub::curve_keypair>& keys) {
  customs_client_set out;
  for (size_t i = 0; i < keys.size(); ++i) {
    hub::client_options opts;
    opts.endpoint = endpoint;
    opts.server_public_key = server_public_key;
    opts.keys = keys[i];
    opts.client_name = "swhub-bench-customs";
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

customs_load_result run_customs_load(customs_client_set set, const customs_load_settings& s,
                                     const std::vector<goods_line>& goods,
                                     const std::vector<bench_enterprise>& enterprises) {
  auto& clients = set.clients;
  std::vector<conn_result> parts(clients.size());
  const auto pools = make_pools(goods, s.agencies);
  auto start = clock_type::now() + milliseconds{100};
  std::vector<std::thread> threads;
  const double per_conn = s.rate / static_cast<double>(clients.size());
  for (size_t i = 0; i < clients.size(); ++i)
    threads.emplace_back([&, i] {
      try {
        driver d{*clients[i], i, goods, enterprises, s.seed, parts[i], pools, s};
        d.run(s, start, per_conn, static_cast<double>(i) / s.rate);
      } catch (const std::exception& e) {
        parts[i].error = std::string{"exception: "} + e.what();
      } catch (...) {
        parts[i].error = "unknown exception";
      }
    });
  for (auto& t : threads)
    t.join();
  clients.clear();

  customs_load_result r;
  r.connections = parts.size();
  std::vector<int64_t> rec, note;
  std::array<std::vector<int64_t>, 3> rel;
  uint64_t bytes = 0, items = 0;
  time_point first{}, last{};
  bool have_first = false;
  for (auto& p : parts) {
    r.planned += p.planned;
    r.sent += p.sent;
    r.warmup_sent += p.warmup_sent;
    r.accepted += p.accepted;
    r.rejected += p.rejected;
    r.duplicates += p.duplicates;
    r.lost += p.lost;
    r.notified += p.notified;
    r.no_notice += p.no_notice;
    r.notifications += p.notifications;
    r.acks += p.acks;
    r.foreign += p.foreign;
    bytes += p.frame_bytes;
    items += p.items;
    rec.insert(rec.end(), p.receipt_us.begin(), p.receipt_us.end());
    note.insert(note.end(), p.notice_us.begin(), p.notice_us.end());
    for (auto& [k, v] : p.first_status)
      r.first_status[k] += v;
    for (auto& [k, v] : p.final_status)
      r.final_status[k] += v;
    for (size_t c = 0; c < 3; ++c) {
      rel[c].insert(rel[c].end(), p.release_us[c].begin(), p.release_us[c].end());
      r.classes[c].planned += p.classes[c].planned;
      r.classes[c].released += p.classes[c].released;
      r.classes[c].held += p.classes[c].held;
      r.classes[c].pending += p.classes[c].pending;
      r.released += p.classes[c].released;
    }
    for (auto& [k, v] : p.reject_names)
      r.reject_names[k] += v;
    if (r.first_reject_reason.empty())
      r.first_reject_reason = p.first_reject_reason;
    if (r.error.empty())
      r.error = p.error;
    if (p.any_measured && (!have_first || p.first_measured < first)) {
      first = p.first_measured;
      have_first = true;
    }
    last = std::max(last, p.last_notice);
  }
  r.measured_s = have_first && last > first ? std::chrono::duration<double>(last - first).count() : 0;
  r.decl_per_s = r.measured_s > 0 ? static_cast<double>(r.notified) / r.measured_s : 0;
  r.mean_frame_bytes = r.sent > 0 ? static_cast<double>(bytes) / static_cast<double>(r.sent) : 0;
  r.mean_items = r.sent > 0 ? static_cast<double>(items) / static_cast<double>(r.sent) : 0;
  r.receipt = summarize(rec);
  r.notice = summarize(note);
  for (size_t c = 0; c < 3; ++c)
    r.classes[c].latency = summarize(rel[c]);
  r.released_per_s = r.measured_s > 0 ? static_cast<double>(r.released) / r.measured_s : 0;
  return r;
}

} // namespace bench
