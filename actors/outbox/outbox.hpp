#pragma once
// OUTBOX: the durable way out. Every notification a partner must get (documents
// routed to it, status changes) is an entry in the outbox table, written in the
// same commit as the state it reports. This actor pushes entries to their
// recipients, re-sends them with the same id until acknowledged, and erases them
// (durably) on acknowledgement.

#include <atomic>
#include <chrono>
#include <memory>
#include <string>

#include <caf/fwd.hpp>

#include "actors/actors.hpp"

namespace hub {

class partner_link;
class store_reader;

struct outbox_config {
  std::string hub_id = "swhub";
  std::chrono::milliseconds resend_interval{5000}; ///< re-send unacknowledged after this
};

caf::error validate(const outbox_config& cfg);

struct outbox_metrics {
  std::atomic<uint64_t> pending{0};
  std::atomic<uint64_t> sent{0};
  std::atomic<uint64_t> acknowledged{0};
};

/// Loads the pending entries from `reader` and starts re-sending.
caf::expected<outbox_actor> spawn_outbox(caf::actor_system& sys, const outbox_config& cfg,
                                         store_actor store,
                                         std::shared_ptr<const store_reader> reader,
                                         std::shared_ptr<partner_link> link,
                                         std::shared_ptr<outbox_metrics> metrics);

} // namespace hub
