#pragma once
// The customs organisation as the hub runs it: reads customs.toml, the reference data
// and the rule book, then spawns the risk centres (level 1 and one level 2 per direct
// customs), clearance and the tax centres. swhubd calls start_customs once; intake
// gets the desks (document type -> actor) and the case lookup for status queries.

#include <map>
#include <string>
#include <vector>

#include <caf/fwd.hpp>

#include "actors/actors.hpp"
#include "actors/customs/customs_context.hpp"
#include "actors/intake/intake.hpp"

namespace hub::customs {

struct customs_module {
  clearance_actor clearance;
  std::map<std::string, lodge_actor> risk_centres;
  std::map<std::string, office_actor> offices;
  std::map<std::string, lodge_actor> desks; ///< customs.* document type -> clearance
  std::vector<lodge_actor> assessors;       ///< one per intake worker

  /// The desks intake worker `i` uses: its own assessor for declarations.
  std::map<std::string, lodge_actor> desks_for(size_t i) const;
  case_lookup lookup;
  std::shared_ptr<const customs_config> cfg;
  std::shared_ptr<customs_metrics> metrics;
};

/// `base` carries the hub's registry, reader, store, outbox and store timeout.
/// `assessors`: how many declarations are prepared in parallel (one per intake worker).
caf::expected<customs_module> start_customs(caf::actor_system& sys, const std::string& config_path,
                                            customs_deps base, size_t assessors);

/// Every actor of the module, for an orderly stop.
void stop_customs(customs_module& m);

} // namespace hub::customs
