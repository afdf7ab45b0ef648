#pragma once
// CLEARANCE: the customs desk that owns every declaration's case (SR-07.1). It takes
// declarations, amendments, inspection results, valuation evidence, tax payments and
// advance rulings from intake; asks the risk engine for the lane (step 1); assesses
// tax and releases on payment or a guarantee reservation (SR-07.2, SR-08.3); queues
// released cases for the tax centres (step 2) and records their outcomes. Each
// document is committed together with the case change, the decisions (evidence log)
// and the declarant's status notification, in one transaction.

#include <map>
#include <memory>
#include <string>

#include <caf/fwd.hpp>
#include <caf/typed_actor.hpp>

#include "actors/customs/customs_actors.hpp"
#include "actors/actors.hpp"
#include "actors/customs/customs_context.hpp"

namespace hub::customs {

namespace detail {
class step1_board;
} // namespace detail

/// Spawns clearance, which spawns (and links) one tax centre per [[tax-centre]].
/// `risk_centres`: by unit code, "0000" level 1, "XX00" level 2 (control instructions
/// from an officer go to the centre of the officer's direct customs).
/// `offices`: one per customs unit, by code (inspections, audits).
/// `board`: where clearance publishes rulings and enterprise history for the assessors.
caf::expected<clearance_actor> spawn_clearance(caf::actor_system& sys, customs_deps deps,
                                               std::map<std::string, lodge_actor> risk_centres,
                                               std::map<std::string, office_actor> offices,
                                               std::shared_ptr<detail::step1_board> board);

} // namespace hub::customs
