#pragma once
// The parcel matcher (actors/ecommerce/ecommerce_actors.hpp matcher_actor): the single
// owner of pending parcels, the quota ledger and the tax guarantees (docs/design.md,
// "One parcel owner"). A message's documents are decided in order; the message and
// every consequence commit in one transaction.

#include <atomic>
#include <chrono>
#include <memory>
#include <string>

#include <caf/typed_actor.hpp>

#include "actors/ecommerce/ecommerce_actors.hpp"
#include "actors/ecommerce/ecommerce_config.hpp"
#include "actors/ecommerce/quota_ledger.hpp"

namespace hub {
class store_reader;
}

namespace hub::ecommerce {

struct ecommerce_metrics {
  std::atomic<uint64_t> messages{0}, documents{0}, refused_documents{0}, released{0},
    refused_parcels{0}, expired{0}, commits_failed{0};
  std::string summary() const;
};

struct matcher_deps {
  std::shared_ptr<const ecommerce_config> cfg;
  std::shared_ptr<const store_reader> reader;
  store_actor store;
  outbox_actor outbox; ///< told of each committed receipt
  std::chrono::milliseconds store_timeout{10000};
  std::shared_ptr<const buyer_keys> buyers;
  std::shared_ptr<ecommerce_metrics> metrics;
};

matcher_actor spawn_parcel_matcher(caf::actor_system& sys, matcher_deps deps);

} // namespace hub::ecommerce
