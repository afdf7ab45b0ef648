#include "tests/support/samples.hpp"

#include "actors/core/frames.hpp"
#include "schemas/declaration.capnp.h"
#include "schemas/keys.capnp.h"
#include "schemas/message.capnp.h"

namespace hub::test {

bytes declaration_payload(const declaration_spec& s) {
  capnp::MallocMessageBuilder mb;
  auto d = mb.initRoot<wire::Declaration>();
  d.setDeclarationId(s.declaration_id);
  d.setType(wire::DeclarationType::IMPORT);
  auto decl = d.initDeclarant();
  decl.setId(s.declarant);
  decl.setName("Test Declarant");
  decl.setCountry("CN");
  auto imp = d.initImporter();
  imp.setId(s.declarant);
  imp.setName("Test Importer");
  imp.setCountry("CN");
  d.setCustomsUnit(s.customs_unit);
  auto docs = d.initTransportDocuments(1);
  docs[0].setType(wire::TransportDocumentType::BILL_OF_LADING);
  docs[0].setNumber("COSU1234567890");
  auto items = d.initItems(static_cast<unsigned>(s.items));
  for (unsigned i = 0; i < items.size(); ++i) {
    auto it = items[i];
    it.setSequence(static_cast<uint16_t>(i + 1));
    it.setHsCode(s.hs_code);
    it.setDescription(s.description);
    it.setQuantity(s.quantity);
    it.setUnit("PCE");
    it.setNetWeightKg(s.net_kg);
    it.setGrossWeightKg(s.gross_kg);
    it.setCustomsValue(s.value);
    it.setCurrency(s.currency);
    it.setOriginCountry(s.origin);
  }
  return to_bytes(mb);
}

bytes key_rotation_payload(const std::string& party, bool signing, const std::string& new_key,
                           uint32_t overlap_seconds, const std::string& key_id) {
  capnp::MallocMessageBuilder mb;
  auto r = mb.initRoot<wire::KeyRotation>();
  r.setParty(party);
  r.setKind(signing ? wire::KeyKind::SIGNING : wire::KeyKind::CURVE);
  r.setNewPublicKey(new_key);
  r.setNewKeyId(key_id);
  r.setOverlapSeconds(overlap_seconds);
  return to_bytes(mb);
}

outgoing declaration_doc(const std::string& declaration_id) {
  declaration_spec spec;
  spec.declaration_id = declaration_id;
  outgoing doc;
  doc.document_type = "customs.declaration";
  doc.payload = declaration_payload(spec);
  doc.message_id = random_message_id();
  return doc;
}

bytes trade_message_payload(const std::string& subject, const std::string& body) {
  capnp::MallocMessageBuilder mb;
  auto m = mb.initRoot<wire::TradeMessage>();
  m.setSubject(subject);
  m.setBody(body);
  return to_bytes(mb);
}

} // namespace hub::test
