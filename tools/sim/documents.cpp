#include "tools/sim/documents.hpp"

#include <array>
#include <cmath>
#include <cstdio>

#include <capnp/message.h>

#include "actors/core/frames.hpp"
#include "schemas/declaration.capnp.h"
#include "schemas/message.capnp.h"

namespace sim {

namespace {

struct goods {
  const char* hs_code; // 10 digits: 8-digit tariff line + 2 statistical digits
  const char* description;
  const char* unit;
};

constexpr std::array<goods, 8> catalogue{{
  {"8471300000", "Portable automatic data processing machines, weight <= 10 kg", "PCE"},
  {"8504409999", "Static converters (power adapters) for data processing machines", "PCE"},
  {"8517130000", "Smartphones for cellular networks", "PCE"},
  {"6109100000", "T-shirts, singlets and other vests, knitted, of cotton", "PCE"},
  {"0901210000", "Coffee, roasted, not decaffeinated", "KGM"},
  {"9403600000", "Wooden furniture (other than seats)", "PCE"},
  {"3926909090", "Other articles of plastics", "KGM"},
  {"8708999999", "Other parts and accessories for motor vehicles", "KGM"},
}};

constexpr std::array<const char*, 6> origins{{"CN", "VN", "US", "DE", "JP", "MY"}};
constexpr std::array<const char*, 4> customs_units{{"2201", "2248", "5301", "4200"}};

template <class T, size_t N>
const T& pick(rng_type& rng, const std::array<T, N>& a) {
  return a[std::uniform_int_distribution<size_t>{0, N - 1}(rng)];
}

double uniform(rng_type& rng, double lo, double hi) {
  return std::uniform_real_distribution<double>{lo, hi}(rng);
}

/// An 18-character identifier shaped like a unified social credit code.
std::string uscc(rng_type& rng) {
  static const char* alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";
  std::string s = "9131";
  std::uniform_int_distribution<int> d{0, 30};
  while (s.size() < 18)
    s += alphabet[d(rng)];
  return s;
}

std::string amount(double v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.2f", v);
  return buf;
}

} // namespace

std::string random_hex(rng_type& rng, size_t bytes) {
  hub::bytes b(bytes);
  for (auto& x : b)
    x = static_cast<uint8_t>(rng());
  return hub::to_hex(b);
}

hub::bytes make_declaration(rng_type& rng, const declaration_spec& spec) {
  capnp::MallocMessageBuilder mb;
  auto d = mb.initRoot<hub::wire::Declaration>();
  bool is_import = (rng() & 1) == 0;
  d.setDeclarationId("SIM-" + random_hex(rng, 8));
  d.setType(is_import ? hub::wire::DeclarationType::IMPORT
                      : hub::wire::DeclarationType::EXPORT);
  auto declarant = d.initDeclarant();
  declarant.setId(uscc(rng));
  declarant.setName("Simulated Customs Broker Co., Ltd.");
  declarant.setCountry("CN");
  auto importer = d.initImporter();
  importer.setId(uscc(rng));
  importer.setName(is_import ? "Simulated Importer (Shanghai) Co., Ltd."
                             : "Simulated Overseas Buyer Inc.");
  importer.setCountry(is_import ? "CN" : "US");
  auto exporter = d.initExporter();
  exporter.setId(uscc(rng));
  exporter.setName(is_import ? "Simulated Overseas Seller GmbH"
                             : "Simulated Exporter (Ningbo) Co., Ltd.");
  exporter.setCountry(is_import ? "DE" : "CN");
  d.setCustomsUnit(pick(rng, customs_units));
  auto docs = d.initTransportDocuments(1);
  docs[0].setType(hub::wire::TransportDocumentType::BILL_OF_LADING);
  docs[0].setNumber("SIMBL" + random_hex(rng, 5));
  auto items = d.initItems(spec.items == 0 ? 1 : spec.items);
  for (unsigned i = 0; i < items.size(); ++i) {
    auto& g = pick(rng, catalogue);
    auto it = items[i];
    it.setSequence(static_cast<uint16_t>(i + 1));
    it.setHsCode(i == 0 && !spec.hs_code_override.empty() ? spec.hs_code_override
                                                          : std::string{g.hs_code});
    it.setDescription(g.description);
    it.setQuantity(std::floor(uniform(rng, 1, 1000)));
    it.setUnit(g.unit);
    auto net = std::round(uniform(rng, 0.5, 5000) * 10) / 10;
    it.setNetWeightKg(net);
    it.setGrossWeightKg(std::round(net * uniform(rng, 1.01, 1.2) * 10) / 10 + 0.1);
    it.setCustomsValue(amount(uniform(rng, 10, 250000)));
    it.setCurrency("USD");
    it.setOriginCountry(is_import ? pick(rng, origins) : "CN");
    it.setPreferentialOriginClaim((rng() % 4) == 0 ? "RCEP" : "");
  }
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
