#include "actors/customs/customs_tables.hpp"

namespace hub::customs::tables {

std::vector<table_spec> specs() {
  std::vector<table_spec> out;
  for (auto name : {cases, case_refs, enterprises, audit_queue, reports, rulings, rule_sets,
                    proposals, licences, tasks}) {
    std::string full{name};
    out.push_back({full, full.substr(full.find('.') + 1), nullptr});
  }
  return out;
}

} // namespace hub::customs::tables
