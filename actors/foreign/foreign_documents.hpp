#pragma once
// The document kinds of the foreign-customs module and their format checks (what needs
// no state: lengths, UTF-8, versions, duplicate ids). The arrangement's own rules (the
// partner, the data set, the identifier scheme) are the desk's (aeo_desk.cpp).

#include <vector>

#include "actors/core/domain_module.hpp"

namespace hub::foreign {

namespace doc {
inline constexpr const char* aeo_batch = "foreign.aeo-batch";
} // namespace doc

/// Most records one foreign.aeo-batch may carry (foreign.toml may set fewer).
inline constexpr size_t max_batch_records = 20000;

std::vector<document_kind> document_kinds();

} // namespace hub::foreign
