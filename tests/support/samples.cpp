#include "tests/support/samples.hpp"

#include "schemas/ecommerce.capnp.h"
#include "tools/ceb/parcel_documents.hpp"

#include <functional>
#include <map>

#include "actors/core/frames.hpp"
#include "schemas/customs.capnp.h"
#include "schemas/declaration.capnp.h"
#include "schemas/foreign.capnp.h"
#include "schemas/keys.capnp.h"
#include "schemas/message.capnp.h"

namespace hub::test {

namespace {

void fill_declaration(wire::Declaration::Builder d, const declaration_spec& s) {
  d.setDeclarationId(s.declaration_id);
  d.setType(s.is_export ? wire::DeclarationType::EXPORT : wire::DeclarationType::IMPORT);
  auto decl = d.initDeclarant();
  decl.setId(s.declarant);
  decl.setName("Test Declarant");
  decl.setCountry("CN");
  auto trader = s.is_export ? d.initExporter() : d.initImporter();
  trader.setId(s.importer.empty() ? s.declarant : s.importer);
  trader.setName("Test Trader");
  trader.setCountry("CN");
  d.setSettlement(static_cast<wire::Settlement>(s.settlement));
  d.setSelfAssessedTax(s.self_assessed);
  d.setCustomsUnit(s.customs_unit);
  auto ops = d.initForeignOperators(static_cast<unsigned>(s.foreign_operators.size()));
  for (unsigned i = 0; i < ops.size(); ++i) {
    ops[i].setRole(s.foreign_operators[i].first);
    ops[i].setAeoId(s.foreign_operators[i].second);
  }
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
    it.setUnit(s.unit);
    it.setNetWeightKg(s.net_kg);
    it.setGrossWeightKg(s.gross_kg);
    it.setCustomsValue(s.value);
    it.setCurrency(s.currency);
    it.setOriginCountry(s.origin);
    it.setPreferentialOriginClaim(s.claim);
    it.setOriginCertificate(s.certificate);
    it.setRulingId(s.ruling_id);
    auto lic = it.initLicences(static_cast<unsigned>(s.licences.size()));
    for (unsigned k = 0; k < lic.size(); ++k)
      lic.set(k, s.licences[k]);
  }
}

} // namespace

bytes declaration_payload(const declaration_spec& s) {
  capnp::MallocMessageBuilder mb;
  fill_declaration(mb.initRoot<wire::Declaration>(), s);
  return to_bytes(mb);
}

bytes two_item_declaration_payload(const declaration_spec& first, const declaration_spec& second) {
  capnp::MallocMessageBuilder a_mb, b_mb, mb; // re-initialising a list zeroes the old one: copy from apart
  auto a = a_mb.initRoot<wire::Declaration>();
  fill_declaration(a, first);
  auto b = b_mb.initRoot<wire::Declaration>();
  fill_declaration(b, second);
  mb.setRoot(a.asReader());
  auto items = mb.getRoot<wire::Declaration>().initItems(2);
  items.setWithCaveats(0, a.getItems()[0].asReader());
  items.setWithCaveats(1, b.getItems()[0].asReader());
  items[0].setSequence(1);
  items[1].setSequence(2);
  return to_bytes(mb);
}

bytes amendment_payload(const std::string& declaration_id, uint16_t kind, const std::string& reason,
                        const declaration_spec* replacement) {
  capnp::MallocMessageBuilder mb;
  auto a = mb.initRoot<wire::Amendment>();
  a.setDeclarationId(declaration_id);
  a.setKind(static_cast<wire::AmendmentKind>(kind));
  a.setReason(reason);
  if (replacement != nullptr)
    fill_declaration(a.initReplacement(), *replacement);
  return to_bytes(mb);
}

bytes inspection_payload(const std::string& declarant, const std::string& declaration_id,
                         uint16_t outcome, const std::string& findings) {
  capnp::MallocMessageBuilder mb;
  auto r = mb.initRoot<wire::InspectionResult>();
  r.setDeclarant(declarant);
  r.setDeclarationId(declaration_id);
  r.setOutcome(static_cast<wire::InspectionOutcome>(outcome));
  r.setFindings(findings);
  return to_bytes(mb);
}

bytes evidence_payload(const std::string& declarant, const std::string& declaration_id) {
  capnp::MallocMessageBuilder mb;
  auto r = mb.initRoot<wire::ValuationEvidence>();
  r.setDeclarant(declarant);
  r.setDeclarationId(declaration_id);
  auto ev = r.initEvidence(1);
  ev[0].setKind(wire::EvidenceKind::IMAGE);
  ev[0].setReference("IMG-0001.jpg");
  bytes h(32, 0xab);
  ev[0].setSha256(kj::arrayPtr(h.data(), h.size()));
  return to_bytes(mb);
}

bytes payment_payload(const std::string& declaration_id, const std::string& amount,
                      const std::string& period, const std::string& enterprise) {
  capnp::MallocMessageBuilder mb;
  auto p = mb.initRoot<wire::TaxPayment>();
  p.setDeclarationId(declaration_id);
  p.setPeriod(period);
  p.setEnterprise(enterprise);
  p.setAmount(amount);
  p.setPaymentReference("BANK-REF-" + (declaration_id.empty() ? period : declaration_id));
  return to_bytes(mb);
}

bytes instruction_payload(const instruction_spec& s) {
  capnp::MallocMessageBuilder mb;
  auto c = mb.initRoot<wire::ControlInstruction>();
  c.setInstructionId(s.id);
  c.setAction(static_cast<wire::ControlAction>(s.action));
  c.setLane(s.lane);
  c.setValidFrom(s.valid_from);
  c.setValidUntil(s.valid_until);
  c.setReason(s.reason);
  auto w = c.initWhen();
  auto hs = w.initHsPrefixes(static_cast<unsigned>(s.hs_prefixes.size()));
  for (unsigned i = 0; i < hs.size(); ++i)
    hs.set(i, s.hs_prefixes[i]);
  auto en = w.initEnterprises(static_cast<unsigned>(s.enterprises.size()));
  for (unsigned i = 0; i < en.size(); ++i)
    en.set(i, s.enterprises[i]);
  return to_bytes(mb);
}

bytes licence_payload(const std::string& id, const std::string& type, const std::string& holder,
                      const std::string& hs_prefix, double quantity, const std::string& unit, int64_t from_ms,
                      int64_t until_ms) {
  capnp::MallocMessageBuilder mb;
  auto l = mb.initRoot<wire::Licence>();
  l.setLicenceId(id);
  l.setLicenceType(type);
  l.setHolder(holder);
  l.initHsPrefixes(1).set(0, hs_prefix);
  l.setQuantity(quantity);
  l.setUnit(unit);
  l.setValidFrom(from_ms);
  l.setValidUntil(until_ms);
  return to_bytes(mb);
}

bytes credit_decision_payload(const std::string& enterprise, const std::string& tier,
                              const std::string& reason, int64_t effective_from) {
  capnp::MallocMessageBuilder mb;
  auto d = mb.initRoot<wire::CreditDecision>();
  d.setEnterprise(enterprise);
  d.setTier(tier);
  d.setReason(reason);
  d.setEffectiveFrom(effective_from);
  return to_bytes(mb);
}

bytes disclosure_payload(const std::string& id, const std::string& declaration_id, const std::string& tax_underpaid,
                         const std::string& description, int64_t violation_date,
                         const std::vector<uint16_t>& items) {
  capnp::MallocMessageBuilder mb;
  auto d = mb.initRoot<wire::Disclosure>();
  d.setDisclosureId(id);
  d.setDeclarationId(declaration_id);
  d.setTaxUnderpaid(tax_underpaid);
  d.setDescription(description);
  d.setViolationDate(violation_date);
  auto list = d.initItems(static_cast<unsigned>(items.size()));
  for (unsigned i = 0; i < list.size(); ++i)
    list.set(i, items[i]);
  return to_bytes(mb);
}

bytes aeo_batch_payload(const std::string& batch_id, const std::vector<aeo_spec>& records,
                        const std::string& data_set, bool snapshot) {
  capnp::MallocMessageBuilder mb;
  auto b = mb.initRoot<wire::AeoBatch>();
  b.setBatchId(batch_id);
  b.setDataSet(data_set);
  b.setSnapshot(snapshot);
  auto list = b.initRecords(static_cast<unsigned>(records.size()));
  for (unsigned i = 0; i < list.size(); ++i) {
    auto& s = records[i];
    auto r = list[i];
    r.setId(s.id);
    r.setName(s.name);
    r.setAddress("1 Sample Street, Sample City (TEST SAMPLE)");
    r.setStatus(static_cast<wire::AeoStatus>(s.status));
    r.setValidatedAt(1700000000000);
    r.setProgramme(s.programme);
    r.setVersion(s.version);
    r.setChangedAt(1700000000000 + static_cast<int64_t>(s.version));
    r.setReason(s.reason);
  }
  return to_bytes(mb);
}

bytes ruling_payload(const std::string& id, const std::string& holder, const std::string& hs,
                     const std::string& description, bool valuation, const std::string& min,
                     const std::string& max) {
  capnp::MallocMessageBuilder mb;
  auto r = mb.initRoot<wire::AdvanceRuling>();
  r.setRulingId(id);
  r.setHolder(holder);
  r.setKind(valuation ? wire::RulingKind::VALUATION : wire::RulingKind::CLASSIFICATION);
  r.setDescription(description);
  r.setHsCode(hs);
  r.setMinUnitValue(min);
  r.setMaxUnitValue(max);
  auto now = now_ms();
  r.setValidFrom(now - 86400000);
  r.setValidUntil(now + 365LL * 86400000);
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

bytes agency_decision_payload(const std::string& case_id, uint16_t verdict,
                              const std::string& reason) {
  capnp::MallocMessageBuilder mb;
  auto d = mb.initRoot<wire::AgencyDecision>();
  d.setCaseId(case_id);
  d.setVerdict(static_cast<wire::AgencyVerdict>(verdict));
  d.setReason(reason);
  return to_bytes(mb);
}

bytes trade_message_payload(const std::string& subject, const std::string& body) {
  capnp::MallocMessageBuilder mb;
  auto m = mb.initRoot<wire::TradeMessage>();
  m.setSubject(subject);
  m.setBody(body);
  return to_bytes(mb);
}

declaration_spec sample_declaration() {
  declaration_spec s;
  s.declaration_id = "SAMPLE-DECL-1";
  s.importer = "GOOD-ENT";
  s.currency = "CNY";
  s.value = "50000.00";
  s.customs_unit = "2248";
  s.settlement = 1; // guarantee: released at once on the green lane
  return s;
}

namespace {

bytes ceb_payload(const std::string& xml) {
  capnp::MallocMessageBuilder mb;
  mb.initRoot<wire::CebMessage>().setXml(
    kj::arrayPtr(reinterpret_cast<const uint8_t*>(xml.data()), xml.size()));
  return to_bytes(mb);
}

ceb_docs::parcel sample_parcel() {
  ceb_docs::parcel p;
  p.order_no = "ORD-SAMPLE-1";
  p.logistics_no = "LN-SAMPLE-1";
  p.pay_transaction_id = "PAY-SAMPLE-1";
  p.invt_no = "224920260I00000001";
  return p;
}

ceb_docs::transfer ceb_transfer(const std::string& code) {
  return {code, "SAMPLE", "DXPENT0000000100", ""};
}

std::string waybill_status_message() {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
         "<ceb:CEB513Message guid=\"" + ceb_docs::new_guid() + "\" version=\"1.0\" "
         "xmlns:ceb=\"http://www.chinaport.gov.cn/ceb\">\n"
         "<ceb:LogisticsStatus><ceb:guid>" + ceb_docs::new_guid() + "</ceb:guid><ceb:appType>1</ceb:appType>"
         "<ceb:appTime>20261207120000</ceb:appTime><ceb:appStatus>2</ceb:appStatus>"
         "<ceb:logisticsCode>3101960003</ceb:logisticsCode><ceb:logisticsName>SAMPLE</ceb:logisticsName>"
         "<ceb:logisticsNo>LN-SAMPLE-1</ceb:logisticsNo><ceb:logisticsStatus>S</ceb:logisticsStatus>"
         "<ceb:logisticsTime>20261207130000</ceb:logisticsTime></ceb:LogisticsStatus>\n"
         "<ceb:BaseTransfer><ceb:copCode>3101960003</ceb:copCode><ceb:copName>SAMPLE</ceb:copName>"
         "<ceb:dxpMode>DXP</ceb:dxpMode><ceb:dxpId>DXPENT0000000103</ceb:dxpId></ceb:BaseTransfer>\n"
         "</ceb:CEB513Message>\n";
}

std::string delivery_message() {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
         "<ceb:CEB711Message guid=\"" + ceb_docs::new_guid() + "\" version=\"1.0\" "
         "xmlns:ceb=\"http://www.chinaport.gov.cn/ceb\">\n"
         "<ceb:Delivery><ceb:DeliveryHead><ceb:guid>" + ceb_docs::new_guid() + "</ceb:guid>"
         "<ceb:appType>1</ceb:appType><ceb:appTime>20261207120000</ceb:appTime><ceb:appStatus>2</ceb:appStatus>"
         "<ceb:customsCode>2249</ceb:customsCode><ceb:operatorCode>3101960005</ceb:operatorCode>"
         "<ceb:operatorName>SAMPLE</ceb:operatorName><ceb:ieFlag>I</ceb:ieFlag><ceb:trafMode>5</ceb:trafMode>"
         "<ceb:trafNo>MU5101</ceb:trafNo><ceb:voyageNo>MU5101-20261207</ceb:voyageNo>"
         "<ceb:billNo>78412345678</ceb:billNo><ceb:logisticsCode>3101960003</ceb:logisticsCode>"
         "<ceb:logisticsName>SAMPLE</ceb:logisticsName></ceb:DeliveryHead>"
         "<ceb:DeliveryList><ceb:gnum>1</ceb:gnum><ceb:logisticsNo>LN-SAMPLE-1</ceb:logisticsNo></ceb:DeliveryList>"
         "</ceb:Delivery>\n"
         "<ceb:BaseTransfer><ceb:copCode>3101960005</ceb:copCode><ceb:copName>SAMPLE</ceb:copName>"
         "<ceb:dxpMode>DXP</ceb:dxpMode><ceb:dxpId>DXPENT0000000105</ceb:dxpId></ceb:BaseTransfer>\n"
         "</ceb:CEB711Message>\n";
}

} // namespace

std::optional<bytes> sample_payload(std::string_view kind) {
  // One row per document kind. A new kind adds its row here, or the conformance test
  // fails naming it.
  static const std::map<std::string, std::function<bytes()>, std::less<>> samples{
    {"trade.message", [] { return trade_message_payload("sample", "a routed message"); }},
    {"hub.key-rotation",
     // The sender's own CURVE key; the old one stays valid for the hour the test runs.
     [] { return key_rotation_payload("", false, std::string(40, 'a'), 3600); }},
    {"customs.declaration", [] { return declaration_payload(sample_declaration()); }},
    {"customs.amendment",
     [] {
       auto d = sample_declaration();
       return amendment_payload(d.declaration_id, 2, "corrected description", &d);
     }},
    {"customs.tax-payment", [] { return payment_payload("SAMPLE-DECL-1", "6500.00"); }},
    {"customs.inspection-result",
     [] { return inspection_payload("ENT-A", "SAMPLE-DECL-1", 1, "invoice number mistyped"); }},
    {"customs.valuation-evidence", [] { return evidence_payload("ENT-A", "SAMPLE-DECL-1"); }},
    {"customs.control-instruction",
     [] {
       instruction_spec ci;
       ci.id = "CI-SAMPLE";
       ci.hs_prefixes = {"0101"}; // live horses: no other sample declares them
       ci.valid_until = now_ms() + 3600000;
       return instruction_payload(ci);
     }},
    {"customs.advance-ruling",
     [] { return ruling_payload("R-SAMPLE", "GOOD-ENT", "8471300000", "tablet computer"); }},
    {"customs.disclosure",
     [] { return disclosure_payload("DSC-SAMPLE", "SAMPLE-DECL-1", "100.00", "unit value mistyped (SAMPLE)"); }},
    {"foreign.aeo-batch", [] { return aeo_batch_payload("B-SAMPLE", {{"DE1234567890123"}}); }},
    {"customs.credit-decision",
     [] { return credit_decision_payload("PLAIN-ENT", "general-certified", "AEO audit passed (SAMPLE)"); }},
    {"agency.decision", [] { return agency_decision_payload("224820260000000001", 0); }},
    {"agency.licence",
     [] {
       auto now = now_ms();
       return licence_payload("L-SAMPLE", "automatic-import-licence", "GOOD-ENT", "0202", 1000,
                              "KGM", now - 1000, now + 86400000);
     }},
    // E-commerce: CEB messages of the SAMPLE enterprises (config/ecommerce.toml), as a
    // platform's system writes them (tools/ceb/parcel_documents), unsigned.
    {"ecommerce.ceb311", [] { return ceb_payload(ceb_docs::order_message({sample_parcel()}, ceb_transfer("3301960001"))); }},
    {"ecommerce.ceb411", [] { return ceb_payload(ceb_docs::payment_message({sample_parcel()}, ceb_transfer("3101960002"))); }},
    {"ecommerce.ceb511", [] { return ceb_payload(ceb_docs::waybill_message({sample_parcel()}, ceb_transfer("3101960003"))); }},
    {"ecommerce.ceb513", [] { return ceb_payload(waybill_status_message()); }},
    {"ecommerce.ceb621", [] { return ceb_payload(ceb_docs::inventory_message({sample_parcel()}, ceb_transfer("3101960004"))); }},
    {"ecommerce.ceb623", [] { return ceb_payload(ceb_docs::cancel_message({sample_parcel()}, ceb_transfer("3101960004"))); }},
    {"ecommerce.ceb625", [] { return ceb_payload(ceb_docs::refund_message({sample_parcel()}, ceb_transfer("3101960004"))); }},
    {"ecommerce.ceb711", [] { return ceb_payload(delivery_message()); }},
    {"ecommerce.inspection-result",
     [] {
       capnp::MallocMessageBuilder mb;
       auto r = mb.initRoot<wire::InventoryInspection>();
       r.setInvtNo("224920260I00000001");
       r.setRelease(true);
       r.setFindings("goods as declared");
       return to_bytes(mb);
     }},
  };
  auto i = samples.find(kind);
  if (i == samples.end())
    return std::nullopt;
  return i->second();
}

declaration_spec laptops(const std::string& id, const std::string& importer,
                         uint16_t settlement) {
  declaration_spec s;
  s.declaration_id = id;
  s.importer = importer;
  s.currency = "CNY";
  s.value = "50000.00";
  s.quantity = 10;
  s.customs_unit = "2248";
  s.settlement = settlement;
  return s;
}

} // namespace hub::test
