#pragma once
// The load of swhub-bench-ecommerce: one std::thread and one hub::partner_client per
// CEB partner, each sending its prepared (already signed) messages and acknowledging
// every notification. A parcel counts when the agent holds its decision: the
// CEB622Message InventoryReturn with returnStatus 800 (released) or 100 / negative
// (refused), which the hub sends from its durable outbox after the commit.
//
// Closed loop: each partner keeps `window` messages without a hub receipt in flight;
// a parcel's latency counts from the real send of its fourth document.
// Open loop: every message is sent when due (prepared::planned_s) or as soon as the
// sender can after that; latency counts from the planned time of the parcel's fourth
// document (no coordinated omission).

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <zmq.hpp>

#include "adapters/zmq/client.hpp"
#include "bench/common/latency.hpp"
#include "bench/ecommerce/world.hpp"

namespace bench::ceb {

struct load_settings {
  bool open_loop = false;
  size_t window = 64;  ///< closed loop: messages in flight per partner
  double drain_s = 30; ///< longest wait for decisions after the last send
};

/// A document the hub refused or a parcel it refused, as the receipt said.
struct refusal {
  std::string party, receipt, status, key, info;
};

struct load_result {
  std::string error;
  size_t partners = 0;
  size_t parcels = 0;
  uint64_t messages = 0, documents = 0;       ///< sent
  uint64_t hub_accepted = 0, hub_rejected = 0, hub_duplicates = 0;
  uint64_t no_receipt = 0;                    ///< sent, no hub receipt by the end
  uint64_t released = 0, refused = 0, undecided = 0; ///< parcels
  uint64_t notifications = 0, ack_frames = 0, ceb_returns = 0;
  uint64_t document_refusals = 0;             ///< negative returnStatus to any sender
  double send_s = 0;     ///< start .. last send
  double elapsed_s = 0;  ///< start .. last decision
  double parcels_per_s = 0;   ///< decided / elapsed_s
  double documents_per_s = 0; ///< 4 x decided / elapsed_s
  double mean_message_bytes = 0;
  latency_summary decision;    ///< fourth document -> decision at the agent
  latency_summary hub_receipt; ///< message sent -> hub receipt
  std::map<std::string, uint64_t> reject_names; ///< hub receipts: error name -> count
  std::vector<refusal> refusals;                ///< the first 20, any kind
  std::map<std::string, uint64_t> refusal_codes; ///< returnInfo up to the first ']' -> count
};

struct partner_connection {
  std::unique_ptr<hub::partner_client> client;
  partner_plan plan;
};

/// Connects every partner of `plan` (consumed into the connections).
std::vector<partner_connection> connect_partners(zmq::context_t& ctx, const std::string& endpoint,
                                                 const std::string& server_public_key,
                                                 phase_plan& plan, std::string& error);

/// Runs the phase on `conns` (consumed; clients closed before return). Never throws.
load_result run_load(std::vector<partner_connection> conns, const phase_plan& plan,
                     const load_settings& s);

} // namespace bench::ceb
