#pragma once
// The customs module's part of `swhub audit verify` (actors/store/audit_extension.hpp):
// every case's declaration and every case reference must lead to a document in the
// evidence log, and the newest risk rule set must be named by a decision in it.

#include <cstdint>

#include "actors/store/audit_extension.hpp"

namespace hub::customs {

/// Reads case references, then the cases they name, then each case's declaration's
/// dedupe entry (a row before the rows it names, safe on a live hub); and the rule sets.
hub::audit_extension audit_extension();

/// The rule set version a decision records, 0 if none. Only what the hub itself writes
/// counts, never free text (an officer's reason, a declarant's): the hub's own record
/// of a rule set loaded from its file ("risk rule set version N from ..."), or a risk
/// centre's decision on a control instruction, which ends with "; rule set version N"
/// (actors/customs/risk_centre.cpp) after the officer's reason. A proposal changes no
/// rule set and ends with its reason, so a reason ending like that suffix never counts.
uint64_t rule_set_version_in(const evidence_entry& e);

} // namespace hub::customs
