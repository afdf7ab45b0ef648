#pragma once
// INTAKE: the way in for every partner frame after the gateway authenticated it.
// Checks the envelope and its signature, dedupes on (sender, message id), validates
// the document, has the store commit it, and only then sends the signed receipt on
// the frame's connection.

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include <caf/fwd.hpp>
#include <caf/typed_actor.hpp> // intake_deps holds handles by value

#include "actors/actors.hpp"
#include "actors/core/domain_module.hpp"
#include "actors/intake/document_types.hpp"

namespace hub {

class admission;
class registry_holder;
class partner_link;
class store_reader;
struct store_metrics;

struct intake_config {
  validation_limits limits;
  std::chrono::milliseconds store_timeout{10000};      ///< longest wait for a commit
  std::chrono::milliseconds max_clock_skew{86400000};  ///< |createdAt - hub clock| allowed
};

caf::error validate(const intake_config& cfg);

/// Counters shared by all intake workers (read by benchmarks and status).
struct intake_metrics {
  std::atomic<uint64_t> accepted{0};
  std::atomic<uint64_t> duplicates{0};
  std::atomic<uint64_t> rejected{0};
};

/// Everything an intake worker talks to.
struct intake_deps {
  store_actor store;
  outbox_actor outbox;
  std::shared_ptr<registry_holder> registry; ///< intake swaps it on key rotation
  std::shared_ptr<const store_reader> reader;
  std::shared_ptr<partner_link> link;
  std::shared_ptr<store_metrics> store_stats;
  std::shared_ptr<intake_metrics> metrics;
  std::shared_ptr<admission> admitted; ///< released once per answered frame (may be null)
  /// Desks that decide documents addressed to "hub" by type (every running module's
  /// hub_desk kinds): intake hands them the checked document instead of committing it.
  std::map<std::string, lodge_actor> desks;
  /// The running domain modules by name: a status query about a document that names a
  /// case asks the module owning the document's type.
  std::map<std::string, std::shared_ptr<const running_module>> domains;
};

caf::expected<intake_actor> spawn_intake(caf::actor_system& sys, const intake_config& cfg,
                                         intake_deps deps);

} // namespace hub
