#include "actors/customs/declaration_risk_facts.hpp"

namespace hub::customs {

const char* to_string(tier x) {
  switch (x) {
    case tier::advanced_certified:
      return "advanced-certified";
    case tier::general_certified:
      return "general-certified";
    case tier::general_credit:
      return "general-credit";
    case tier::discredited:
      return "discredited";
  }
  return "?";
}

std::optional<tier> tier_from_string(std::string_view s) {
  for (auto x : {tier::advanced_certified, tier::general_certified, tier::general_credit,
                 tier::discredited})
    if (s == to_string(x))
      return x;
  return std::nullopt;
}

const risk::vocabulary& risk_vocabulary() {
  static const risk::vocabulary words{
    {"advanced-certified", "general-certified", "general-credit", "discredited"},
    "tier",
    "credit tier"};
  return words;
}

tier declaration_facts::selectivity_tier() const {
  for (auto& op : foreign_operators)
    if (op.benefits())
      return tier::advanced_certified;
  return credit;
}

risk::facts risk_facts_of(const declaration_facts& f) {
  namespace attr = risk::attr;
  risk::facts out;
  auto& h = out.header;
  h.reserve(9);
  h.set("declarant", f.declarant);
  h.set(attr::enterprise, f.enterprise);
  h.set(attr::scope, f.customs_unit.substr(0, 2));
  h.set(attr::direction, std::string{f.import ? "import" : "export"});
  h.set(attr::selectivity_class, std::string{to_string(f.selectivity_tier())});
  h.set("prior_declarations", int64_t{f.prior_declarations});
  h.set(attr::prior_violations, int64_t{f.prior_violations});
  h.set(attr::ruling_deviation, f.ruling_deviation);
  h.set(attr::transport_document, f.transport_documents);
  out.items.reserve(f.items.size());
  for (auto& it : f.items) {
    risk::attributes a;
    a.reserve(7);
    a.set(attr::hs, it.hs);
    a.set(attr::origin, it.origin);
    a.set("unit_value", int64_t{it.unit_value_cny});
    a.set(attr::kg_per_unit, it.kg_per_unit);
    a.set(attr::price_position, int64_t{it.price_position});
    a.set(attr::prohibited, it.prohibited);
    a.set(attr::restricted, it.restricted);
    out.items.push_back(std::move(a));
  }
  return out;
}

lane_decision evaluate(const risk_engine& engine, const declaration_facts& f, uint64_t seed,
                       int64_t at_ms) {
  auto d = engine.evaluate(risk_facts_of(f), seed, at_ms);
  // Foreign AEOs named in the declaration, as explained facts (SR-18.2): which brought
  // the MRA benefit, and why the others did not.
  for (auto& op : f.foreign_operators) {
    d.explanation += "; " + op.role + " " + op.id + ": ";
    if (op.benefits())
      d.explanation += "recognised AEO under " + op.arrangement + " (" + op.programme + ", valid, version "
                       + std::to_string(op.version) + "): random selection at the advanced-certified rate";
    else if (op.status == "unknown")
      d.explanation += "named as an AEO, but no partner customs lists it: no MRA benefit";
    else if (op.status != "valid")
      d.explanation += op.status + " under " + op.arrangement + " (version " + std::to_string(op.version)
                       + "): no MRA benefit";
    else
      d.explanation += "AEO under " + op.arrangement + " with programme " + op.programme
                       + ", which this arrangement does not recognise: no MRA benefit";
  }
  return d;
}

risk_engine customs_risk_engine(rule_set rules) {
  return risk_engine{std::move(rules), risk_vocabulary()};
}

caf::expected<rule_set> decode_rule_set(const std::string& json) {
  return risk::decode_rule_set(json, risk_vocabulary());
}

caf::expected<rule_set> parse_rule_set_toml(const std::string& text, const std::string& origin) {
  return risk::parse_rule_set_toml(text, origin, risk_vocabulary());
}

std::vector<uint8_t> rule_book_storage_key(uint64_t version) {
  return risk::rule_book_key(risk_domain, version);
}

std::optional<std::vector<uint8_t>> risk_rule_book_key_from_legacy(const std::vector<uint8_t>& key) {
  return risk::rule_book_key_from_legacy(risk_domain, key);
}

} // namespace hub::customs
