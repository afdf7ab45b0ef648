#include "actors/customs/customs_config.hpp"

#include <algorithm>
#include <filesystem>

#include "actors/core/toml_read.hpp"

namespace hub::customs {

namespace {

#define TRY(expr)                                                                        \
  do {                                                                                   \
    if (auto err_ = (expr))                                                              \
      return err_;                                                                       \
  } while (false)

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

caf::error read_percent(const toml::table& tbl, const std::string& section, std::string_view key,
                        ppm& out) {
  double v = -1;
  TRY(read(tbl, section, key, v));
  if (v < 0)
    return caf::none;
  auto r = percent_to_ppm(v);
  if (!r)
    return config_error(section + "." + std::string{key}, "must be a percentage in [0, 100]",
                        where(tbl, key));
  out = *r;
  return caf::none;
}

caf::error read_tiers(const toml::table& tbl, const std::string& section, std::string_view key,
                      std::vector<tier>& out) {
  if (tbl.get(key) == nullptr)
    return caf::none;
  std::vector<std::string> names;
  TRY(read_string_list(tbl, section, key, names));
  out.clear();
  for (auto& n : names) {
    auto t = tier_from_string(n);
    if (!t)
      return config_error(section + "." + std::string{key}, "unknown tier \"" + n
                                                               + "\" (advanced-certified, general-certified, general-credit, discredited)",
                          where(tbl, key));
    out.push_back(*t);
  }
  return caf::none;
}

caf::error read_seconds(const toml::table& tbl, const std::string& section, std::string_view key,
                        std::chrono::milliseconds& out, int64_t scale_ms) {
  int64_t v = -1;
  TRY(read(tbl, section, key, v));
  if (tbl.get(key) == nullptr)
    return caf::none;
  if (v <= 0)
    return config_error(section + "." + std::string{key}, "must be > 0", where(tbl, key));
  out = std::chrono::milliseconds{v * scale_ms};
  return caf::none;
}

template <class F>
caf::error each_table(const toml::table& root, std::string_view key, F fn) {
  auto* node = root.get(key);
  if (node == nullptr)
    return caf::none;
  auto* arr = node->as_array();
  if (arr == nullptr)
    return config_error(std::string{key}, "expected an array of tables ([[" + std::string{key} + "]])",
                        where(*node));
  size_t i = 0;
  for (auto& el : *arr) {
    auto* t = el.as_table();
    auto section = std::string{key} + "[" + std::to_string(i) + "]";
    if (t == nullptr)
      return config_error(section, "expected a table", where(el));
    TRY(fn(*t, section));
    ++i;
  }
  return caf::none;
}

caf::error read_units(const toml::table& root, customs_config& cfg) {
  caf::error err;
  auto* org = sub_table(root, "organisation", err);
  TRY(err);
  if (org == nullptr)
    return config_error("organisation", "missing: the customs organisation is required", "line 1");
  TRY(no_unknown_keys(*org, "organisation", {"gacc", "unit"}));
  customs_unit gacc;
  gacc.kind = customs_unit::gacc;
  gacc.code = "0000";
  gacc.name = "General Administration of Customs";
  TRY(read(*org, "organisation", "gacc", gacc.name));
  cfg.units.emplace(gacc.code, gacc);
  return each_table(*org, "unit", [&](const toml::table& t, const std::string& s0) -> caf::error {
    auto s = "organisation." + s0;
    TRY(no_unknown_keys(t, s, {"code", "name", "kind", "parent"}));
    customs_unit u;
    std::string kind;
    TRY(read(t, s, "code", u.code));
    TRY(read(t, s, "name", u.name));
    TRY(read(t, s, "kind", kind));
    TRY(read(t, s, "parent", u.parent));
    auto line = "line " + std::to_string(t.source().begin.line);
    if (u.code.size() != 4 || !all_digits(u.code) || u.code == "0000")
      return config_error(s + ".code", "must be a 4-digit customs code other than 0000", line);
    if (kind == "direct") {
      u.kind = customs_unit::direct;
      if (u.code.substr(2) != "00")
        return config_error(s + ".code", "a direct customs code ends in 00", line);
      u.parent = "0000";
    } else if (kind == "port" || kind == "inland") {
      u.kind = kind == "port" ? customs_unit::port : customs_unit::inland;
      if (u.code.substr(2) == "00")
        return config_error(s + ".code", "a subordinate customs code does not end in 00", line);
      if (u.parent.empty())
        u.parent = u.code.substr(0, 2) + "00";
      if (u.parent != u.code.substr(0, 2) + "00")
        return config_error(s + ".parent", "must be the direct customs " + u.code.substr(0, 2) + "00",
                            line);
    } else {
      return config_error(s + ".kind", "must be direct, port or inland", line);
    }
    if (!cfg.units.emplace(u.code, u).second)
      return config_error(s + ".code", "duplicate unit " + u.code, line);
    return caf::none;
  });
}

caf::error read_chapters(const toml::table& t, const std::string& s, tax_centre_config& c) {
  std::vector<std::string> ranges;
  TRY(read_string_list(t, s, "chapters", ranges));
  for (auto& r : ranges) {
    auto dash = r.find('-');
    auto a = r.substr(0, dash), b = dash == std::string::npos ? a : r.substr(dash + 1);
    if (a.size() != 2 || b.size() != 2 || !all_digits(a) || !all_digits(b) || a > b || a == "00")
      return config_error(s + ".chapters", "\"" + r + "\" is not a chapter range like \"84-85\"",
                          where(t, "chapters"));
    c.chapters.emplace_back(std::stoi(a), std::stoi(b));
  }
  if (c.chapters.empty())
    return config_error(s + ".chapters", "missing", where(t, "chapters"));
  return caf::none;
}

caf::error read_enterprise(const toml::table& t, const std::string& s, customs_config& cfg) {
  TRY(no_unknown_keys(t, s, {"code", "name", "tier", "tier-history", "guarantee", "inland-customs",
                             "party"}));
  enterprise_config e;
  std::string tier_name, guarantee;
  TRY(read(t, s, "code", e.code));
  TRY(read(t, s, "name", e.name));
  TRY(read(t, s, "tier", tier_name));
  TRY(read(t, s, "guarantee", guarantee));
  TRY(read(t, s, "inland-customs", e.inland_customs));
  TRY(read(t, s, "party", e.party));
  auto line = "line " + std::to_string(t.source().begin.line);
  if (e.code.empty())
    return config_error(s + ".code", "missing", line);
  if (!guarantee.empty()) {
    auto g = parse_amount(guarantee);
    if (!g)
      return config_error(s + ".guarantee", "must be a CNY amount like \"200000.00\"", line);
    e.guarantee = *g;
  }
  // tier-history = [["2019-01-01", "general-credit"], ["2024-06-01", "advanced-certified"]]
  if (auto* hist = t.get("tier-history")) {
    auto* arr = hist->as_array();
    if (arr == nullptr)
      return config_error(s + ".tier-history", "expected [[\"YYYY-MM-DD\", \"tier\"], ...]", line);
    for (auto& el : *arr) {
      auto* pair = el.as_array();
      if (pair == nullptr || pair->size() != 2 || !(*pair)[0].is_string() || !(*pair)[1].is_string())
        return config_error(s + ".tier-history", "expected [\"YYYY-MM-DD\", \"tier\"] pairs", where(el));
      auto from = parse_date_ms(*(*pair)[0].value<std::string>());
      auto tr = tier_from_string(*(*pair)[1].value<std::string>());
      if (!from || !tr)
        return config_error(s + ".tier-history", "bad date or tier name", where(el));
      e.tiers.emplace_back(*from, *tr);
    }
    std::sort(e.tiers.begin(), e.tiers.end(),
              [](auto& a, auto& b) { return a.first < b.first; });
  } else {
    auto tr = tier_from_string(tier_name.empty() ? "general-credit" : tier_name);
    if (!tr)
      return config_error(s + ".tier", "unknown tier \"" + tier_name + "\"", line);
    e.tiers.emplace_back(0, *tr);
  }
  if (!e.inland_customs.empty()) {
    auto* u = cfg.unit(e.inland_customs);
    if (u == nullptr || u->kind != customs_unit::inland)
      return config_error(s + ".inland-customs", e.inland_customs + " is not an inland customs unit", line);
  }
  if (!cfg.enterprises.emplace(e.code, e).second)
    return config_error(s + ".code", "duplicate enterprise " + e.code, line);
  return caf::none;
}

std::string resolve(const std::string& base, const std::string& p) {
  if (p.empty() || p.front() == '/')
    return p;
  return (std::filesystem::path{base} / p).lexically_normal().string();
}

} // namespace

const char* to_string(customs_unit::kind_t x) {
  switch (x) {
    case customs_unit::gacc: return "gacc";
    case customs_unit::direct: return "direct";
    case customs_unit::port: return "port";
    case customs_unit::inland: return "inland";
  }
  return "?";
}

bool tax_centre_config::covers(std::string_view hs) const {
  if (hs.size() < 2 || !all_digits(hs.substr(0, 2)))
    return false;
  int ch = (hs[0] - '0') * 10 + (hs[1] - '0');
  for (auto& [a, b] : chapters)
    if (ch >= a && ch <= b)
      return true;
  return false;
}

tier enterprise_config::tier_at(int64_t ms) const {
  tier t = tier::general_credit;
  for (auto& [from, tr] : tiers)
    if (from <= ms)
      t = tr;
  return t;
}

const customs_unit* customs_config::unit(std::string_view code) const {
  auto i = units.find(code);
  return i == units.end() ? nullptr : &i->second;
}

std::string customs_config::direct_of(std::string_view code) const {
  auto* u = unit(code);
  if (u == nullptr)
    return {};
  switch (u->kind) {
    case customs_unit::gacc:
    case customs_unit::direct: return u->code;
    default: return u->parent;
  }
}

const tax_centre_config* customs_config::centre_for(std::string_view hs) const {
  for (auto& c : tax_centres)
    if (c.covers(hs))
      return &c;
  return nullptr;
}

bool agency_config::may_see(std::string_view field) const {
  return std::find(fields.begin(), fields.end(), field) != fields.end();
}

const agency_config* customs_config::agency(std::string_view id) const {
  for (auto& a : agencies)
    if (a.id == id)
      return &a;
  return nullptr;
}

const agency_config* customs_config::agency_of_party(std::string_view party) const {
  for (auto& a : agencies)
    if (a.party == party)
      return &a;
  return nullptr;
}

const enterprise_config* customs_config::enterprise(std::string_view code) const {
  auto i = enterprises.find(code);
  return i == enterprises.end() ? nullptr : &i->second;
}

caf::expected<int64_t> parse_date_ms(std::string_view d) {
  if (d.size() != 10 || d[4] != '-' || d[7] != '-' || !all_digits(d.substr(0, 4))
      || !all_digits(d.substr(5, 2)) || !all_digits(d.substr(8, 2)))
    return caf::make_error(ec::invalid_config, "date \"" + std::string{d} + "\" is not YYYY-MM-DD");
  int y = std::stoi(std::string{d.substr(0, 4)}), m = std::stoi(std::string{d.substr(5, 2)}),
      day = std::stoi(std::string{d.substr(8, 2)});
  if (m < 1 || m > 12 || day < 1 || day > 31)
    return caf::make_error(ec::invalid_config, "date \"" + std::string{d} + "\" is not a date");
  // Days from civil (H. Hinnant's algorithm), UTC.
  y -= m <= 2;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * static_cast<unsigned>(m + (m > 2 ? -3 : 9)) + 2) / 5
                       + static_cast<unsigned>(day) - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  int64_t days = int64_t{era} * 146097 + static_cast<int64_t>(doe) - 719468;
  return days * 86400 * 1000;
}

caf::expected<customs_config> parse_customs_config(const std::string& text, const std::string& origin,
                                                   const std::string& base_dir) {
  toml::table root;
  try {
    root = toml::parse(text, origin);
  } catch (const toml::parse_error& e) {
    return caf::make_error(ec::invalid_config, origin + ": " + std::string{e.description()}
                                                 + " (line " + std::to_string(e.source().begin.line) + ")");
  }
  customs_config cfg;
  cfg.source = origin;
  TRY(no_unknown_keys(root, "", {"reference-dir", "risk-parameters", "organisation", "tax-centre",
                                 "enterprise", "agency", "routing", "release", "audit", "credit",
                                 "disclosure"}));
  std::string ref = "reference", risk = "risk-parameters.toml";
  TRY(read(root, "", "reference-dir", ref));
  TRY(read(root, "", "risk-parameters", risk));
  cfg.reference_dir = resolve(base_dir, ref);
  cfg.risk_file = resolve(base_dir, risk);
  TRY(read_units(root, cfg));
  TRY(each_table(root, "tax-centre", [&](const toml::table& t, const std::string& s) -> caf::error {
    TRY(no_unknown_keys(t, s, {"id", "name", "chapters"}));
    tax_centre_config c;
    TRY(read(t, s, "id", c.id));
    TRY(read(t, s, "name", c.name));
    TRY(read_chapters(t, s, c));
    if (c.id.empty())
      return config_error(s + ".id", "missing", where(t, "id"));
    for (auto& o : cfg.tax_centres)
      for (auto& [a, b] : o.chapters)
        for (auto& [x, y] : c.chapters)
          if (!(y < a || x > b))
            return config_error(s + ".chapters", "overlaps tax centre " + o.id, where(t, "chapters"));
    cfg.tax_centres.push_back(std::move(c));
    return caf::none;
  }));
  TRY(each_table(root, "enterprise", [&](const toml::table& t, const std::string& s) {
    return read_enterprise(t, s, cfg);
  }));
  TRY(each_table(root, "agency", [&](const toml::table& t, const std::string& s) -> caf::error {
    TRY(no_unknown_keys(t, s, {"id", "name", "party", "licence-types", "deadline-s", "fields"}));
    agency_config a;
    TRY(read(t, s, "id", a.id));
    TRY(read(t, s, "name", a.name));
    TRY(read(t, s, "party", a.party));
    TRY(read_string_list(t, s, "licence-types", a.licence_types));
    TRY(read_seconds(t, s, "deadline-s", a.deadline, 1000));
    TRY(read_string_list(t, s, "fields", a.fields));
    static const std::vector<std::string> known{"hsCode", "description", "quantity", "unit", "originCountry",
                                                "netWeightKg", "customsValue", "enterprise", "transportDocuments"};
    for (auto& f : a.fields)
      if (std::find(known.begin(), known.end(), f) == known.end())
        return config_error(s + ".fields", "unknown field \"" + f + "\"", where(t, "fields"));
    auto line = "line " + std::to_string(t.source().begin.line);
    if (a.id.empty() || a.party.empty())
      return config_error(s, "an agency needs id and party", line);
    for (auto& o : cfg.agencies)
      if (o.id == a.id || o.party == a.party)
        return config_error(s + ".id", "agency " + a.id + " or its party is already listed", line);
    cfg.agencies.push_back(std::move(a));
    return caf::none;
  }));
  TRY(each_table(root, "routing", [&](const toml::table& t, const std::string& s) -> caf::error {
    TRY(no_unknown_keys(t, s, {"hs-prefixes", "regimes", "agencies"}));
    routing_rule r;
    TRY(read_string_list(t, s, "hs-prefixes", r.hs_prefixes));
    TRY(read_string_list(t, s, "regimes", r.regimes));
    TRY(read_string_list(t, s, "agencies", r.agencies));
    auto line = "line " + std::to_string(t.source().begin.line);
    if (r.hs_prefixes.empty() || r.agencies.empty())
      return config_error(s, "a routing rule needs hs-prefixes and agencies", line);
    for (auto& p : r.hs_prefixes)
      if (p.size() < 2 || p.size() > 10 || !all_digits(p))
        return config_error(s + ".hs-prefixes", "\"" + p + "\" is not 2 to 10 digits", line);
    for (auto& g : r.regimes)
      if (g != "import" && g != "export")
        return config_error(s + ".regimes", "\"" + g + "\" is not import or export", line);
    for (auto& a : r.agencies)
      if (cfg.agency(a) == nullptr)
        return config_error(s + ".agencies", "no [[agency]] with id \"" + a + "\"", line);
    cfg.routing.push_back(std::move(r));
    return caf::none;
  }));
  caf::error err;
  if (auto* t = sub_table(root, "release", err)) {
    TRY(no_unknown_keys(*t, "release", {"payment-deadline-days", "payment-deadline-s",
                                        "correction-window-days", "correction-window-s",
                                        "consolidated-tiers", "guarantee-tiers", "check-interval-s"}));
    TRY(read_seconds(*t, "release", "payment-deadline-days", cfg.release.payment_deadline, 86400000));
    TRY(read_seconds(*t, "release", "payment-deadline-s", cfg.release.payment_deadline, 1000));
    TRY(read_seconds(*t, "release", "correction-window-days", cfg.release.correction_window, 86400000));
    TRY(read_seconds(*t, "release", "correction-window-s", cfg.release.correction_window, 1000));
    TRY(read_seconds(*t, "release", "check-interval-s", cfg.release.check_interval, 1000));
    TRY(read_tiers(*t, "release", "consolidated-tiers", cfg.release.consolidated_tiers));
    TRY(read_tiers(*t, "release", "guarantee-tiers", cfg.release.guarantee_tiers));
  }
  TRY(err);
  if (auto* t = sub_table(root, "credit", err)) {
    TRY(no_unknown_keys(*t, "credit", {"violations-per-downgrade"}));
    int64_t n = cfg.credit.violations_per_downgrade;
    TRY(read(*t, "credit", "violations-per-downgrade", n));
    if (n < 0 || n > 1000)
      return config_error("credit.violations-per-downgrade", "must be 0 (never) to 1000",
                          where(*t, "violations-per-downgrade"));
    cfg.credit.violations_per_downgrade = static_cast<uint32_t>(n);
  }
  TRY(err);
  if (auto* t = sub_table(root, "disclosure", err)) {
    TRY(no_unknown_keys(*t, "disclosure", {"penalty-free-days", "penalty-free-days-if-small",
                                           "small-share-percent", "small-amount"}));
    auto& d = cfg.disclosure;
    TRY(read(*t, "disclosure", "penalty-free-days", d.free_days));
    TRY(read(*t, "disclosure", "penalty-free-days-if-small", d.free_days_if_small));
    TRY(read(*t, "disclosure", "small-share-percent", d.small_share_percent));
    std::string small;
    TRY(read(*t, "disclosure", "small-amount", small));
    if (!small.empty()) {
      auto a = parse_amount(small);
      if (!a || *a < 0)
        return config_error("disclosure.small-amount", "must be a CNY amount", where(*t, "small-amount"));
      d.small_amount = *a;
    }
    if (d.free_days < 0 || d.free_days > 3650 || d.free_days_if_small < d.free_days || d.free_days_if_small > 3650)
      return config_error("disclosure.penalty-free-days",
                          "0 to 3650 days, and penalty-free-days-if-small not below it", where(*t, "penalty-free-days"));
    if (d.small_share_percent < 0 || d.small_share_percent > 100)
      return config_error("disclosure.small-share-percent", "0 to 100", where(*t, "small-share-percent"));
  }
  TRY(err);
  if (auto* t = sub_table(root, "audit", err)) {
    TRY(no_unknown_keys(*t, "audit", {"batch-size", "interval-ms", "similar-deviation",
                                      "severe-undervaluation", "min-adjustment",
                                      "audit-after-findings"}));
    TRY(read_positive(*t, "audit", "batch-size", cfg.audit.batch_size, 100000));
    size_t interval = static_cast<size_t>(cfg.audit.interval.count());
    TRY(read_positive(*t, "audit", "interval-ms", interval, 86400000));
    cfg.audit.interval = std::chrono::milliseconds{interval};
    TRY(read_percent(*t, "audit", "similar-deviation", cfg.audit.policy.similar_deviation));
    TRY(read_percent(*t, "audit", "severe-undervaluation", cfg.audit.policy.severe_undervaluation));
    std::string min_adj;
    TRY(read(*t, "audit", "min-adjustment", min_adj));
    if (!min_adj.empty()) {
      auto a = parse_amount(min_adj);
      if (!a)
        return config_error("audit.min-adjustment", "must be a CNY amount", where(*t, "min-adjustment"));
      cfg.audit.policy.min_adjustment = *a;
    }
    size_t findings = cfg.audit.policy.audit_after_findings;
    TRY(read_positive(*t, "audit", "audit-after-findings", findings, 1000));
    cfg.audit.policy.audit_after_findings = static_cast<uint32_t>(findings);
  }
  TRY(err);
  if (cfg.tax_centres.empty())
    return config_error("tax-centre", "at least one tax centre is required", "line 1");
  return cfg;
}

caf::expected<customs_config> load_customs_config(const std::string& path) {
  auto text = read_file(path);
  if (!text)
    return text.error();
  auto base = std::filesystem::path{path}.parent_path().string();
  if (base.empty())
    base = ".";
  auto cfg = parse_customs_config(*text, path, base);
  if (!cfg)
    return cfg;
  auto risk_text = read_file(cfg->risk_file);
  if (!risk_text)
    return risk_text.error();
  auto rules = parse_rule_set_toml(*risk_text, cfg->risk_file);
  if (!rules)
    return rules.error();
  cfg->rules = std::move(*rules);
  return cfg;
}

} // namespace hub::customs
