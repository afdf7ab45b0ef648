#include "bench/ecommerce/load.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <thread>
#include <unordered_map>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "actors/core/error.hpp"
#include "actors/core/frames.hpp"

namespace bench::ceb {

namespace {

using clock_type = std::chrono::steady_clock;
using time_point = clock_type::time_point;
using std::chrono::milliseconds;

constexpr int64_t none = INT64_MIN;

enum outcome : uint8_t { open = 0, released = 1, refused = 2, dead = 3 };

/// Per-parcel state every thread sees: how many of its documents are out, when the
/// fourth went (or was due), when and how the agent learnt the decision.
struct tracker {
  explicit tracker(size_t n)
    : sent(new std::atomic<uint8_t>[n]), fourth_ns(new std::atomic<int64_t>[n]),
      decided_ns(new std::atomic<int64_t>[n]), state(new std::atomic<uint8_t>[n]), size(n) {
    for (size_t i = 0; i < n; ++i) {
      sent[i] = 0;
      fourth_ns[i] = none;
      decided_ns[i] = none;
      state[i] = open;
    }
  }
  std::unique_ptr<std::atomic<uint8_t>[]> sent;
  std::unique_ptr<std::atomic<int64_t>[]> fourth_ns;
  std::unique_ptr<std::atomic<int64_t>[]> decided_ns;
  std::unique_ptr<std::atomic<uint8_t>[]> state;
  size_t size;
  std::atomic<uint64_t> closed{0}; ///< decided or dead
  std::atomic<bool> abort{false};
  time_point start;

  int64_t ns(time_point t) const {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(t - start).count();
  }
  /// First outcome wins; true if this call decided it.
  bool close(int64_t p, outcome o, time_point at) {
    if (p < 0 || static_cast<size_t>(p) >= size)
      return false;
    uint8_t expected = open;
    if (!state[p].compare_exchange_strong(expected, o))
      return false;
    if (o != dead)
      decided_ns[p] = ns(at);
    closed++;
    return true;
  }
  bool done() const { return closed.load() >= size || abort.load(); }
};

struct one_return {
  std::string status, info, cop_no, order_no, pay_id, logistics_no;
};

/// The *Return elements of a CEB receipt message (libxml2, no network, no entities).
std::vector<one_return> read_returns(const hub::bytes& xml) {
  std::vector<one_return> out;
  xmlDocPtr doc = xmlReadMemory(reinterpret_cast<const char*>(xml.data()),
                                static_cast<int>(xml.size()), "receipt.xml", nullptr,
                                XML_PARSE_NONET);
  if (doc == nullptr)
    return out;
  auto* root = xmlDocGetRootElement(doc);
  for (auto* r = root ? root->children : nullptr; r; r = r->next) {
    if (r->type != XML_ELEMENT_NODE)
      continue;
    one_return x;
    for (auto* e = r->children; e; e = e->next) {
      if (e->type != XML_ELEMENT_NODE)
        continue;
      std::string name{reinterpret_cast<const char*>(e->name)};
      std::string* slot = name == "returnStatus"       ? &x.status
                          : name == "returnInfo"       ? &x.info
                          : name == "copNo"            ? &x.cop_no
                          : name == "orderNo"          ? &x.order_no
                          : name == "payTransactionId" ? &x.pay_id
                          : name == "logisticsNo"      ? &x.logistics_no
                                                       : nullptr;
      if (slot == nullptr)
        continue;
      auto* t = xmlNodeGetContent(e);
      *slot = t ? reinterpret_cast<const char*>(t) : "";
      xmlFree(t);
    }
    out.push_back(std::move(x));
  }
  xmlFreeDoc(doc);
  return out;
}

bool is_refusal(const std::string& status) {
  return status == "100" || (!status.empty() && status[0] == '-');
}

/// What one partner thread saw; merged after the threads joined.
struct conn_out {
  uint64_t messages = 0, documents = 0, payload_bytes = 0;
  uint64_t accepted = 0, rejected = 0, duplicates = 0, no_receipt = 0;
  uint64_t notifications = 0, ack_frames = 0, returns = 0, document_refusals = 0;
  time_point last_send{};
  std::vector<int64_t> receipt_us;
  std::map<std::string, uint64_t> reject_names;
  std::vector<refusal> refusals;
  std::map<std::string, uint64_t> refusal_codes;
  std::string error;
};

class driver {
public:
  driver(hub::partner_client& c, partner_plan& plan, tracker& t, const std::string& prefix,
         conn_out& out)
    : c_(c), plan_(plan), t_(t), prefix_(prefix), out_(out) {
    doc_.recipient = "hub";
    doc_.document_type = document_type(plan.who->k);
  }

  void run(const load_settings& s) {
    std::this_thread::sleep_until(t_.start);
    auto& msgs = plan_.messages;
    size_t pos = 0;
    time_point all_receipted{};
    for (;;) {
      auto now = clock_type::now();
      if (s.open_loop) {
        while (pos < msgs.size() && due(msgs[pos]) <= now)
          if (!send(pos++, false))
            return;
      } else {
        while (pos < msgs.size() && in_flight_.size() < s.window)
          if (!send(pos++, true))
            return;
      }
      if (!drain())
        return;
      now = clock_type::now();
      if (pos == msgs.size() && in_flight_.empty()) {
        if (all_receipted == time_point{})
          all_receipted = now;
        if (t_.done() || now - all_receipted > seconds(s.drain_s))
          break;
      }
      if (pos == msgs.size() && !in_flight_.empty() && out_.last_send != time_point{}
          && now - out_.last_send > seconds(s.drain_s))
        break; // receipts that never came
      auto until = now + milliseconds{20};
      if (s.open_loop && pos < msgs.size())
        until = std::min(until, due(msgs[pos]));
      wait_until(until);
      if (!out_.error.empty())
        return;
    }
    out_.no_receipt = in_flight_.size();
  }

private:
  static clock_type::duration seconds(double s) {
    return std::chrono::duration_cast<clock_type::duration>(std::chrono::duration<double>(s));
  }
  time_point due(const prepared& m) const { return t_.start + seconds(m.planned_s); }

  /// `clock_starts`: closed loop, the parcel's clock starts at the real send of its
  /// fourth document (open loop: at the planned time, set before the run).
  bool send(size_t i, bool clock_starts) {
    auto& m = plan_.messages[i];
    doc_.payload = std::move(m.payload);
    auto before = clock_type::now();
    hub::bytes id;
    if (auto err = c_.send_envelope(doc_, &id)) {
      out_.error = c_.party() + ": send: " + hub::context_text(err);
      t_.abort = true;
      return false;
    }
    out_.messages++;
    out_.documents += m.parcels.size();
    out_.payload_bytes += doc_.payload.size();
    out_.last_send = clock_type::now();
    in_flight_.emplace(std::string(id.begin(), id.end()), std::make_pair(before, i));
    for (auto p : m.parcels)
      if (t_.sent[p].fetch_add(1) + 1 == kinds && clock_starts)
        t_.fourth_ns[p] = t_.ns(before);
    return true;
  }

  void on_receipt(const hub::receipt& r, time_point at) {
    auto i = in_flight_.find(std::string(r.message_id.begin(), r.message_id.end()));
    if (i == in_flight_.end()) {
      out_.reject_names["unmatched:" + r.error_name]++;
      return;
    }
    out_.receipt_us.push_back(
      std::chrono::duration_cast<std::chrono::microseconds>(at - i->second.first).count());
    switch (r.status) {
      case hub::receipt::accepted: out_.accepted++; break;
      case hub::receipt::duplicate: out_.duplicates++; break;
      case hub::receipt::rejected:
        out_.rejected++;
        // Counted by name; only the first few are listed (an overload sends thousands).
        if (out_.reject_names[r.error_name]++ < 3 && out_.refusals.size() < 20)
          out_.refusals.push_back({c_.party(), "hub receipt", r.error_name,
                                   "message " + std::to_string(i->second.second), r.reason});
        // Nothing of it is stored: its parcels can never be decided.
        for (auto p : plan_.messages[i->second.second].parcels)
          t_.close(p, dead, at);
        break;
    }
    in_flight_.erase(i);
  }

  void on_notification(const hub::notification& n, time_point at) {
    out_.notifications++;
    to_ack_.push_back(n.id); // acknowledged together at the end of the drain, as a
                             // platform that takes receipts in bursts would
    if (!n.is_document || n.document_format != "ceb-xml")
      return;
    bool agent = plan_.who->k == kind::agent;
    for (auto& r : read_returns(n.content)) {
      out_.returns++;
      if (agent && n.document_name == "CEB622Message") {
        auto p = parcel_of(r.cop_no, prefix_);
        if (r.status == "800")
          t_.close(p, released, at);
        else if (is_refusal(r.status) && t_.close(p, refused, at))
          note({c_.party(), n.document_name, r.status, r.cop_no, r.info});
        if (r.status[0] == '-')
          out_.document_refusals++;
        continue;
      }
      if (!is_refusal(r.status))
        continue;
      out_.document_refusals++;
      note({c_.party(), n.document_name, r.status,
            r.order_no + r.pay_id + r.logistics_no + r.cop_no, r.info});
      // A refused order, payment or waybill leaves its parcel waiting for the window.
      int64_t p = parcel_of(r.order_no, prefix_);
      if (p < 0)
        p = parcel_of(r.pay_id, "P" + prefix_);
      if (p < 0)
        p = parcel_of(r.logistics_no, "L" + prefix_);
      t_.close(p, dead, at);
    }
  }

  void note(refusal r) {
    out_.refusal_codes[r.info.substr(0, r.info.find(']') == std::string::npos
                                          ? std::min<size_t>(r.info.size(), 40)
                                          : r.info.find(']') + 1)]++;
    if (out_.refusals.size() < 20)
      out_.refusals.push_back(std::move(r));
  }

  bool drain() {
    for (bool any = true; any;) {
      any = false;
      for (;;) {
        auto r = c_.next_receipt(milliseconds{0});
        if (!r) {
          if (!hub::is_timeout(r.error()))
            return fail(r.error());
          break;
        }
        on_receipt(*r, clock_type::now());
        any = true;
      }
      for (;;) {
        auto n = c_.next_notification(milliseconds{0});
        if (!n) {
          if (!hub::is_timeout(n.error()))
            return fail(n.error());
          break;
        }
        on_notification(*n, clock_type::now());
        any = true;
        if (to_ack_.size() >= hub::max_ack_ids && !ack_now())
          return false;
      }
    }
    return ack_now();
  }

  /// Acknowledges what was taken since the last call.
  bool ack_now() {
    if (to_ack_.empty())
      return true;
    if (auto err = c_.ack(to_ack_))
      return fail(err);
    out_.ack_frames += (to_ack_.size() + hub::max_ack_ids - 1) / hub::max_ack_ids;
    to_ack_.clear();
    return true;
  }

  bool fail(const caf::error& err) {
    out_.error = c_.party() + ": receive: " + hub::context_text(err);
    t_.abort = true;
    return false;
  }

  /// zmq_poll on the socket (whole milliseconds) until `t`, taking what arrives; the
  /// last sub-millisecond is slept (open loop: a send is at most that late).
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
      if (items[0].revents != 0)
        return; // something came: let the caller send or stop
    }
  }

  hub::partner_client& c_;
  partner_plan& plan_;
  tracker& t_;
  const std::string& prefix_;
  conn_out& out_;
  hub::outgoing doc_;
  std::vector<uint64_t> to_ack_;
  /// message id -> (send time, message index)
  std::unordered_map<std::string, std::pair<time_point, size_t>> in_flight_;
};

} // namespace

std::vector<partner_connection> connect_partners(zmq::context_t& ctx, const std::string& endpoint,
                                                 const std::string& server_public_key,
                                                 phase_plan& plan, std::string& error) {
  std::vector<partner_connection> out;
  for (auto& pp : plan.plans) {
    hub::client_options opts;
    opts.endpoint = endpoint;
    opts.server_public_key = server_public_key;
    opts.keys = pp.who->curve;
    opts.client_name = "swhub-bench-ecommerce";
    auto c = hub::partner_client::connect(ctx, opts);
    if (!c) {
      error = pp.who->party + ": " + hub::context_text(c.error());
      return {};
    }
    out.push_back({std::move(*c), std::move(pp)});
  }
  plan.plans.clear();
  return out;
}

load_result run_load(std::vector<partner_connection> conns, const phase_plan& plan,
                     const load_settings& s) {
  load_result r;
  r.partners = conns.size();
  r.parcels = plan.parcels;
  tracker t{plan.parcels};
  // A common start a little ahead, so every thread runs when it comes.
  t.start = clock_type::now() + milliseconds{200};
  if (s.open_loop)
    for (size_t p = 0; p < plan.parcels; ++p)
      t.fourth_ns[p] = static_cast<int64_t>(plan.fourth_planned_s[p] * 1e9);
  std::vector<conn_out> outs(conns.size());
  std::vector<std::thread> threads;
  for (size_t i = 0; i < conns.size(); ++i)
    threads.emplace_back([&, i] {
      // Nothing may escape a thread: a throw would std::terminate with the hub running.
      try {
        driver d{*conns[i].client, conns[i].plan, t, plan.prefix, outs[i]};
        d.run(s);
      } catch (const std::exception& e) {
        outs[i].error = std::string{"exception: "} + e.what();
        t.abort = true;
      }
    });
  for (auto& th : threads)
    th.join();
  conns.clear();

  std::vector<int64_t> receipt_us, decision_us;
  uint64_t payload_bytes = 0;
  time_point last_send = t.start;
  for (auto& o : outs) {
    r.messages += o.messages;
    r.documents += o.documents;
    payload_bytes += o.payload_bytes;
    r.hub_accepted += o.accepted;
    r.hub_rejected += o.rejected;
    r.hub_duplicates += o.duplicates;
    r.no_receipt += o.no_receipt;
    r.notifications += o.notifications;
    r.ack_frames += o.ack_frames;
    r.ceb_returns += o.returns;
    r.document_refusals += o.document_refusals;
    last_send = std::max(last_send, o.last_send);
    receipt_us.insert(receipt_us.end(), o.receipt_us.begin(), o.receipt_us.end());
    for (auto& [k, v] : o.reject_names)
      r.reject_names[k] += v;
    for (auto& [k, v] : o.refusal_codes)
      r.refusal_codes[k] += v;
    for (auto& f : o.refusals)
      if (r.refusals.size() < 20)
        r.refusals.push_back(f);
    if (r.error.empty())
      r.error = o.error;
  }
  int64_t last_decision = 0;
  for (size_t p = 0; p < plan.parcels; ++p) {
    auto st = t.state[p].load();
    r.released += st == released;
    r.refused += st == refused;
    r.undecided += st == open || st == dead;
    if (st != released && st != refused)
      continue;
    auto d = t.decided_ns[p].load();
    last_decision = std::max(last_decision, d);
    auto f = t.fourth_ns[p].load();
    if (f != none) // a decision before our own clock saw the fourth send counts as 0
      decision_us.push_back(std::max<int64_t>(0, (d - f) / 1000));
  }
  r.send_s = std::chrono::duration<double>(last_send - t.start).count();
  r.elapsed_s = static_cast<double>(last_decision) / 1e9;
  auto decided = static_cast<double>(r.released + r.refused);
  if (r.elapsed_s > 0) {
    r.parcels_per_s = decided / r.elapsed_s;
    r.documents_per_s = kinds * decided / r.elapsed_s;
  }
  r.mean_message_bytes = r.messages ? static_cast<double>(payload_bytes) / static_cast<double>(r.messages) : 0;
  r.decision = summarize(decision_us);
  r.hub_receipt = summarize(receipt_us);
  return r;
}

} // namespace bench::ceb
