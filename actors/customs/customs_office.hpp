#pragma once
// CUSTOMS OFFICES (SR-04.1, SR-04.4, SR-12.5): one actor per customs unit of the
// organisation. Port customs get the inspections of declarations lodged with them,
// inland customs the audits of their enterprises. Each task is assigned to one of the
// unit's officers ([[party]] with that customs-unit) by a random draw recorded in the
// evidence log, stored in the tasks table and notified to the officer; a task that
// was open when the hub stopped is still assigned after the restart.

#include <map>
#include <string>

#include <caf/fwd.hpp>
#include <caf/typed_actor.hpp>

#include "actors/customs/customs_actors.hpp"
#include "actors/actors.hpp"
#include "actors/customs/customs_context.hpp"

namespace hub::customs {

/// One office per unit of the organisation, by unit code.
std::map<std::string, office_actor> spawn_offices(caf::actor_system& sys, const customs_deps& deps);

} // namespace hub::customs
