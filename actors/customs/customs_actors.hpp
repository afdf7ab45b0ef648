#pragma once
// The customs module's actor interfaces, the messages only customs actors exchange, and
// its CAF type-ID block, chained after the core's (actors/actors.hpp). Kept light like
// actors.hpp: caf/fwd.hpp, caf/replies_to.hpp, caf/type_id.hpp and plain structs.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <caf/fwd.hpp>
#include <caf/meta/type_name.hpp>
#include <caf/replies_to.hpp>
#include <caf/type_id.hpp>

#include "actors/actors.hpp"

namespace hub {

/// A tax centre's finding on one case, sent to the clearance actor that owns the case.
struct review_result {
  std::string case_id;
  uint8_t outcome = 0;      ///< customs::audit_outcome
  int64_t adjustment = 0;   ///< additional tax, CNY cents
  std::string findings;     ///< JSON array of the findings
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, review_result& x) {
  return f(caf::meta::type_name("review_result"), x.case_id, x.outcome, x.adjustment, x.findings);
}

/// One batch review of a tax centre (SR-06.2): results per case and the group report.
struct review_report {
  std::string centre;
  std::vector<review_result> results;
  std::string report; ///< JSON: counts per outcome, adjustments, unit values per HS
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, review_report& x) {
  return f(caf::meta::type_name("review_report"), x.centre, x.results, x.report);
}

/// Step 1 of a declaration prepared by a customs assessor, handed to clearance with the
/// document. Local only: the pointer is never serialized (it crosses no process).
struct prepared_ref {
  std::shared_ptr<const void> ptr;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, prepared_ref&) {
  return f(caf::meta::type_name("prepared_ref"));
}

} // namespace hub

CAF_BEGIN_TYPE_ID_BLOCK(hub_customs, ::hub::module_type_id_block(0))
  CAF_ADD_TYPE_ID(hub_customs, (hub::review_result))
  CAF_ADD_TYPE_ID(hub_customs, (std::vector<hub::review_result>))
  CAF_ADD_TYPE_ID(hub_customs, (hub::review_report))
  CAF_ADD_TYPE_ID(hub_customs, (hub::prepared_ref))
  CAF_ADD_ATOM(hub_customs, hub::atom, audited, "audited")
  CAF_ADD_ATOM(hub_customs, hub::atom, review, "review")
  CAF_ADD_ATOM(hub_customs, hub::atom, task, "task")
CAF_END_TYPE_ID_BLOCK(hub_customs)

namespace hub {

/// CLEARANCE: owns the customs cases (one declaration, step-by-step processing).
using clearance_actor = caf::typed_actor<
  status_sig, lodge_sig,
  /// A declaration whose step 1 an assessor prepared (tariff, rulings, lane).
  caf::replies_to<atom::lodge, document_write, prepared_ref>::with<document_commit>,
  /// A tax centre's batch review; replies once the outcomes are committed.
  caf::replies_to<atom::audited, review_report>::with<bool>,
  /// Deadline scan (payment deadlines of guarantee reservations).
  caf::reacts_to<atom::tick>>;

/// CUSTOMS OFFICE: one per customs unit (GACC, direct, port, inland customs). Holds the
/// unit's work queue and assigns each task to one of its officers at random (SR-12.5:
/// no officer chooses a declaration), durably, with a notification to that officer.
using office_actor = caf::typed_actor<
  status_sig,
  /// A task opened or done: case id, kind ("documentary check", "examination",
  /// "audit", "verification"), open.
  caf::reacts_to<atom::task, std::string, std::string, bool>,
  /// Retry timer: writes again the assignments and closes the store refused.
  caf::reacts_to<atom::tick>>;

/// TAX CENTRE: reviews released declarations of its commodity group in batches.
using tax_centre_actor = caf::typed_actor<
  status_sig,
  /// A released case to review (case id).
  caf::reacts_to<atom::review, std::string>,
  /// Batch timer.
  caf::reacts_to<atom::tick>>;

} // namespace hub
