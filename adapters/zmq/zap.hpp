#pragma once
// ZAP handler (ZeroMQ RFC 27): decides, for every new CURVE connection, whether the
// client's public key belongs to a registered, enabled party. Without it CURVE would
// accept any client that knows the hub's public key. Runs on its own thread with
// its own REP socket on inproc://zeromq.zap.01. The connection's User-Id becomes
// "<party>#<curve key>", which the gateway reads from every message: it names the
// party and lets the gateway refuse a key whose rotation overlap ended mid-connection.

#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <thread>

#include <caf/expected.hpp>
#include <zmq.hpp>

namespace hub {

class registry_holder;

class zap_handler {
public:
  /// Binds the ZAP endpoint in `ctx` (before any CURVE socket accepts) and starts
  /// the thread.
  static caf::expected<std::unique_ptr<zap_handler>>
  start(zmq::context_t& ctx, std::shared_ptr<const registry_holder> registry);

  /// Stops and joins the thread.
  ~zap_handler();

  uint64_t refused() const { return refused_; }

private:
  zap_handler() = default;
  void run(zmq::socket_t sock);
  std::shared_ptr<const registry_holder> registry_;
  std::atomic<bool> stop_{false};
  std::atomic<uint64_t> refused_{0};
  std::map<std::string, uint64_t> refusals_; // per key; ZAP thread only
  std::thread thread_;
};

} // namespace hub
