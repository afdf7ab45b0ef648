#pragma once
// The ZeroMQ gateway: where partner frames enter the hub. One std::thread owns the
// ROUTER socket (CURVE server, ZAP-authenticated, ZMQ_ROUTER_MANDATORY). It checks
// size, kind, sender and the permission table, hands envelopes to intake, and
// sends whatever actors post through partner_link (receipts, notifications). No
// actor ever touches the socket: actors post into a queue that wakes the thread
// through an eventfd.

#include <atomic>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <caf/expected.hpp>
#include <zmq.hpp>

#include "actors/actors.hpp"
#include "actors/core/partner_link.hpp"
#include "adapters/zmq/curve_keys.hpp"

namespace hub {

class admission;
class registry_holder;
class zap_handler;

namespace crypto {
class hub_signer;
} // namespace crypto

struct gateway_config {
  std::string endpoint = "tcp://127.0.0.1:7700"; ///< "tcp://127.0.0.1:*" picks a port
  curve_keypair server_keys;
  size_t max_frame_bytes = 1 << 20; ///< larger frames get frame_too_large
  int linger_ms = 0;
  std::shared_ptr<const crypto::hub_signer> signer; ///< signs rejection receipts
};

struct gateway_metrics {
  std::atomic<uint64_t> frames_in{0};
  std::atomic<uint64_t> rejected{0};
  std::atomic<uint64_t> busy{0};        ///< refused with hub_busy (admission full)
  std::atomic<uint64_t> frames_out{0};
  std::atomic<uint64_t> dropped_out{0}; ///< peer gone or queue full; receipts are re-asked
  std::atomic<uint64_t> receipt_batches{0}; ///< signatures made for receipts
};

class gateway : public partner_link {
public:
  /// Starts the ZAP handler and binds the ROUTER socket. Frames are queued by
  /// ZeroMQ until run() is called.
  static caf::expected<std::shared_ptr<gateway>>
  bind(zmq::context_t& ctx, gateway_config cfg, std::shared_ptr<const registry_holder> reg);

  /// Starts the socket thread; partners are sharded over `intakes` by party id.
  /// Frames for intake take a slot of `admitted` first (hub_busy when none is free).
  void run(std::vector<intake_actor> intakes, outbox_actor outbox,
           std::shared_ptr<admission> admitted);

  /// Stops taking frames and joins the threads. Idempotent; the destructor calls it.
  void stop();

  ~gateway() override;

  /// The endpoint actually bound (with the real port).
  const std::string& endpoint() const { return endpoint_; }

  const gateway_metrics& metrics() const { return metrics_; }

  bool reply(const bytes& route, bytes frame) override;
  bool receipt(const bytes& route, receipt_info r) override;
  bool to_party(const std::string& party, bytes frame) override;

private:
  gateway() = default;
  struct outgoing {
    bytes route;       // empty: look up `party`
    std::string party;
    bytes frame;
    std::optional<receipt_info> receipt; // sent as part of the next signed batch
  };
  bool post(outgoing item);
  void loop();
  void handle(zmq::message_t& route, std::vector<zmq::message_t>& parts);
  void reject(const bytes& route, const std::string& party, const bytes& message_id,
              const caf::error& err);
  void send_now(const bytes& route, const bytes& frame);
  void drain_outgoing();
  /// Signs every receipt waiting in `receipts_` as one batch and sends them.
  void flush_receipts();

  gateway_config cfg_;
  std::shared_ptr<const registry_holder> registry_;
  std::unique_ptr<zap_handler> zap_;
  zmq::socket_t sock_;
  std::string endpoint_;
  std::vector<intake_actor> intakes_;
  std::shared_ptr<outbox_actor> outbox_;
  std::shared_ptr<admission> admitted_;
  std::map<std::string, bytes> routes_; // party -> newest connection (thread-owned)
  std::vector<std::pair<bytes, receipt_info>> receipts_; // to sign and send (thread-owned)
  std::mutex mtx_;
  std::deque<outgoing> queue_;
  bool closed_ = false;
  int wake_fd_ = -1;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  gateway_metrics metrics_;
};

} // namespace hub
