// The canonical JSON and the TOML form of a rule set (rule_set.hpp).
#include "actors/risk/rule_set.hpp"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cmath>
#include <set>

#include <nlohmann/json.hpp>

#include "actors/core/error.hpp"
#include "actors/core/toml_read.hpp"

namespace hub::risk {

namespace {

bool all_digits(std::string_view s) {
  return !s.empty()
         && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

/// A percentage in [0, 100] with at most 4 decimals, as ppm.
std::optional<ppm> percent_ppm(double percent) {
  if (!std::isfinite(percent) || percent < 0 || percent > 100)
    return std::nullopt;
  double scaled = percent * 10000.0;
  double rounded = std::round(scaled);
  if (std::fabs(scaled - rounded) > 1e-6)
    return std::nullopt;
  return static_cast<ppm>(rounded);
}

bool known_class(const vocabulary& words, const std::string& name) {
  return words.classes.empty()
           ? !name.empty()
           : std::find(words.classes.begin(), words.classes.end(), name) != words.classes.end();
}

/// "not one of a, b, c" for a name outside the vocabulary's classes.
std::string not_one_of(const vocabulary& words) {
  std::string out = "not one of ";
  for (size_t i = 0; i < words.classes.size(); ++i)
    out += (i == 0 ? "" : ", ") + words.classes[i];
  return words.classes.empty() ? "not a " + words.class_kind : out;
}

} // namespace

// ---- canonical JSON --------------------------------------------------------------
// Keys are the struct field names; nlohmann::json objects keep keys sorted and dump()
// is compact, so the text is canonical. Lanes and classes are their names, ppm values
// integers, absent optionals null.

namespace {

using nlohmann::json;

json to_json(const condition& c) {
  json j = json::object();
  j["hs_prefixes"] = c.hs_prefixes;
  j["origins"] = c.origins;
  j["tiers"] = c.classes;
  j["enterprises"] = c.enterprises;
  j["transport_documents"] = c.transport_documents;
  j["price_position"] = c.price_position ? json(*c.price_position) : json(nullptr);
  j["min_kg_per_unit"] = c.min_kg_per_unit ? json(*c.min_kg_per_unit) : json(nullptr);
  j["max_kg_per_unit"] = c.max_kg_per_unit ? json(*c.max_kg_per_unit) : json(nullptr);
  j["prohibited"] = c.prohibited;
  j["restricted"] = c.restricted;
  j["min_prior_violations"] = c.min_prior_violations;
  j["ruling_deviation"] = c.ruling_deviation;
  j["import_only"] = c.import_only;
  j["export_only"] = c.export_only;
  return j;
}

caf::error json_error(const std::string& where, const std::string& what) {
  return caf::make_error(ec::invalid_config, "rule set JSON: " + where + ": " + what);
}

/// Strict reader of one JSON object: typed fields, unknown keys refused.
class reader {
public:
  reader(const json& j, std::string where) : j_(j), where_(std::move(where)) {
  }

  caf::error object(std::initializer_list<std::string_view> known) const {
    if (!j_.is_object())
      return json_error(where_, "expected an object");
    for (auto& [k, v] : j_.items())
      if (std::find(known.begin(), known.end(), k) == known.end())
        return json_error(where_ + "." + k, "unknown key");
    return caf::none;
  }

  std::string path(const std::string& key) const {
    return where_ + "." + key;
  }

  const json* get(const std::string& key) const {
    auto it = j_.find(key);
    return it == j_.end() ? nullptr : &*it;
  }

  caf::error str(const std::string& key, std::string& out) const {
    if (auto* v = get(key)) {
      if (!v->is_string())
        return json_error(path(key), "expected a string");
      out = v->get<std::string>();
    }
    return caf::none;
  }

  caf::error boolean(const std::string& key, bool& out) const {
    if (auto* v = get(key)) {
      if (!v->is_boolean())
        return json_error(path(key), "expected true or false");
      out = v->get<bool>();
    }
    return caf::none;
  }

  template <class T>
  caf::error integer(const std::string& key, T& out, int64_t min, uint64_t max) const {
    if (auto* v = get(key)) {
      if (!v->is_number_integer())
        return json_error(path(key), "expected an integer");
      if (v->is_number_unsigned()) {
        auto u = v->get<uint64_t>();
        if (u > max)
          return json_error(path(key), "out of range");
        out = static_cast<T>(u);
      } else {
        auto i = v->get<int64_t>();
        if (i < min || (i >= 0 && static_cast<uint64_t>(i) > max))
          return json_error(path(key), "out of range");
        out = static_cast<T>(i);
      }
    }
    return caf::none;
  }

  caf::error strings(const std::string& key, std::vector<std::string>& out) const {
    if (auto* v = get(key)) {
      if (!v->is_array())
        return json_error(path(key), "expected an array of strings");
      out.clear();
      for (auto& el : *v) {
        if (!el.is_string())
          return json_error(path(key), "expected an array of strings");
        out.push_back(el.get<std::string>());
      }
    }
    return caf::none;
  }

  caf::error lane_of(const std::string& key, enum lane& out) const {
    std::string s;
    if (get(key) == nullptr)
      return caf::none;
    if (auto err = str(key, s))
      return err;
    auto x = lane_from_string(s);
    if (!x)
      return json_error(path(key), "\"" + s + "\" is not one of green, yellow, red");
    out = *x;
    return caf::none;
  }

  caf::error optional_number(const std::string& key, std::optional<double>& out) const {
    if (auto* v = get(key)) {
      if (v->is_null())
        out.reset();
      else if (v->is_number())
        out = v->get<double>();
      else
        return json_error(path(key), "expected a number or null");
    }
    return caf::none;
  }

private:
  const json& j_;
  std::string where_;
};

#define RISK_TRY(expr)                                                                   \
  if (auto err_ = (expr))                                                                \
    return err_;

caf::error from_json(const json& j, const std::string& where, const vocabulary& words,
                     condition& c) {
  reader r{j, where};
  RISK_TRY(r.object({"hs_prefixes", "origins", "tiers", "enterprises", "transport_documents",
                     "price_position", "min_kg_per_unit", "max_kg_per_unit", "prohibited",
                     "restricted", "min_prior_violations", "ruling_deviation", "import_only",
                     "export_only"}));
  RISK_TRY(r.strings("hs_prefixes", c.hs_prefixes));
  RISK_TRY(r.strings("origins", c.origins));
  std::vector<std::string> tiers;
  RISK_TRY(r.strings("tiers", tiers));
  for (auto& t : tiers)
    if (!known_class(words, t))
      return json_error(r.path("tiers"), "\"" + t + "\" is not a " + words.class_kind);
  c.classes = std::move(tiers);
  RISK_TRY(r.strings("enterprises", c.enterprises));
  RISK_TRY(r.strings("transport_documents", c.transport_documents));
  if (auto* v = r.get("price_position"); v != nullptr && !v->is_null()) {
    int pos = 0;
    RISK_TRY(r.integer("price_position", pos, -1, 1));
    c.price_position = pos;
  }
  RISK_TRY(r.optional_number("min_kg_per_unit", c.min_kg_per_unit));
  RISK_TRY(r.optional_number("max_kg_per_unit", c.max_kg_per_unit));
  RISK_TRY(r.boolean("prohibited", c.prohibited));
  RISK_TRY(r.boolean("restricted", c.restricted));
  RISK_TRY(r.integer("min_prior_violations", c.min_prior_violations, 0, UINT32_MAX));
  RISK_TRY(r.boolean("ruling_deviation", c.ruling_deviation));
  RISK_TRY(r.boolean("import_only", c.import_only));
  RISK_TRY(r.boolean("export_only", c.export_only));
  return caf::none;
}

} // namespace

std::string encode(const rule_set& rules) {
  json params = json::array();
  for (auto& p : rules.parameters) {
    json j = json::object();
    j["id"] = p.id;
    j["level"] = p.level;
    j["district"] = p.scope;
    j["when"] = to_json(p.when);
    j["lane"] = to_string(p.lane);
    j["probability"] = p.probability;
    j["valuation_evidence"] = p.valuation_evidence;
    j["reason"] = p.reason;
    params.push_back(std::move(j));
  }
  json instrs = json::array();
  for (auto& ci : rules.instructions) {
    json j = json::object();
    j["id"] = ci.id;
    j["level"] = ci.level;
    j["district"] = ci.scope;
    j["issuer"] = ci.issuer;
    j["valid_from_ms"] = ci.valid_from_ms;
    j["valid_until_ms"] = ci.valid_until_ms;
    j["when"] = to_json(ci.when);
    j["lane"] = to_string(ci.lane);
    j["reason"] = ci.reason;
    instrs.push_back(std::move(j));
  }
  json sel = json::object();
  for (auto& [t, s] : rules.selectivity)
    sel[t] = json{{"red", s.red}, {"yellow", s.yellow}, {"min_random", s.min_random}};
  json root = json::object();
  root["version"] = rules.version;
  root["parameters"] = std::move(params);
  root["instructions"] = std::move(instrs);
  root["selectivity"] = std::move(sel);
  return root.dump();
}

caf::expected<rule_set> decode_rule_set(const std::string& text, const vocabulary& words) {
  json root = json::parse(text, nullptr, false);
  if (root.is_discarded())
    return caf::make_error(ec::invalid_config, "rule set JSON: not valid JSON");
  rule_set out;
  reader r{root, "$"};
  RISK_TRY(r.object({"version", "parameters", "instructions", "selectivity"}));
  RISK_TRY(r.integer("version", out.version, 0, UINT64_MAX));
  if (auto* ps = r.get("parameters")) {
    if (!ps->is_array())
      return json_error("$.parameters", "expected an array");
    for (size_t i = 0; i < ps->size(); ++i) {
      auto where = "$.parameters[" + std::to_string(i) + "]";
      reader pr{(*ps)[i], where};
      RISK_TRY(pr.object({"id", "level", "district", "when", "lane", "probability",
                          "valuation_evidence", "reason"}));
      risk_parameter p;
      RISK_TRY(pr.str("id", p.id));
      RISK_TRY(pr.integer("level", p.level, 1, 2));
      RISK_TRY(pr.str("district", p.scope));
      if (auto* w = pr.get("when"))
        RISK_TRY(from_json(*w, where + ".when", words, p.when));
      RISK_TRY(pr.lane_of("lane", p.lane));
      RISK_TRY(pr.integer("probability", p.probability, 0, one_ppm));
      RISK_TRY(pr.boolean("valuation_evidence", p.valuation_evidence));
      RISK_TRY(pr.str("reason", p.reason));
      out.parameters.push_back(std::move(p));
    }
  }
  if (auto* is = r.get("instructions")) {
    if (!is->is_array())
      return json_error("$.instructions", "expected an array");
    for (size_t i = 0; i < is->size(); ++i) {
      auto where = "$.instructions[" + std::to_string(i) + "]";
      reader ir{(*is)[i], where};
      RISK_TRY(ir.object({"id", "level", "district", "issuer", "valid_from_ms",
                          "valid_until_ms", "when", "lane", "reason"}));
      control_instruction ci;
      RISK_TRY(ir.str("id", ci.id));
      RISK_TRY(ir.integer("level", ci.level, 1, 2));
      RISK_TRY(ir.str("district", ci.scope));
      RISK_TRY(ir.str("issuer", ci.issuer));
      RISK_TRY(ir.integer("valid_from_ms", ci.valid_from_ms, INT64_MIN, INT64_MAX));
      RISK_TRY(ir.integer("valid_until_ms", ci.valid_until_ms, INT64_MIN, INT64_MAX));
      if (auto* w = ir.get("when"))
        RISK_TRY(from_json(*w, where + ".when", words, ci.when));
      RISK_TRY(ir.lane_of("lane", ci.lane));
      RISK_TRY(ir.str("reason", ci.reason));
      out.instructions.push_back(std::move(ci));
    }
  }
  if (auto* sel = r.get("selectivity")) {
    if (!sel->is_object())
      return json_error("$.selectivity", "expected an object");
    for (auto& [name, v] : sel->items()) {
      auto where = "$.selectivity." + name;
      if (!known_class(words, name))
        return json_error(where, "not a " + words.class_kind);
      reader sr{v, where};
      RISK_TRY(sr.object({"red", "yellow", "min_random"}));
      class_selectivity s;
      RISK_TRY(sr.integer("red", s.red, 0, one_ppm));
      RISK_TRY(sr.integer("yellow", s.yellow, 0, one_ppm));
      RISK_TRY(sr.integer("min_random", s.min_random, 0, one_ppm));
      out.selectivity[name] = s;
    }
  }
  return out;
}

// ---- TOML ------------------------------------------------------------------------
// The rule syntax (customs: config/risk-parameters.toml). Keys keep their customs
// names; facts.hpp maps each to the attribute it tests. Percentages are percent (0..100, at most 4
// decimals); every key is optional unless marked; an unknown key is an error.
//
//   version = 3                           # rule set version (integer >= 0; default 0)
//
//   [selectivity.advanced-certified]      # one per selectivity class (customs: credit
//   red = 0.2                             # tier); a missing class selects nothing
//   yellow = 0.5                          # at random. red + yellow <= 100.
//   min-random = 0.5
//
//   [[risk-parameter]]
//   id = "RP-0001"                        # required, unique
//   level = 1                             # 1 everywhere (default), 2 one scope
//   district = ""                         # level 2: the scope, two digits ("22"); level 1: empty
//   lane = "red"                          # required: green, yellow, red
//   percent = 100.0                       # share of hits selected (default 100)
//   reason = "..."                        # shown to officers
//   valuation-evidence = false            # tax parameter: sample/images before release
//   [risk-parameter.when]                 # every key given must hold (AND)
//   hs-prefixes = ["0306"]                # 2..10 digits; item HS starts with one
//   origins = ["VN"]                      # ISO alpha-2; item origin is one of them
//   tiers = ["discredited"]               # selectivity class names (credit tiers)
//   enterprises = ["91310000MA1K000001"]
//   transport-documents = ["COSU123456"]  # B/L or AWB numbers
//   price = "below"                       # "below" | "above" | "outside" the reference
//   min-kg-per-unit = 0.0                 # item kg per unit >= this
//   max-kg-per-unit = 0.0                 # item kg per unit <= this
//   prohibited = true                     # item on the prohibited list
//   restricted = true                     # item on the restricted list
//   min-prior-violations = 1              # enterprise's post-release findings >= this
//   ruling-deviation = true               # an item deviates from an advance ruling
//   direction = "import"                  # "import" | "export"
//
// Item-level keys (hs-prefixes, origins, price, *-kg-per-unit, prohibited, restricted)
// must all hold for one same goods item.

namespace {

/// "section.key" (or "key" at the root).
std::string full(const std::string& section, std::string_view key) {
  return section.empty() ? std::string{key} : section + "." + std::string{key};
}

caf::error read_int(const toml::table& tbl, const std::string& section, std::string_view key,
                    int64_t& out, int64_t min, int64_t max) {
  auto v = out;
  RISK_TRY(read(tbl, section, key, v));
  if (v < min || v > max)
    return config_error(full(section, key),
                        "must be between " + std::to_string(min) + " and " + std::to_string(max),
                        where(tbl, key));
  out = v;
  return caf::none;
}

caf::error read_kg(const toml::table& tbl, const std::string& section, std::string_view key,
                   std::optional<double>& out) {
  if (tbl.get(key) == nullptr)
    return caf::none;
  double v = 0;
  RISK_TRY(read(tbl, section, key, v));
  if (!std::isfinite(v) || v < 0)
    return config_error(full(section, key), "must be a number >= 0", where(tbl, key));
  out = v;
  return caf::none;
}

caf::error read_percent(const toml::table& tbl, const std::string& section,
                        std::string_view key, ppm& out) {
  if (tbl.get(key) == nullptr)
    return caf::none;
  double v = 0;
  RISK_TRY(read(tbl, section, key, v));
  auto x = percent_ppm(v);
  if (!x)
    return config_error(full(section, key),
                        "must be a percentage between 0 and 100 with at most 4 decimals",
                        where(tbl, key));
  out = *x;
  return caf::none;
}

caf::error read_condition(const toml::table& tbl, const std::string& section,
                          const vocabulary& words, condition& c) {
  RISK_TRY(no_unknown_keys(tbl, section,
                           {"hs-prefixes", "origins", "tiers", "enterprises",
                            "transport-documents", "price", "min-kg-per-unit",
                            "max-kg-per-unit", "prohibited", "restricted",
                            "min-prior-violations", "ruling-deviation", "direction"}));
  auto bad = [&](std::string_view key, const std::string& what) {
    return config_error(full(section, key), what, where(tbl, key));
  };
  RISK_TRY(read_string_list(tbl, section, "hs-prefixes", c.hs_prefixes));
  for (auto& p : c.hs_prefixes)
    if (p.size() < 2 || p.size() > 10 || !all_digits(p))
      return bad("hs-prefixes", "\"" + p + "\" is not an HS prefix of 2 to 10 digits");
  RISK_TRY(read_string_list(tbl, section, "origins", c.origins));
  for (auto& o : c.origins)
    if (o.size() != 2 || !std::isupper(static_cast<unsigned char>(o[0]))
        || !std::isupper(static_cast<unsigned char>(o[1])))
      return bad("origins", "\"" + o + "\" is not an ISO 3166-1 alpha-2 code");
  std::vector<std::string> tiers;
  RISK_TRY(read_string_list(tbl, section, "tiers", tiers));
  for (auto& t : tiers)
    if (!known_class(words, t))
      return bad("tiers", "\"" + t + "\" is " + not_one_of(words));
  c.classes = std::move(tiers);
  RISK_TRY(read_string_list(tbl, section, "enterprises", c.enterprises));
  RISK_TRY(read_string_list(tbl, section, "transport-documents", c.transport_documents));
  if (tbl.get("price") != nullptr) {
    std::string price;
    RISK_TRY(read(tbl, section, "price", price));
    if (price == "below")
      c.price_position = -1;
    else if (price == "above")
      c.price_position = 1;
    else if (price == "outside")
      c.price_position = 0;
    else
      return bad("price", "\"" + price + "\" is not one of below, above, outside");
  }
  RISK_TRY(read_kg(tbl, section, "min-kg-per-unit", c.min_kg_per_unit));
  RISK_TRY(read_kg(tbl, section, "max-kg-per-unit", c.max_kg_per_unit));
  if (c.min_kg_per_unit && c.max_kg_per_unit && *c.min_kg_per_unit > *c.max_kg_per_unit)
    return bad("max-kg-per-unit", "is below min-kg-per-unit");
  RISK_TRY(read(tbl, section, "prohibited", c.prohibited));
  RISK_TRY(read(tbl, section, "restricted", c.restricted));
  int64_t violations = 0;
  RISK_TRY(read_int(tbl, section, "min-prior-violations", violations, 0, UINT32_MAX));
  c.min_prior_violations = static_cast<uint32_t>(violations);
  RISK_TRY(read(tbl, section, "ruling-deviation", c.ruling_deviation));
  if (tbl.get("direction") != nullptr) {
    std::string direction;
    RISK_TRY(read(tbl, section, "direction", direction));
    if (direction == "import")
      c.import_only = true;
    else if (direction == "export")
      c.export_only = true;
    else
      return bad("direction", "\"" + direction + "\" is not one of import, export");
  }
  return caf::none;
}

caf::error read_parameter(const toml::table& tbl, const std::string& section,
                          const vocabulary& words, risk_parameter& p) {
  RISK_TRY(no_unknown_keys(tbl, section, {"id", "level", "district", "lane", "percent",
                                          "reason", "valuation-evidence", "when"}));
  auto bad = [&](std::string_view key, const std::string& what) {
    return config_error(full(section, key), what, where(tbl, key));
  };
  RISK_TRY(read(tbl, section, "id", p.id));
  if (p.id.empty())
    return bad("id", "missing");
  int64_t level = 1;
  RISK_TRY(read_int(tbl, section, "level", level, 1, 2));
  p.level = static_cast<int>(level);
  RISK_TRY(read(tbl, section, "district", p.scope));
  if (p.level == 2 && (p.scope.size() != 2 || !all_digits(p.scope)))
    return bad("district", "level 2 needs a 2-digit district such as \"22\"");
  if (p.level == 1 && !p.scope.empty())
    return bad("district", "level 1 (national) takes no district");
  if (tbl.get("lane") == nullptr)
    return bad("lane", "missing (green, yellow or red)");
  std::string lane_name;
  RISK_TRY(read(tbl, section, "lane", lane_name));
  auto l = lane_from_string(lane_name);
  if (!l)
    return bad("lane", "\"" + lane_name + "\" is not one of green, yellow, red");
  p.lane = *l;
  RISK_TRY(read_percent(tbl, section, "percent", p.probability));
  RISK_TRY(read(tbl, section, "reason", p.reason));
  RISK_TRY(read(tbl, section, "valuation-evidence", p.valuation_evidence));
  if (auto* when = tbl.get("when")) {
    auto* wt = when->as_table();
    if (wt == nullptr)
      return bad("when", "expected a table");
    RISK_TRY(read_condition(*wt, section + ".when", words, p.when));
  }
  return caf::none;
}

caf::expected<rule_set> read_rule_set(const toml::table& root, const vocabulary& words) {
  rule_set out;
  RISK_TRY(no_unknown_keys(root, "", {"version", "selectivity", "risk-parameter"}));
  int64_t version = 0;
  RISK_TRY(read_int(root, "", "version", version, 0, INT64_MAX));
  out.version = static_cast<uint64_t>(version);
  caf::error err;
  if (auto* sel = sub_table(root, "selectivity", err)) {
    for (auto&& [name, node] : *sel) {
      std::string section = "selectivity." + std::string{name.str()};
      if (!known_class(words, std::string{name.str()}))
        return config_error(section, not_one_of(words), where(node));
      auto* tt = node.as_table();
      if (tt == nullptr)
        return config_error(section, "expected a table", where(node));
      RISK_TRY(no_unknown_keys(*tt, section, {"red", "yellow", "min-random"}));
      class_selectivity s;
      RISK_TRY(read_percent(*tt, section, "red", s.red));
      RISK_TRY(read_percent(*tt, section, "yellow", s.yellow));
      RISK_TRY(read_percent(*tt, section, "min-random", s.min_random));
      if (s.red + s.yellow > one_ppm)
        return config_error(section, "red + yellow exceed 100 %", where(node));
      out.selectivity[std::string{name.str()}] = s;
    }
  }
  RISK_TRY(err);
  if (auto* node = root.get("risk-parameter")) {
    auto* arr = node->as_array();
    if (arr == nullptr || !arr->is_array_of_tables())
      return config_error("risk-parameter", "expected [[risk-parameter]] tables", where(*node));
    std::set<std::string> ids;
    for (size_t i = 0; i < arr->size(); ++i) {
      auto& tbl = *arr->get(i)->as_table();
      std::string section = "risk-parameter[" + std::to_string(i) + "]";
      risk_parameter p;
      RISK_TRY(read_parameter(tbl, section, words, p));
      if (!ids.insert(p.id).second)
        return config_error(section + ".id", "\"" + p.id + "\" is used twice",
                            where(tbl, "id"));
      out.parameters.push_back(std::move(p));
    }
  }
  return out;
}

} // namespace

caf::expected<rule_set> parse_rule_set_toml(const std::string& text, const std::string& origin,
                                            const vocabulary& words) {
  toml::table root;
  try {
    root = toml::parse(text, origin);
  } catch (const toml::parse_error& e) {
    return caf::make_error(ec::invalid_config,
                           origin + ": " + std::string{e.description()} + " (line "
                             + std::to_string(e.source().begin.line) + ")");
  }
  auto out = read_rule_set(root, words);
  if (!out) // name the file, as the parse error does
    return caf::make_error(ec::invalid_config, origin + ": " + context_text(out.error()));
  return out;
}

#undef RISK_TRY

} // namespace hub::risk
