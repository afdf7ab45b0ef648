#pragma once
// The e-commerce module's actor interfaces and its CAF type-ID block (slot 1, chained
// after the core's; actors/actors.hpp). Kept light: caf/fwd.hpp and plain structs.

#include <memory>

#include <caf/fwd.hpp>
#include <caf/meta/type_name.hpp>
#include <caf/replies_to.hpp>
#include <caf/type_id.hpp>

#include "actors/actors.hpp"

namespace hub {

/// A CEB message read and checked by a CEB reader (actors/ecommerce/ceb_batch.hpp),
/// handed to the parcel matcher. Local only: the pointer is never serialized.
struct ceb_batch_ref {
  std::shared_ptr<const void> ptr;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, ceb_batch_ref&) {
  return f(caf::meta::type_name("ceb_batch_ref"));
}

} // namespace hub

CAF_BEGIN_TYPE_ID_BLOCK(hub_ecommerce, ::hub::module_type_id_block(1))
  CAF_ADD_TYPE_ID(hub_ecommerce, (hub::ceb_batch_ref))
CAF_END_TYPE_ID_BLOCK(hub_ecommerce)

namespace hub {

/// PARCEL MATCHER: the one owner of pending parcels (order, payment, waybill and
/// inventory joined per (ebpCode, orderNo)), the buyers' quota ledger and the tax
/// guarantees. Decides each document of a message and commits the message with every
/// consequence (records, decisions, CEB receipts) in one transaction.
using matcher_actor = caf::typed_actor<
  status_sig,
  caf::replies_to<atom::lodge, document_write, ceb_batch_ref>::with<document_commit>,
  /// A port officer's inspection result (ecommerce.inspection-result): the desk of
  /// that kind, so the matcher is also a lodge_actor.
  lodge_sig,
  /// Expiry scan of the matching window.
  caf::reacts_to<atom::tick>>;

} // namespace hub
