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
#include "actors/customs/declaration_risk_facts.hpp"

namespace hub {
class registry_holder;
class store_reader;
} // namespace hub

namespace hub::customs {

struct customs_deps {
  std::shared_ptr<const customs_config> cfg;
  std::shared_ptr<const reference_data> ref;
  std::shared_ptr<rule_book> rules; ///< customs rule book; the level-1 risk centre publishes it
  std::shared_ptr<registry_holder> registry;
  std::shared_ptr<const store_reader> reader;
  store_actor store;
  outbox_actor outbox;
  std::chrono::milliseconds store_timeout{10000};
  std::shared_ptr<customs_metrics> metrics; ///< created by start_customs if null
};

} // namespace hub::customs
