#include "tools/sim/documents.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>

#include <capnp/message.h>

#include "actors/core/frames.hpp"
#include "schemas/customs.capnp.h"
#include "schemas/declaration.capnp.h"
#include "schemas/message.capnp.h"

namespace sim {

namespace {

/// A tariff line (config/reference/tariff.toml) with its reference unit values
/// (config/reference/prices.toml). Chosen so that nothing else in the SAMPLE
/// configuration selects it: no prohibited or restricted goods, no HS prefix of a risk
/// parameter (0306 shrimp, 2204 wine, 3304 cosmetics), laptops well under the 5 kg
/// per unit of RP-WEIGHT-001, descriptions that name no classification precedent of
/// another heading.
struct goods {
  const char* hs_code;
  const char* description;
  const char* unit;
  double min_cny, max_cny; ///< reference range per unit
  double kg_per_unit;      ///< net weight of one unit (KGM: 1)
  std::array<const char*, 3> origins; ///< imports come from one of these
};

constexpr std::array<goods, 14> catalogue{{
  {"0402210000", "Milk powder, fat content exceeding 1.5 %, not sweetened", "KGM", 15, 80, 1, {"NZ", "AU", "NL"}},
  {"0803900000", "Bananas, fresh", "KGM", 3, 15, 1, {"PH", "VN", "EC"}},
  {"0901110000", "Coffee, not roasted, not decaffeinated", "KGM", 15, 80, 1, {"VN", "BR", "CO"}},
  {"1511100000", "Crude palm oil", "KGM", 5, 12, 1, {"MY", "ID", "MY"}},
  {"4001220000", "Technically specified natural rubber (TSNR)", "KGM", 8, 20, 1, {"TH", "MY", "VN"}},
  {"6109100000", "T-shirts, singlets and other vests, knitted, of cotton", "PCE", 10, 800, 0.2, {"VN", "BD", "KH"}},
  {"6403990000", "Footwear with outer soles of rubber and uppers of leather", "PR", 80, 3000, 0.9, {"VN", "IT", "ID"}},
  {"7403111100", "Refined copper cathodes, copper content exceeding 99.9935 %", "KGM", 50, 90, 1, {"CL", "PE", "CL"}},
  {"8471300000", "Portable automatic data processing machines, weight <= 10 kg", "PCE", 1500, 20000, 1.8, {"VN", "MY", "JP"}},
  {"8516500000", "Microwave ovens", "PCE", 200, 5000, 12, {"KR", "TH", "JP"}},
  {"8517130000", "Smartphones for cellular networks", "PCE", 800, 12000, 0.2, {"VN", "IN", "KR"}},
  {"8528721200", "Reception apparatus for television, colour, LCD", "PCE", 800, 60000, 15, {"KR", "JP", "MX"}},
  {"9102210000", "Wrist-watches with automatic winding", "PCE", 300, 50000, 0.1, {"CH", "JP", "CH"}},
  {"9503008900", "Other toys", "PCE", 5, 2000, 0.5, {"VN", "ID", "KH"}},
}};

struct registered {
  const char* code;
  const char* name;
  unsigned weight; ///< share of generated declarations, percent
};

constexpr std::array<registered, 4> enterprises{{
  {enterprise::general_certified, "Guangzhou Certified Electronics (SAMPLE)", 40},
  {enterprise::general_credit, "Pudong General Trading Ltd. (SAMPLE)", 35},
  {enterprise::advanced_certified, "Shanghai Sample Import Co. (SAMPLE)", 22},
  {enterprise::discredited, "Qingdao Discredited Seafood (SAMPLE)", 3},
}};

struct unit_of_customs {
  const char* code;
  bool airport;
};

constexpr std::array<unit_of_customs, 6> customs_units{{
  {"2248", false}, {"2233", true}, {"2202", false}, {"5141", true}, {"4218", false}, {"0101", true},
}};

struct currency {
  const char* code;
  double cny_per_unit; ///< config/reference/rates.toml
};

constexpr std::array<currency, 3> currencies{{{"USD", 7.1}, {"CNY", 1}, {"EUR", 7.75}}};

template <class T, size_t N>
const T& pick(rng_type& rng, const std::array<T, N>& a) {
  return a[std::uniform_int_distribution<size_t>{0, N - 1}(rng)];
}

double uniform(rng_type& rng, double lo, double hi) {
  return std::uniform_real_distribution<double>{lo, hi}(rng);
}

bool chance(rng_type& rng, double percent) {
  return uniform(rng, 0, 100) < percent;
}

std::string amount(double v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.2f", v);
  return buf;
}

const registered& pick_enterprise(rng_type& rng) {
  auto x = std::uniform_int_distribution<unsigned>{0, 99}(rng);
  for (auto& e : enterprises) {
    if (x < e.weight)
      return e;
    x -= e.weight;
  }
  return enterprises.front();
}

void fill_declaration(hub::wire::Declaration::Builder d, const declaration_fields& f) {
  d.setDeclarationId(f.declaration_id);
  d.setType(f.is_import ? hub::wire::DeclarationType::IMPORT
                        : hub::wire::DeclarationType::EXPORT);
  auto declarant = d.initDeclarant();
  declarant.setId(f.declarant_id);
  declarant.setName("Simulated Customs Broker Co., Ltd. (SAMPLE)");
  declarant.setCountry("CN");
  auto importer = d.initImporter();
  auto exporter = d.initExporter();
  auto& domestic = f.is_import ? importer : exporter;
  auto& foreign = f.is_import ? exporter : importer;
  domestic.setId(f.enterprise);
  domestic.setName(f.enterprise_name);
  domestic.setCountry("CN");
  foreign.setId(f.is_import ? "SIM-OVERSEAS-SELLER" : "SIM-OVERSEAS-BUYER");
  foreign.setName(f.is_import ? "Simulated Overseas Seller (SAMPLE)"
                              : "Simulated Overseas Buyer (SAMPLE)");
  foreign.setCountry(f.items.empty() || !f.is_import ? "US" : f.items.front().origin);
  d.setCustomsUnit(f.customs_unit);
  d.setSettlement(static_cast<hub::wire::Settlement>(f.settle));
  if (!f.transport_document.empty()) {
    auto docs = d.initTransportDocuments(1);
    docs[0].setType(f.air ? hub::wire::TransportDocumentType::AIR_WAYBILL
                          : hub::wire::TransportDocumentType::BILL_OF_LADING);
    docs[0].setNumber(f.transport_document);
  }
  auto items = d.initItems(static_cast<unsigned>(f.items.size()));
  for (unsigned i = 0; i < items.size(); ++i) {
    auto& g = f.items[i];
    auto it = items[i];
    it.setSequence(static_cast<uint16_t>(i + 1));
    it.setHsCode(g.hs_code);
    it.setDescription(g.description);
    it.setQuantity(g.quantity);
    it.setUnit(g.unit);
    it.setNetWeightKg(g.net_kg);
    it.setGrossWeightKg(std::round(g.net_kg * 1.08 * 10) / 10 + 0.1);
    it.setCustomsValue(g.value);
    it.setCurrency(g.currency);
    it.setOriginCountry(g.origin);
    it.setPreferentialOriginClaim(g.claim);
    it.setOriginCertificate(g.certificate);
  }
}

} // namespace

std::string random_hex(rng_type& rng, size_t bytes) {
  hub::bytes b(bytes);
  for (auto& x : b)
    x = static_cast<uint8_t>(rng());
  return hub::to_hex(b);
}

std::string format_cents(int64_t cents) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%s%lld.%02lld", cents < 0 ? "-" : "",
                static_cast<long long>(std::llabs(cents) / 100),
                static_cast<long long>(std::llabs(cents) % 100));
  return buf;
}

hub::bytes make_declaration(const declaration_fields& f) {
  capnp::MallocMessageBuilder mb;
  fill_declaration(mb.initRoot<hub::wire::Declaration>(), f);
  return hub::to_bytes(mb);
}

declaration_fields random_declaration(rng_type& rng, const declaration_spec& spec) {
  declaration_fields f;
  auto& ent = pick_enterprise(rng);
  bool advanced = std::string{ent.code} == enterprise::advanced_certified;
  bool discredited = std::string{ent.code} == enterprise::discredited;
  f.is_import = chance(rng, 65);
  f.declaration_id = "SIM-" + random_hex(rng, 8);
  f.enterprise = ent.code;
  f.enterprise_name = ent.name;
  // The discredited tier may only pay (guarantee release is not open to it); the
  // advanced-certified enterprise's imports pay too, see the header.
  if (discredited || (advanced && f.is_import))
    f.settle = settlement::payment;
  else
    f.settle = chance(rng, 90) ? settlement::guarantee : settlement::payment;
  auto& unit = pick(rng, customs_units);
  f.customs_unit = unit.code;
  f.air = unit.airport;
  f.transport_document = (unit.airport ? "SIMAWB" : "SIMBL") + random_hex(rng, 5);
  auto n = spec.items == 0 ? 1u : spec.items;
  for (unsigned i = 0; i < n; ++i) {
    auto& g = pick(rng, catalogue);
    goods_item it;
    it.hs_code = i == 0 && !spec.hs_code_override.empty() ? spec.hs_code_override
                                                          : std::string{g.hs_code};
    it.description = g.description;
    it.unit = g.unit;
    // Unit values close to the middle of the reference range, so that the tax
    // centres' batch review (which compares with the median of similar items) finds
    // nothing; a few below the range for the enterprises it may concern. Quantities
    // make a consignment worth CNY 10,000 to 300,000 (log-uniform).
    double per_unit = std::sqrt(g.min_cny * g.max_cny) * uniform(rng, 0.85, 1.15);
    double worth = std::exp(uniform(rng, std::log(10000.0), std::log(300000.0)));
    it.quantity = std::max(1.0, std::round(worth / per_unit));
    it.net_kg = std::round(it.quantity * g.kg_per_unit * uniform(rng, 0.95, 1.05) * 10) / 10;
    if (!advanced && chance(rng, 2))
      per_unit = g.min_cny * 0.6;
    auto& cur = pick(rng, currencies);
    it.currency = cur.code;
    it.value = amount(std::max(0.01, it.quantity * per_unit / cur.cny_per_unit));
    it.origin = f.is_import ? pick(rng, g.origins) : "CN";
    f.items.push_back(std::move(it));
  }
  return f;
}

hub::bytes make_declaration(rng_type& rng, const declaration_spec& spec) {
  return make_declaration(random_declaration(rng, spec));
}

hub::bytes make_amendment(const std::string& declaration_id, amendment_kind kind,
                          const std::string& reason, const declaration_fields* replacement) {
  capnp::MallocMessageBuilder mb;
  auto a = mb.initRoot<hub::wire::Amendment>();
  a.setDeclarationId(declaration_id);
  a.setKind(static_cast<hub::wire::AmendmentKind>(kind));
  a.setReason(reason);
  if (replacement != nullptr)
    fill_declaration(a.initReplacement(), *replacement);
  return hub::to_bytes(mb);
}

hub::bytes make_tax_payment(const std::string& declaration_id, const std::string& amount,
                            const std::string& bank_reference) {
  capnp::MallocMessageBuilder mb;
  auto p = mb.initRoot<hub::wire::TaxPayment>();
  p.setDeclarationId(declaration_id);
  p.setAmount(amount);
  p.setPaymentReference(bank_reference);
  return hub::to_bytes(mb);
}

hub::bytes make_inspection_result(const std::string& declarant, const std::string& declaration_id,
                                  inspection_outcome outcome, const std::string& findings) {
  capnp::MallocMessageBuilder mb;
  auto r = mb.initRoot<hub::wire::InspectionResult>();
  r.setDeclarant(declarant);
  r.setDeclarationId(declaration_id);
  r.setOutcome(static_cast<hub::wire::InspectionOutcome>(outcome));
  r.setFindings(findings);
  return hub::to_bytes(mb);
}

hub::bytes make_control_instruction(const control_instruction& ci) {
  capnp::MallocMessageBuilder mb;
  auto c = mb.initRoot<hub::wire::ControlInstruction>();
  c.setInstructionId(ci.id);
  c.setAction(static_cast<hub::wire::ControlAction>(ci.action));
  c.setLane(ci.lane);
  c.setValidUntil(ci.valid_until_ms);
  c.setReason(ci.reason);
  auto w = c.initWhen();
  auto set_list = [](auto list, const std::vector<std::string>& v) {
    for (unsigned i = 0; i < v.size(); ++i)
      list.set(i, v[i]);
  };
  set_list(w.initHsPrefixes(static_cast<unsigned>(ci.hs_prefixes.size())), ci.hs_prefixes);
  set_list(w.initEnterprises(static_cast<unsigned>(ci.enterprises.size())), ci.enterprises);
  set_list(w.initTransportDocuments(static_cast<unsigned>(ci.transport_documents.size())),
           ci.transport_documents);
  return hub::to_bytes(mb);
}

hub::bytes make_trade_message(const std::string& subject, const std::string& body,
                              const std::vector<std::string>& references) {
  capnp::MallocMessageBuilder mb;
  auto m = mb.initRoot<hub::wire::TradeMessage>();
  m.setSubject(subject);
  m.setBody(body);
  auto refs = m.initReferences(static_cast<unsigned>(references.size()));
  for (unsigned i = 0; i < references.size(); ++i)
    refs.set(i, references[i]);
  return hub::to_bytes(mb);
}

} // namespace sim
