#pragma once
// The load generators: N partner connections, one std::thread each, each with its own
// hub::partner_client, many envelopes in flight per connection (send_envelope, then
// next_receipt).
//
// Open loop: message i of a connection is planned at start + offset + i/rate_per_conn
// and its latency counts from that planned time, not from when it was really sent, so
// a hub that stalls is charged for the messages that queued up behind the stall
// (no coordinated omission).
// Closed loop: each connection keeps `window` envelopes in flight; latency counts from
// the real send.

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <zmq.hpp>

#include "adapters/zmq/client.hpp"
#include "bench/ingest/declaration.hpp"
#include "bench/common/latency.hpp"

namespace bench {

struct load_settings {
  bool open_loop = true;
  double rate = 10000;      ///< open loop: total planned envelopes per second
  size_t window = 64;       ///< closed loop: in flight per connection
  double duration_s = 10;   ///< sending stops after this
  double drain_s = 15;      ///< longest wait for outstanding receipts afterwards
  doc_size size = doc_size::normal;
};

struct phase_result {
  std::string name;          ///< "open" or "closed"
  std::string error;         ///< a connection failed (the figures are then partial)
  size_t connections = 0;
  double planned_rate = 0;   ///< open loop only
  uint64_t planned = 0;      ///< open loop: envelopes due in the duration
  uint64_t sent = 0;
  uint64_t accepted = 0;
  uint64_t rejected = 0;
  uint64_t duplicates = 0;
  uint64_t unmatched = 0;    ///< receipts for no message of ours (empty message id)
  uint64_t lost = 0;         ///< sent, no receipt within the drain time
  double send_s = 0;         ///< start .. last send
  double elapsed_s = 0;      ///< start .. last receipt
  double docs_per_s = 0;     ///< accepted / elapsed_s
  double mean_frame_bytes = 0;
  latency_summary latency;   ///< receipts of accepted envelopes
  std::map<std::string, uint64_t> reject_names; ///< error name -> count
  std::string first_reject_reason;
};

/// Connects `count` clients (connection i as party i % parties.size()). The clients
/// are handed to the load threads; the creating thread never touches them again.
struct client_set {
  std::vector<std::unique_ptr<hub::partner_client>> clients;
  std::string error;
};
/// A party as a client: its CURVE key pair, and its signing key stem if it signs.
struct client_identity {
  hub::curve_keypair keys;
  std::string sign_stem; ///< empty: envelopes are not signed
};
client_set connect_clients(zmq::context_t& ctx, const std::string& endpoint,
                           const std::string& server_public_key,
                           const std::vector<client_identity>& parties, size_t count);

/// Runs one phase on `clients` (which it consumes). Never throws.
phase_result run_phase(client_set clients, const load_settings& s);

} // namespace bench
