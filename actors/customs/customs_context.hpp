#pragma once
// What every customs actor shares: the configuration, the reference data, the
// current risk rule set, and the hub's store, outbox, reader and party registry.
// Immutable parts are shared read-only; the rule book swaps whole snapshots.

#include <chrono>
#include <memory>
#include <mutex>

#include <caf/typed_actor.hpp>

#include "actors/actors.hpp"
#include "actors/customs/customs_config.hpp"
#include "actors/customs/customs_metrics.hpp"
#include "actors/customs/reference_data.hpp"
#include "actors/customs/risk_engine.hpp"

namespace hub {
class registry_holder;
class store_reader;
} // namespace hub

namespace hub::customs {

/// The rule set in force, as a ready engine. The level-1 risk centre publishes a new
/// one for every change; clearance evaluates with whatever snapshot it takes.
class rule_book {
public:
  explicit rule_book(std::shared_ptr<const risk_engine> e) : current_(std::move(e)) {}
  std::shared_ptr<const risk_engine> get() const { return std::atomic_load(&current_); }
  void set(std::shared_ptr<const risk_engine> e) { std::atomic_store(&current_, std::move(e)); }

private:
  std::shared_ptr<const risk_engine> current_; // atomic_load/atomic_store only
};

struct customs_deps {
  std::shared_ptr<const customs_config> cfg;
  std::shared_ptr<const reference_data> ref;
  std::shared_ptr<rule_book> rules;
  std::shared_ptr<registry_holder> registry;
  std::shared_ptr<const store_reader> reader;
  store_actor store;
  outbox_actor outbox;
  std::chrono::milliseconds store_timeout{10000};
  std::shared_ptr<customs_metrics> metrics; ///< created by start_customs if null
};

} // namespace hub::customs
