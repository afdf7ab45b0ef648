#include "tools/agency/decision.hpp"

#include <capnp/message.h>

#include "actors/core/frames.hpp"

namespace agency {

std::string verdict_name(wire::AgencyVerdict v) {
  auto enumerants = capnp::Schema::from<wire::AgencyVerdict>().getEnumerants();
  auto raw = static_cast<uint16_t>(v);
  if (raw < enumerants.size())
    return enumerants[raw].getProto().getName();
  return std::to_string(raw);
}

std::optional<wire::AgencyVerdict> parse_verdict(std::string_view name) {
  auto enumerants = capnp::Schema::from<wire::AgencyVerdict>().getEnumerants();
  for (auto e : enumerants)
    if (name == e.getProto().getName().cStr())
      return static_cast<wire::AgencyVerdict>(e.getOrdinal());
  return std::nullopt;
}

hub::bytes decision_payload(const decision& d) {
  capnp::MallocMessageBuilder mb;
  auto root = mb.initRoot<wire::AgencyDecision>();
  root.setCaseId(d.case_id);
  root.setVerdict(d.verdict);
  root.setReason(d.reason);
  return hub::to_bytes(mb);
}

nlohmann::ordered_json case_json(const hub::notification& n) {
  auto j = n.to_json();
  // The bridge's consumer cares about the case; the notification's bookkeeping
  // (its id, the hub's clock) stays in the log.
  nlohmann::ordered_json out{{"kind", "case"}};
  for (auto& [key, value] : j.items())
    if (key != "kind" && key != "createdAt")
      out[key] = value;
  return out;
}

std::optional<decision> parse_decision_line(std::string_view line, std::string& error) {
  auto j = nlohmann::json::parse(line.begin(), line.end(), nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    error = "not a JSON object";
    return std::nullopt;
  }
  for (auto& [key, value] : j.items()) {
    if (key != "caseId" && key != "verdict" && key != "reason") {
      error = "unknown field \"" + key + "\" (expected caseId, verdict, reason)";
      return std::nullopt;
    }
    if (!value.is_string()) {
      error = "\"" + key + "\" must be a string";
      return std::nullopt;
    }
  }
  decision d;
  d.case_id = j.value("caseId", "");
  if (d.case_id.empty()) {
    error = "caseId is missing";
    return std::nullopt;
  }
  auto verdict_text = j.value("verdict", "");
  auto v = parse_verdict(verdict_text);
  if (!v) {
    error = "verdict \"" + verdict_text
            + "\" is not one of approve, reject, needInspection, needDocuments";
    return std::nullopt;
  }
  d.verdict = *v;
  d.reason = j.value("reason", "");
  if (d.reason.empty() && d.verdict != wire::AgencyVerdict::APPROVE) {
    error = "a reason is required unless the verdict is approve";
    return std::nullopt;
  }
  return d;
}

} // namespace agency
