#pragma once
// An agency's decision on one case: the verdict names of the wire schema, the
// agency.decision payload, and the JSON line forms the bridge mode speaks.

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "actors/actors.hpp"
#include "adapters/zmq/client.hpp"
#include "schemas/customs.capnp.h"

namespace agency {

namespace wire = ::swhub::wire;

/// One decision as the adapter keeps it.
struct decision {
  std::string case_id;
  wire::AgencyVerdict verdict = wire::AgencyVerdict::APPROVE;
  std::string reason;
};

/// "approve", "reject", "needInspection", "needDocuments" (the schema's enumerants).
std::string verdict_name(wire::AgencyVerdict v);

/// The inverse of verdict_name; nullopt for anything else.
std::optional<wire::AgencyVerdict> parse_verdict(std::string_view name);

/// The agency.decision payload (AgencyDecision, flat-array Cap'n Proto).
hub::bytes decision_payload(const decision& d);

/// A case as the bridge prints it: {"kind": "case", "caseId", "agency", "customsUnit",
/// "declarationType", "enterprise", "deadline", "items": [...], "transportDocuments",
/// "reason", "notificationId"}.
nlohmann::ordered_json case_json(const hub::notification& n);

/// Reads one bridge input line {"caseId", "verdict", "reason"}; on failure returns
/// nullopt and says why in `error`.
std::optional<decision> parse_decision_line(std::string_view line, std::string& error);

} // namespace agency
