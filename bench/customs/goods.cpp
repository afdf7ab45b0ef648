#include "bench/customs/goods.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include <capnp/message.h>

#include "actors/core/error.hpp"
#include "actors/core/frames.hpp"
#include "actors/customs/tax.hpp"
#include "schemas/declaration.capnp.h"

namespace bench {

namespace cu = hub::customs;

const std::vector<std::string> origins = {
  "DE", "US", "JP", "KR", "VN", "TH", "MY", "AU", "FR", "IT", "GB", "CH", "NZ", "CL", "BR", "ID",
  // rarer ones
  "EC", "BD", "PK", "NG", "LA", "MM", "GH", "CO", "PY", "KH"};
const size_t common_origins = 16;

namespace {

/// A plausible unit value (CNY cents) for a line without a reference range.
hub::cents default_unit_value(const std::string& unit, rng& r) {
  double cny = 0;
  if (unit == "KGM")
    cny = r.uniform(8, 120);
  else if (unit == "LTR")
    cny = r.uniform(5, 200);
  else if (unit == "GRM")
    cny = r.uniform(1, 50);
  else if (unit == "PCE" || unit == "PR" || unit == "SET")
    cny = r.uniform(20, 3000);
  else if (unit == "MTK" || unit == "MTR")
    cny = r.uniform(10, 200);
  else if (unit == "HEA")
    cny = r.uniform(3000, 30000);
  else
    cny = r.uniform(50, 5000);
  return static_cast<hub::cents>(cny * 100);
}

double default_kg_per_unit(const std::string& unit, rng& r) {
  if (unit == "KGM")
    return 1.0;
  if (unit == "GRM")
    return 0.001;
  if (unit == "LTR")
    return 1.0;
  if (unit == "HEA")
    return r.uniform(50, 600);
  return r.uniform(0.05, 15);
}

std::string amount_text(hub::cents c) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%lld.%02lld", static_cast<long long>(c / 100),
                static_cast<long long>(c % 100));
  return buf;
}

} // namespace

std::vector<goods_line> goods_catalogue(const cu::reference_data& ref) {
  std::vector<goods_line> out;
  rng r{0xC0FFEE};
  for (auto& [hs, line] : ref.tariff) {
    if (ref.restriction_for(hs) != nullptr)
      continue; // prohibited or restricted: refused or always red, not the common case
    goods_line g;
    g.hs = hs;
    g.unit = line.unit;
    g.description = line.description;
    if (auto* p = ref.price_for(hs); p != nullptr && p->unit == line.unit) {
      g.ref_min = p->min_per_unit;
      g.ref_max = p->max_per_unit;
      g.typical = static_cast<hub::cents>(
        std::sqrt(static_cast<double>(p->min_per_unit) * static_cast<double>(p->max_per_unit)));
    } else {
      g.typical = default_unit_value(line.unit, r);
    }
    g.kg_per_unit = default_kg_per_unit(line.unit, r);
    for (auto& [agreement, rate] : line.preferential)
      g.agreements.push_back(agreement);
    out.push_back(std::move(g));
  }
  return out;
}

std::vector<bench_enterprise> bench_enterprises() {
  return {{"91310000MA1BENCH01", "advanced-certified"}, {"91310000MA1BENCH02", "advanced-certified"},
          {"91440101MA5BENCH03", "general-certified"},  {"91440101MA5BENCH04", "general-certified"},
          {"91370200MA3BENCH05", "general-credit"},     {"91370200MA3BENCH06", "general-credit"}};
}

std::vector<item_spec> draw_items(const std::vector<goods_line>& goods, rng& r) {
  std::vector<item_spec> items(1 + r.below(5));
  for (auto& it : items) {
    it.line = &goods[r.below(goods.size())];
    auto& g = *it.line;
    auto per_unit = static_cast<hub::cents>(static_cast<double>(g.typical) * r.uniform(0.8, 1.25));
    if (g.ref_max > 0)
      per_unit = std::clamp(per_unit, g.ref_min, g.ref_max);
    per_unit = std::max<hub::cents>(per_unit, 1);
    double target = r.uniform(5000, 60000) * 100; // item value, cents
    it.quantity = std::max(1.0, std::round(target / static_cast<double>(per_unit)));
    it.value = static_cast<hub::cents>(it.quantity) * per_unit;
    it.origin = r.chance(90) ? origins[r.below(common_origins)]
                             : origins[common_origins + r.below(origins.size() - common_origins)];
  }
  return items;
}

hub::bytes declaration_payload(const std::string& declaration_id, const std::string& importer,
                               const std::vector<item_spec>& items) {
  capnp::MallocMessageBuilder mb;
  auto d = mb.initRoot<swhub::wire::Declaration>();
  d.setDeclarationId(declaration_id);
  d.setType(swhub::wire::DeclarationType::IMPORT);
  auto decl = d.initDeclarant();
  decl.setId("91310115MA1K4BENCH");
  decl.setName("Shanghai Bench Customs Brokerage Co., Ltd.");
  decl.setCountry("CN");
  auto imp = d.initImporter();
  imp.setId(importer);
  imp.setName("Bench Import & Export Trading Co., Ltd.");
  imp.setCountry("CN");
  d.setSettlement(swhub::wire::Settlement::GUARANTEE);
  d.setCustomsUnit("2248");
  auto docs = d.initTransportDocuments(1);
  docs[0].setType(swhub::wire::TransportDocumentType::BILL_OF_LADING);
  docs[0].setNumber("COSU" + declaration_id.substr(declaration_id.size() > 10 ? declaration_id.size() - 10 : 0));
  auto list = d.initItems(static_cast<unsigned>(items.size()));
  for (unsigned i = 0; i < list.size(); ++i) {
    auto it = list[i];
    auto& s = items[i];
    it.setSequence(static_cast<uint16_t>(i + 1));
    it.setHsCode(s.line->hs);
    it.setDescription(s.line->description);
    it.setQuantity(s.quantity);
    it.setUnit(s.line->unit);
    double net = s.quantity * s.line->kg_per_unit;
    it.setNetWeightKg(net);
    it.setGrossWeightKg(net * 1.05 + 0.5);
    it.setCustomsValue(amount_text(s.value));
    it.setCurrency("CNY");
    it.setOriginCountry(s.origin);
  }
  return hub::to_bytes(mb);
}

std::vector<cu::audit_case> audit_cases(const cu::reference_data& ref,
                                        const std::vector<goods_line>& goods, size_t cases,
                                        uint64_t seed, std::string& error) {
  rng r{seed};
  auto ents = bench_enterprises();
  // Certificates by agreement, for claims that should pass.
  std::vector<const cu::origin_certificate*> certs;
  for (auto& [n, c] : ref.certificates)
    certs.push_back(&c);
  std::vector<cu::audit_case> out;
  out.reserve(cases);
  const int64_t now = 1767225600000; // 2026-01-01 UTC: inside most certificates' validity
  for (size_t k = 0; k < cases; ++k) {
    cu::audit_case c;
    char id[32];
    std::snprintf(id, sizeof id, "224820261%09zu", k + 1);
    c.case_id = id;
    c.enterprise = ents[r.below(ents.size())].code;
    c.released_at_ms = now - static_cast<int64_t>(r.below(30 * 86400)) * 1000;
    auto items = draw_items(goods, r);
    std::vector<cu::tax_item> tax;
    for (auto& it : items) {
      auto& g = *it.line;
      if (r.chance(3)) { // undervalued: well below the reference minimum or the usual value
        it.value = std::max<hub::cents>(static_cast<hub::cents>(static_cast<double>(it.value) * 0.3), 100);
      } else if (!g.agreements.empty() && r.chance(5)) {
        it.claim = g.agreements[r.below(g.agreements.size())];
        const cu::origin_certificate* fit = nullptr;
        for (auto* cert : certs) {
          if (cert->agreement != it.claim)
            continue;
          bool covers = cert->hs_prefixes.empty();
          for (auto& p : cert->hs_prefixes)
            covers = covers || g.hs.compare(0, p.size(), p) == 0;
          if (covers) {
            fit = cert;
            break;
          }
        }
        if (fit != nullptr && r.chance(50)) {
          it.certificate = fit->number;
          it.origin = fit->country;
        } else {
          it.certificate = "CO-UNKNOWN-" + std::to_string(r.below(100000));
        }
      }
      tax.push_back({g.hs, it.value, "CNY", it.origin, it.claim, it.quantity, g.unit});
      cu::audit_item ai;
      ai.goods = tax.back();
      ai.description = g.description;
      ai.certificate = it.certificate;
      ai.net_kg = it.quantity * g.kg_per_unit;
      c.items.push_back(std::move(ai));
    }
    auto a = cu::assess(ref, tax, true);
    if (!a) {
      error = "assess " + c.case_id + ": " + hub::context_text(a.error());
      return {};
    }
    c.assessed = std::move(*a);
    out.push_back(std::move(c));
  }
  return out;
}

} // namespace bench
