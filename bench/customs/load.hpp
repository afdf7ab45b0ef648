#pragma once
// The open-loop declaration load of swhub-bench-customs: N partner connections (one
// std::thread and one hub::partner_client each, each a registered enterprise party)
// send customs.declaration documents addressed to "hub" at a fixed total rate. Message
// k of connection i is planned at start + i/R + k*N/R; latencies count from the
// planned time (no coordinated omission). Every status notification is acknowledged.
// Per declaration: planned -> receipt, planned -> first status notification.

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <zmq.hpp>

#include "adapters/zmq/client.hpp"
#include "bench/common/latency.hpp"
#include "bench/customs/config.hpp"
#include "bench/customs/goods.hpp"

namespace bench {

struct customs_load_settings {
  double rate = 5000;        ///< declarations per second, all connections together
  double warmup_s = 2;       ///< sent first at the same rate, not in the figures
  double duration_s = 10;    ///< measured part
  double drain_s = 15;       ///< longest wait for receipts and notifications afterwards
  uint64_t seed = 1;
  /// Single window (issue 5): with agencies, a declaration's goods come from the
  /// chapters routed to none of them (40 %), to one or two of them (60 %; with 3:
  /// ag1 15 %, ag2 15 %, ag1+ag2 10 %, ag3 10 %, ag1+ag3 10 %); it is classed by the
  /// agencies its items actually hit, and followed until its "released" notification
  /// (or another status than "accepted": a lane that waits for an officer, a rejection).
  std::vector<bench_agency> agencies;
  size_t slow_agency = SIZE_MAX; ///< index into agencies of the slow one (none: SIZE_MAX)
};

/// Release path per class of declaration (single window).
enum release_class_id : size_t { no_agency = 0, fast_agencies = 1, slow_agency = 2 };
struct release_class {
  uint64_t planned = 0;   ///< measured declarations of the class (accepted)
  uint64_t released = 0;  ///< with a "released" notification
  uint64_t held = 0;      ///< another final status (inspection/document check lane, rejection)
  uint64_t pending = 0;   ///< still "accepted" (waiting) at the end of the drain
  latency_summary latency; ///< planned -> "released" notification
};

struct customs_load_result {
  std::string error;
  size_t connections = 0;
  uint64_t planned = 0;      ///< measured part only (as all counts below)
  uint64_t sent = 0, accepted = 0, rejected = 0, duplicates = 0;
  uint64_t lost = 0;         ///< no receipt within the drain time
  uint64_t notified = 0;     ///< accepted declarations with a status notification
  uint64_t no_notice = 0;    ///< accepted, but no notification within the drain time
  uint64_t warmup_sent = 0;
  uint64_t notifications = 0, acks = 0, foreign = 0; ///< foreign: for no declaration of ours
  double measured_s = 0;     ///< first measured planned time .. last measured notification
  double decl_per_s = 0;     ///< notified / measured_s
  double mean_frame_bytes = 0;
  double mean_items = 0;
  latency_summary receipt;   ///< planned -> receipt (accepted)
  latency_summary notice;    ///< planned -> first status notification
  std::map<std::string, uint64_t> first_status; ///< "released", "documentaryCheck", ...
  std::map<std::string, uint64_t> reject_names;
  std::string first_reject_reason;
  // single window only (settings.agencies not empty)
  std::array<release_class, 3> classes{};
  uint64_t released = 0;
  double released_per_s = 0; ///< released / measured_s
  std::map<std::string, uint64_t> final_status; ///< the status that closed a declaration
};

struct customs_client_set {
  std::vector<std::unique_ptr<hub::partner_client>> clients;
  std::string error;
};
customs_client_set connect_customs_clients(zmq::context_t& ctx, const std::string& endpoint,
                                           const std::string& server_public_key,
                                           const std::vector<hub::curve_keypair>& keys);

/// Runs the load on `clients` (consumed). Never throws.
customs_load_result run_customs_load(customs_client_set clients, const customs_load_settings& s,
                                     const std::vector<goods_line>& goods,
                                     const std::vector<bench_enterprise>& enterprises);

} // namespace bench
