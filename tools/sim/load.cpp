#include "tools/sim/load.hpp"

#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <limits>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <unordered_map>

#include <zmq.h>

#include "actors/core/error.hpp"
#include "actors/core/frames.hpp"
#include "tools/sim/documents.hpp"

namespace sim {

namespace {

using clock_type = std::chrono::steady_clock;
using std::chrono::milliseconds;

/// The accepted-receipts file the kill -9 test reads while the hub dies: one line
/// per accepted receipt, flushed to the kernel before the next one is written.
class receipt_log {
public:
  bool open(const std::string& path) {
    out_.open(path, std::ios::app);
    enabled_ = out_.is_open();
    return enabled_;
  }

  void write(const std::string& party, const hub::receipt& r) {
    if (!enabled_)
      return;
    std::lock_guard<std::mutex> guard{mtx_};
    out_ << party << ' ' << hub::to_hex(r.message_id) << ' ' << r.sequence << ' '
         << hub::to_hex(r.digest) << '\n';
    out_.flush();
  }

private:
  std::mutex mtx_;
  std::ofstream out_;
  bool enabled_ = false;
};

/// Lets every connection finish its handshake before the clock starts, so setup
/// time never counts as latency.
class start_gate {
public:
  explicit start_gate(size_t n) : remaining_(n) {
    // nop
  }

  clock_type::time_point arrive_and_wait() {
    std::unique_lock<std::mutex> lock{mtx_};
    if (--remaining_ == 0) {
      start_ = clock_type::now();
      cv_.notify_all();
    } else {
      cv_.wait(lock, [this]() { return remaining_ == 0; });
    }
    return start_;
  }

  clock_type::time_point start() const { return start_; }

private:
  std::mutex mtx_;
  std::condition_variable cv_;
  size_t remaining_;
  clock_type::time_point start_;
};

/// What one connection is asked to do.
struct worker_plan {
  size_t index = 0;
  std::string key;
  uint64_t quota = std::numeric_limits<uint64_t>::max();
  double rate = 0;   ///< this connection's share; 0 = closed loop
  double phase = 0;  ///< fraction of an interval, spreads connections' send times
  size_t window = 1;
  std::optional<clock_type::duration> duration;
  unsigned items = 2;
  uint64_t seed = 0;
};

/// What one connection saw. Written only by its thread, read after join.
struct worker_result {
  bool connected = false;
  std::string party;
  std::string error; ///< why it could not connect or stopped early
  uint64_t sent = 0, accepted = 0, duplicate = 0, lost = 0, unmatched = 0;
  uint64_t notifications = 0; ///< status notifications received (and acknowledged)
  std::map<std::string, uint64_t> rejected; ///< by errorName
  std::vector<double> latencies_ms;
  std::optional<clock_type::time_point> last_receipt;
};

class worker {
public:
  worker(const load_config& cfg, const worker_plan& plan, receipt_log& log,
         const std::atomic<bool>& stop, worker_result& out)
    : cfg_(cfg), plan_(plan), log_(log), stop_(stop), out_(out), rng_(plan.seed) {
    // nop
  }

  void run(zmq::context_t& ctx, start_gate& gate) {
    auto client = connect_as(ctx, cfg_.target, plan_.key,
                             "swhub-sim-" + std::to_string(plan_.index));
    if (client) {
      out_.connected = true;
      out_.party = (*client)->party();
    } else {
      out_.error = "connect with " + plan_.key + ": " + hub::context_text(client.error());
    }
    start_ = gate.arrive_and_wait();
    if (client)
      loop(**client);
  }

private:
  clock_type::time_point due(uint64_t k) const {
    std::chrono::duration<double> offset{(static_cast<double>(k) + plan_.phase) / plan_.rate};
    return start_ + std::chrono::duration_cast<clock_type::duration>(offset);
  }

  bool send_one(hub::partner_client& c, clock_type::time_point stamp) {
    hub::outgoing doc;
    doc.document_type = "customs.declaration";
    doc.payload = make_declaration(rng_, declaration_spec{plan_.items, {}});
    hub::bytes id;
    if (auto err = c.send_envelope(doc, &id)) {
      out_.error = "send: " + hub::context_text(err);
      return false;
    }
    if (inflight_.empty())
      last_progress_ = clock_type::now();
    inflight_.emplace(std::string(id.begin(), id.end()), stamp);
    ++out_.sent;
    return true;
  }

  void on_receipt(const hub::receipt& r) {
    auto now = clock_type::now();
    auto it = inflight_.find(std::string(r.message_id.begin(), r.message_id.end()));
    if (it == inflight_.end()) {
      ++out_.unmatched;
      return;
    }
    out_.latencies_ms.push_back(
      std::chrono::duration<double, std::milli>(now - it->second).count());
    inflight_.erase(it);
    out_.last_receipt = now;
    last_progress_ = now;
    switch (r.status) {
      case hub::receipt::accepted:
        ++out_.accepted;
        log_.write(out_.party, r);
        break;
      case hub::receipt::duplicate:
        ++out_.duplicate;
        break;
      case hub::receipt::rejected:
        ++out_.rejected[r.error_name.empty() ? "unnamed" : r.error_name];
        break;
    }
  }

  /// Acknowledges the notifications that came in meanwhile (customs status changes
  /// of the declarations sent), as a partner does; unacknowledged ones would be
  /// re-sent by the hub for ever.
  void acknowledge(hub::partner_client& c) {
    if (!cfg_.ack || c.queued_notifications() == 0)
      return;
    while (auto n = c.next_notification(milliseconds{0})) {
      ++out_.notifications;
      if (c.ack(n->id))
        break;
    }
  }

  void loop(hub::partner_client& c) {
    const bool open_loop = plan_.rate > 0;
    const milliseconds timeout{cfg_.target.timeout_ms};
    std::optional<clock_type::time_point> end;
    if (plan_.duration)
      end = start_ + *plan_.duration;
    uint64_t i = 0;
    bool sending = true;
    last_progress_ = start_;
    for (;;) {
      auto now = clock_type::now();
      if (sending && (i >= plan_.quota || stop_.load() || (end && now >= *end)))
        sending = false;
      if (sending && open_loop) {
        while (sending && i < plan_.quota && due(i) <= now && (!end || due(i) < *end)) {
          sending = send_one(c, due(i));
          ++i;
        }
      } else if (sending) {
        while (sending && i < plan_.quota && inflight_.size() < plan_.window) {
          sending = send_one(c, clock_type::now());
          ++i;
        }
      }
      if (!sending && inflight_.empty())
        break;
      now = clock_type::now();
      // Wake for the next due send, and at least every 50 ms to notice stop/end.
      auto wake = now + milliseconds{50};
      if (sending && open_loop && i < plan_.quota)
        wake = std::min(wake, due(i));
      auto wait = wake > now ? std::chrono::ceil<milliseconds>(wake - now) : milliseconds{0};
      auto r = c.next_receipt(wait);
      acknowledge(c);
      if (r) {
        on_receipt(*r);
        continue;
      }
      if (!hub::is_timeout(r.error())) {
        out_.error = "receive: " + hub::context_text(r.error());
        break;
      }
      if (!inflight_.empty() && clock_type::now() - last_progress_ > timeout) {
        out_.error = "no receipt for " + std::to_string(timeout.count()) + " ms with "
                     + std::to_string(inflight_.size()) + " in flight (hub gone?)";
        break;
      }
    }
    out_.lost = inflight_.size();
  }

  const load_config& cfg_;
  const worker_plan& plan_;
  receipt_log& log_;
  const std::atomic<bool>& stop_;
  worker_result& out_;
  rng_type rng_;
  clock_type::time_point start_;
  clock_type::time_point last_progress_;
  std::unordered_map<std::string, clock_type::time_point> inflight_;
};

std::vector<worker_plan> make_plans(const load_config& cfg) {
  std::vector<worker_plan> plans(cfg.connections);
  uint64_t seed = cfg.seed != 0 ? cfg.seed : std::random_device{}();
  double duration_s = cfg.duration_s;
  if (cfg.count == 0 && duration_s <= 0)
    duration_s = 10;
  auto n = static_cast<uint64_t>(cfg.connections);
  for (size_t i = 0; i < plans.size(); ++i) {
    auto& p = plans[i];
    p.index = i;
    p.key = cfg.keys[i % cfg.keys.size()];
    if (cfg.count > 0)
      p.quota = cfg.count / n + (i < cfg.count % n ? 1 : 0);
    p.rate = cfg.rate / static_cast<double>(n);
    p.phase = static_cast<double>(i) / static_cast<double>(n);
    p.window = cfg.window;
    if (duration_s > 0)
      p.duration = std::chrono::duration_cast<clock_type::duration>(
        std::chrono::duration<double>{duration_s});
    p.items = cfg.items;
    p.seed = seed + 0x9e3779b97f4a7c15ULL * (i + 1);
  }
  return plans;
}

int report(const load_config& cfg, std::vector<worker_result>& results,
           clock_type::time_point start, clock_type::time_point finished) {
  size_t connected = 0;
  uint64_t sent = 0, accepted = 0, duplicate = 0, lost = 0, unmatched = 0, rejected = 0;
  uint64_t notifications = 0;
  std::map<std::string, uint64_t> rejected_by;
  std::map<std::string, uint64_t> errors;
  std::set<std::string> parties;
  std::vector<double> latencies;
  auto last = start;
  for (auto& r : results) {
    if (r.connected) {
      ++connected;
      parties.insert(r.party);
    }
    if (!r.error.empty())
      ++errors[r.error];
    sent += r.sent;
    accepted += r.accepted;
    duplicate += r.duplicate;
    lost += r.lost;
    unmatched += r.unmatched;
    notifications += r.notifications;
    for (auto& [name, n] : r.rejected) {
      rejected_by[name] += n;
      rejected += n;
    }
    latencies.insert(latencies.end(), r.latencies_ms.begin(), r.latencies_ms.end());
    if (r.last_receipt && *r.last_receipt > last)
      last = *r.last_receipt;
  }
  if (last == start)
    last = finished;
  double elapsed = std::chrono::duration<double>(last - start).count();
  double per_s = elapsed > 0 ? static_cast<double>(accepted) / elapsed : 0;
  auto lat = summarize(latencies);
  if (cfg.json) {
    nlohmann::ordered_json err_list = nlohmann::ordered_json::array();
    for (auto& [text, n] : errors)
      err_list.push_back({{"error", text}, {"connections", n}});
    nlohmann::ordered_json j{
      {"mode", cfg.rate > 0 ? "open" : "closed"},
      {"connections", cfg.connections},
      {"connected", connected},
      {"parties", parties},
      {"rate", cfg.rate},
      {"window", cfg.rate > 0 ? 0 : cfg.window},
      {"sent", sent},
      {"accepted", accepted},
      {"duplicate", duplicate},
      {"rejected", rejected},
      {"rejectedBy", rejected_by},
      {"lost", lost},
      {"unmatched", unmatched},
      {"notifications", notifications},
      {"elapsedS", std::round(elapsed * 1000) / 1000},
      {"docsPerS", std::round(per_s * 10) / 10},
      {"latencyMs", to_json(lat)},
      {"errors", err_list}};
    std::cout << j.dump() << std::endl;
  } else {
    std::printf("swhub-sim load: %zu/%zu connections as %zu parties, ", connected,
                cfg.connections, parties.size());
    if (cfg.rate > 0)
      std::printf("open loop at %.0f docs/s\n", cfg.rate);
    else
      std::printf("closed loop, window %zu per connection\n", cfg.window);
    std::printf("sent %llu  accepted %llu  duplicate %llu  rejected %llu  lost %llu\n",
                static_cast<unsigned long long>(sent),
                static_cast<unsigned long long>(accepted),
                static_cast<unsigned long long>(duplicate),
                static_cast<unsigned long long>(rejected),
                static_cast<unsigned long long>(lost));
    for (auto& [name, n] : rejected_by)
      std::printf("  rejected %-24s %llu\n", name.c_str(), static_cast<unsigned long long>(n));
    if (unmatched > 0)
      std::printf("  receipts matching nothing sent: %llu\n",
                  static_cast<unsigned long long>(unmatched));
    std::printf("elapsed %.2f s  %.1f accepted docs/s", elapsed, per_s);
    if (cfg.ack)
      std::printf("  (%llu status notifications acknowledged)",
                  static_cast<unsigned long long>(notifications));
    std::printf("\n");
    std::printf("latency %s\n", to_text(lat).c_str());
    for (auto& [text, n] : errors)
      std::printf("error (%llu connections): %s\n", static_cast<unsigned long long>(n),
                  text.c_str());
    std::fflush(stdout);
  }
  if (connected == 0)
    return 1;
  return rejected > 0 || lost > 0 || connected < cfg.connections ? 2 : 0;
}

} // namespace

int run_load(const load_config& cfg, const std::atomic<bool>& stop) {
  if (cfg.keys.empty() || cfg.connections == 0 || cfg.window == 0 || cfg.rate < 0) {
    std::cerr << "swhub-sim load: need --key, --connections >= 1, --window >= 1, --rate >= 0"
              << std::endl;
    return 1;
  }
  receipt_log log;
  if (!cfg.receipts_out.empty() && !log.open(cfg.receipts_out)) {
    std::cerr << "swhub-sim load: cannot open " << cfg.receipts_out << std::endl;
    return 1;
  }
  auto plans = make_plans(cfg);
  std::vector<worker_result> results(plans.size());
  start_gate gate{plans.size()};
  {
    zmq::context_t ctx{cfg.io_threads};
    // Each client holds a DEALER, a monitor PAIR and libzmq's own monitor socket.
    zmq_ctx_set(ctx.handle(), ZMQ_MAX_SOCKETS, static_cast<int>(plans.size() * 3 + 64));
    std::vector<std::thread> threads;
    threads.reserve(plans.size());
    for (size_t i = 0; i < plans.size(); ++i)
      threads.emplace_back([&cfg, &plans, &results, &log, &stop, &ctx, &gate, i]() {
        worker w{cfg, plans[i], log, stop, results[i]};
        w.run(ctx, gate);
      });
    for (auto& t : threads)
      t.join();
  } // every client is gone before the context closes
  return report(cfg, results, gate.start(), clock_type::now());
}

} // namespace sim
