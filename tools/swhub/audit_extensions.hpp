#pragma once
// The audit extensions of the domain modules this build carries, for `swhub audit
// verify`: the core auditor checks the log, documents and dedupe entries; each module
// checks its own rows (actors/store/audit_extension.hpp).

#include <vector>

#include "actors/store/audit_extension.hpp"

namespace hub {

/// One extension per domain module, in the modules' order.
// TODO(issue-17): take them from the module registry once it exists.
std::vector<audit_extension> module_audit_extensions();

} // namespace hub
