#pragma once
// RISK CENTRES (SR-05.1, SR-05.2): the level-1 (national, GACC) centre keeps the rule
// book: risk parameters from config plus the control instructions (布控指令) officers
// issue, versioned in the rule_sets table so every lane decision can be replayed. A
// level-2 centre (one per direct customs) lets its officers issue instructions for
// their own district and propose national ones; the level-1 centre publishes them.
// Both take customs.control-instruction documents through the lodge interface.

#include <map>
#include <string>

#include <caf/fwd.hpp>
#include <caf/typed_actor.hpp>

#include "actors/actors.hpp"
#include "actors/customs/customs_context.hpp"

namespace hub::customs {

/// Loads the latest stored rule set, merges the config's parameters and selectivity
/// (instructions stay as stored), stores a new version if anything changed, and
/// publishes it in deps.rules. Run once before the centres start.
caf::error load_rule_book(customs_deps& deps, const store_actor& store);

/// The level-1 centre and one level-2 centre per direct customs, by unit code.
std::map<std::string, lodge_actor> spawn_risk_centres(caf::actor_system& sys, customs_deps deps);

} // namespace hub::customs
