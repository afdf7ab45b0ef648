#pragma once
// TAX CENTRE: one per commodity group (HS chapter ranges, SR-06.1). Collects released
// cases with lines in its group and reviews them in batches after release (step 2):
// classification, value, origin (actors/customs/post_release_audit.hpp). Its queue is
// the audit_queue table, written in the release commit, so a crash loses nothing; the
// outcomes go to clearance, which owns the cases and commits them.

#include <caf/fwd.hpp>
#include <caf/typed_actor.hpp>

#include "actors/customs/customs_actors.hpp"
#include "actors/actors.hpp"
#include "actors/customs/customs_context.hpp"

namespace hub::customs {

tax_centre_actor spawn_tax_centre(caf::actor_system& sys, const tax_centre_config& centre,
                                  customs_deps deps, clearance_actor clearance);

} // namespace hub::customs
