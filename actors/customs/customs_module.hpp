#pragma once
// The customs module (actors/core/domain_module.hpp): the customs organisation as the
// hub runs it. Its start reads customs.toml, the reference data and the rule book,
// then spawns the risk centres (level 1 and one level 2 per direct customs), the
// customs offices, clearance with its assessors, and the tax centres. Intake gets the
// desks (document kind -> actor) and asks it for the status of its cases.

#include "actors/core/domain_module.hpp"

namespace hub::customs {

/// The module's description: documents, tables, errors, CAF types, party keys, start.
domain_module module();

} // namespace hub::customs
