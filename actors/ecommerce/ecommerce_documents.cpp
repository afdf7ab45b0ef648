#include "actors/ecommerce/ecommerce_documents.hpp"

#include "actors/core/field_checks.hpp"
#include "actors/core/frames.hpp"
#include "schemas/ecommerce.capnp.h"

namespace hub::ecommerce {

std::vector<document_kind> document_kinds() {
  // The XML itself is read by the CEB reader desk (it needs the sender's registration
  // and certificate); here only what needs neither.
  auto check = validator_of<wire::CebMessage>(
    [](wire::CebMessage::Reader m, const validation_limits&) -> caf::error {
      if (!m.hasXml() || m.getXml().size() == 0)
        return fail(ec::missing_field, "xml", "the CEB message bytes are required");
      return caf::none;
    });
  auto schema = capnp::Schema::from<wire::CebMessage>();
  auto inspection = validator_of<wire::InventoryInspection>(
    [](wire::InventoryInspection::Reader r, const validation_limits&) -> caf::error {
      if (r.getInvtNo().size() != 18)
        return fail(ec::invalid_field, "invtNo", "the inventory number has 18 characters");
      if (r.getFindings().size() > 4000)
        return fail(ec::invalid_field, "findings", "longer than 4000 characters");
      if (!r.getRelease() && r.getFindings().size() == 0)
        return fail(ec::missing_field, "findings", "a refusal says what was found");
      return caf::none;
    });
  return {
    {doc::order, schema, "CEB311Message: e-commerce orders (platform), 1..100 per message", check, true},
    {doc::payment, schema, "CEB411Message: payments (payment company)", check, true},
    {doc::waybill, schema, "CEB511Message: waybills (logistics company)", check, true},
    {doc::waybill_status, schema, "CEB513Message: waybill statuses (logistics company)", check, true},
    {doc::inventory, schema, "CEB621Message: import inventory lists (declaring agent)", check, true},
    {doc::cancel, schema, "CEB623Message: inventory cancellations (declaring agent)", check, true},
    {doc::refund, schema, "CEB625Message: returns (declaring agent)", check, true},
    {doc::delivery, schema, "CEB711Message: inbound notes (supervised-site operator)", check, true},
    {doc::inspection_result, capnp::Schema::from<wire::InventoryInspection>(),
     "the port officer's result of an inventory list's inspection", inspection, true},
  };
}

} // namespace hub::ecommerce
