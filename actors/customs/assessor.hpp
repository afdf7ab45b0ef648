#pragma once
// CUSTOMS ASSESSORS: the part of step 1 that needs no case state (reading the
// declaration, the tariff and tax, rulings, admissibility, the risk facts and the
// lane) runs here, one assessor per intake worker, in parallel; clearance then only
// applies the result to the case and commits it. A declaration the tariff or the
// enterprise registry refuses is answered here, without reaching clearance.

#include <memory>
#include <vector>

#include <caf/fwd.hpp>
#include <caf/typed_actor.hpp>

#include "actors/customs/customs_actors.hpp"
#include "actors/actors.hpp"
#include "actors/customs/customs_context.hpp"

namespace hub::customs {

namespace detail {
class step1_board;
} // namespace detail

std::vector<lodge_actor> spawn_assessors(caf::actor_system& sys, size_t n, const customs_deps& deps,
                                         std::shared_ptr<const detail::step1_board> board,
                                         clearance_actor clearance);

} // namespace hub::customs
