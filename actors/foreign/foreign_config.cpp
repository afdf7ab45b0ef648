#include "actors/foreign/foreign_config.hpp"

#include <set>

#include "actors/core/toml_read.hpp"

namespace hub::foreign {

namespace {

#define TRY(expr)                                                                        \
  if (auto err_ = (expr))                                                                \
    return err_;

} // namespace

const mra_descriptor* foreign_config::mra_of_party(const std::string& party) const {
  for (auto& m : mras)
    if (m.partner == party)
      return &m;
  return nullptr;
}

caf::expected<foreign_config> parse_foreign_config(const std::string& text, const std::string& origin) {
  toml::table root;
  try {
    root = toml::parse(text, origin);
  } catch (const toml::parse_error& e) {
    return config_error(origin, std::string{e.description()}, "line " + std::to_string(e.source().begin.line));
  }
  foreign_config cfg;
  cfg.source = origin;
  TRY(no_unknown_keys(root, origin, {"mra", "max-records-per-batch", "max-records-per-arrangement"}));
  TRY(read_positive(root, origin, "max-records-per-batch", cfg.max_records, 20000));
  TRY(read_positive(root, origin, "max-records-per-arrangement", cfg.max_held, 100000000));
  static const std::set<std::string> tiers{"advanced-certified", "general-certified", "general-credit", "discredited"};
  std::set<std::string> ids, partners;
  if (auto* list = root.get("mra"); list != nullptr && !list->is_array_of_tables())
    return config_error("mra", "expected [[mra]] tables", where(*list));
  if (auto* list = root.get_as<toml::array>("mra")) {
    size_t i = 0;
    for (auto& n : *list) {
      auto sec = "mra[" + std::to_string(i++) + "]";
      auto* t = n.as_table();
      TRY(no_unknown_keys(*t, sec, {"id", "partner", "name", "legal-basis", "data-set", "identifier-scheme",
                                    "consent-required", "cadence-hours", "they-recognise", "we-recognise"}));
      mra_descriptor m;
      TRY(read(*t, sec, "id", m.id));
      TRY(read(*t, sec, "partner", m.partner));
      TRY(read(*t, sec, "name", m.name));
      TRY(read(*t, sec, "legal-basis", m.legal_basis));
      TRY(read(*t, sec, "data-set", m.data_set));
      std::string scheme = "eori";
      TRY(read(*t, sec, "identifier-scheme", scheme));
      auto s = mra::id_scheme_from_string(scheme);
      if (!s)
        return config_error(sec + ".identifier-scheme", "one of eori, ctpat, uen, mid", where(*t, "identifier-scheme"));
      m.scheme = *s;
      TRY(read(*t, sec, "consent-required", m.consent_required));
      size_t cadence = m.cadence_hours;
      TRY(read_positive(*t, sec, "cadence-hours", cadence, 24 * 31));
      m.cadence_hours = static_cast<uint32_t>(cadence);
      TRY(read_string_list(*t, sec, "they-recognise", m.they_recognise));
      TRY(read_string_list(*t, sec, "we-recognise", m.we_recognise));
      for (auto& k : {std::pair{"id", &m.id}, {"partner", &m.partner}, {"data-set", &m.data_set},
                      {"legal-basis", &m.legal_basis}})
        if (k.second->empty())
          return config_error(sec + "." + k.first, "required", where(*t));
      for (auto& tier : m.they_recognise)
        if (tiers.count(tier) == 0)
          return config_error(sec + ".they-recognise", "\"" + tier + "\" is not a credit tier",
                              where(*t, "they-recognise"));
      if (!ids.insert(m.id).second)
        return config_error(sec + ".id", "\"" + m.id + "\" is given twice", where(*t, "id"));
      if (!partners.insert(m.partner).second) // the sending party names its arrangement
        return config_error(sec + ".partner", "\"" + m.partner + "\" already has an arrangement",
                            where(*t, "partner"));
      cfg.mras.push_back(std::move(m));
    }
  }
  return cfg;
}

caf::expected<foreign_config> load_foreign_config(const std::string& path) {
  auto text = read_file(path);
  if (!text)
    return text.error();
  return parse_foreign_config(*text, path);
}

} // namespace hub::foreign
