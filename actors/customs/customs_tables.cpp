#include "actors/customs/customs_tables.hpp"

#include "actors/customs/declaration_risk_facts.hpp"

namespace hub::customs::tables {

std::vector<table_spec> specs() {
  std::vector<table_spec> out;
  for (auto name : {cases, case_refs, enterprises, audit_queue, reports, rulings, rule_sets,
                    proposals, licences, tasks}) {
    std::string full{name};
    out.push_back({full, full.substr(full.find('.') + 1), nullptr});
  }
  out.push_back({std::string{credit}, {}, nullptr}); // new with issue 11: nothing to move
  out.push_back({std::string{disclosures}, {}, nullptr});
  // Rule sets were keyed by version alone; the risk service keys them (domain, version).
  for (auto& t : out)
    if (t.name == rule_sets)
      t.legacy_key = [](const bytes& key) {
        auto k = risk_rule_book_key_from_legacy(key);
        return k ? *k : key;
      };
  return out;
}

} // namespace hub::customs::tables
