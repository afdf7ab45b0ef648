#include "actors/foreign/foreign_documents.hpp"

#include <set>
#include <string>

#include "actors/core/field_checks.hpp"
#include "schemas/foreign.capnp.h"

namespace hub::foreign {

namespace wire = swhub::wire;

namespace {

/// Every text ends up in a JSON record, whose writer needs UTF-8: refused here.
caf::error text_field(capnp::Text::Reader t, const std::string& field, size_t max, bool needed) {
  if (t.size() == 0)
    return needed ? fail(ec::missing_field, field, "required") : caf::none;
  if (t.size() > max)
    return fail(ec::invalid_field, field, "longer than " + std::to_string(max) + " characters");
  std::string_view text{t.cStr(), t.size()};
  if (valid_utf8(text) != text || text.find('\0') != std::string_view::npos)
    return fail(ec::invalid_field, field, "not UTF-8 text (or a NUL in it)");
  return caf::none;
}

caf::error check_record(wire::AeoRecord::Reader r, const std::string& at) {
  if (auto e = text_field(r.getId(), at + ".id", 35, true))
    return e;
  if (auto e = text_field(r.getName(), at + ".name", 512, true))
    return e;
  if (auto e = text_field(r.getAddress(), at + ".address", 512, false))
    return e;
  if (auto e = text_field(r.getProgramme(), at + ".programme", 64, false))
    return e;
  if (auto e = text_field(r.getReason(), at + ".reason", 512, false))
    return e;
  if (static_cast<uint16_t>(r.getStatus()) > static_cast<uint16_t>(wire::AeoStatus::WITHDRAWN))
    return fail(ec::invalid_field, at + ".status", "unknown status (valid, suspended, revoked, withdrawn)");
  if (r.getVersion() == 0)
    return fail(ec::invalid_field, at + ".version", "must be above 0");
  if (r.getValidatedAt() < 0 || r.getChangedAt() < 0)
    return fail(ec::invalid_field, at + ".validatedAt", "Unix ms, not negative");
  if (r.getExtras().size() > 20)
    return fail(ec::invalid_field, at + ".extras", "more than 20");
  size_t i = 0;
  for (auto x : r.getExtras()) {
    auto xa = at + ".extras[" + std::to_string(i++) + "]";
    if (auto e = text_field(x.getKey(), xa + ".key", 64, true))
      return e;
    if (auto e = text_field(x.getValue(), xa + ".value", 512, false))
      return e;
  }
  return caf::none;
}

caf::error check_batch(wire::AeoBatch::Reader b, const validation_limits&) {
  if (auto e = text_field(b.getBatchId(), "batchId", 64, true))
    return e;
  if (auto e = text_field(b.getDataSet(), "dataSet", 32, true))
    return e;
  auto records = b.getRecords();
  if (records.size() == 0)
    return fail(ec::missing_field, "records", "at least one record");
  if (records.size() > max_batch_records)
    return fail(ec::invalid_field, "records", "more than " + std::to_string(max_batch_records));
  std::set<std::string> ids;
  size_t i = 0;
  for (auto r : records) {
    auto at = "records[" + std::to_string(i++) + "]";
    if (auto e = check_record(r, at))
      return e;
    if (!ids.insert(r.getId().cStr()).second) // one word per operator and batch
      return fail(ec::invalid_field, at + ".id", quoted(r.getId().cStr()) + " appears twice in the batch");
  }
  return caf::none;
}

} // namespace

std::vector<document_kind> document_kinds() {
  return {
    {doc::aeo_batch, capnp::Schema::from<wire::AeoBatch>(),
     "a partner customs' AEO records under a mutual-recognition arrangement (snapshot part or delta)",
     validator_of<wire::AeoBatch>(check_batch), true},
  };
}

} // namespace hub::foreign
