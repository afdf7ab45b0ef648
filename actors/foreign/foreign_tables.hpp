#pragma once
// The foreign-customs module's LMDB tables (docs/design.md, storage layout).

#include <vector>

#include "actors/core/domain_module.hpp"
#include "actors/mra/foreign_aeo.hpp"

namespace hub::foreign::tables {

/// arrangement id \0 partner's operator id -> foreign AEO record (JSON, actors/mra/foreign_aeo.hpp)
inline constexpr const char* partner_aeo = mra::partner_aeo_table;
/// arrangement id -> what the hub holds of the partner's list (JSON: highest version, records, batches)
inline constexpr const char* partner_state = mra::partner_state_table;

std::vector<table_spec> specs();

} // namespace hub::foreign::tables
