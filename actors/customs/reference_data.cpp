#include "actors/customs/reference_data.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <set>

#include "actors/core/error.hpp"
#include "actors/core/toml_read.hpp"

namespace hub::customs {

// ---- lookups ---------------------------------------------------------------

bool contains_ci(std::string_view text, std::string_view part) {
  if (part.empty() || part.size() > text.size())
    return false;
  auto eq = [](char a, char b) {
    return std::tolower(static_cast<unsigned char>(a))
           == std::tolower(static_cast<unsigned char>(b));
  };
  return std::search(text.begin(), text.end(), part.begin(), part.end(), eq) != text.end();
}

namespace {

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && s.compare(0, prefix.size(), prefix) == 0;
}

template <class T>
const T* longest_prefix(const std::vector<T>& rows, std::string_view hs) {
  const T* best = nullptr;
  for (auto& row : rows)
    if (starts_with(hs, row.hs_prefix)
        && (best == nullptr || row.hs_prefix.size() > best->hs_prefix.size()))
      best = &row;
  return best;
}

} // namespace

const tariff_line* reference_data::line(std::string_view hs) const {
  auto i = tariff.find(hs);
  return i == tariff.end() ? nullptr : &i->second;
}

const reference_price* reference_data::price_for(std::string_view hs) const {
  return longest_prefix(prices, hs);
}

const restriction* reference_data::restriction_for(std::string_view hs) const {
  return longest_prefix(restrictions, hs);
}

const precedent* reference_data::precedent_for(std::string_view description) const {
  for (auto& p : precedents)
    if (contains_ci(description, p.keyword))
      return &p;
  return nullptr;
}

caf::expected<cents> reference_data::to_cny(cents amount, std::string_view currency) const {
  auto i = cny_micro.find(currency);
  if (i != cny_micro.end())
    return convert(amount, i->second);
  if (currency == "CNY")
    return amount;
  std::string known;
  for (auto& [code, rate] : cny_micro)
    known += (known.empty() ? "" : ", ") + code;
  return caf::make_error(ec::unknown_currency,
                         "currency \"" + std::string{currency}
                             + "\" has no exchange rate to CNY (rates exist for: "
                             + (known.empty() ? std::string{"CNY only"} : known) + ")");
}

// ---- loading (strict, with the shared readers of actors/core/toml_read.hpp) ---------

namespace {

// Errors are "key: what (line N)"; load_reference_data prefixes "<dir>/<file>: ".

caf::error fail(const std::string& key, const std::string& what, const toml::node& node) {
  return config_error(key, what, where(node));
}

#define TRY(expr)                                                                                  \
  if (auto err_ = (expr))                                                                          \
    return err_;

/// A string key; `required` ones must be present and non-empty.
caf::error read_string(const toml::table& tbl, const std::string& section, std::string_view key,
                       std::string& out, bool required) {
  if (required && tbl.get(key) == nullptr)
    return fail(section + "." + std::string{key}, "missing", tbl);
  TRY(read(tbl, section, key, out));
  if (required && out.empty())
    return fail(section + "." + std::string{key}, "must not be empty", *tbl.get(key));
  return caf::none;
}

/// A percentage written as 13, 13.0 or 0.5.
caf::error read_percent(const toml::table& tbl, const std::string& section, std::string_view key,
                        ppm& out, bool required, ppm below = one_ppm + 1) {
  auto full = section + "." + std::string{key};
  const toml::node* node = tbl.get(key);
  if (node == nullptr)
    return required ? fail(full, "missing", tbl) : caf::none;
  double v = 0;
  if (node->is_integer())
    v = static_cast<double>(*node->value<int64_t>());
  else if (node->is_floating_point())
    v = *node->value<double>();
  else
    return fail(full, "expected a percentage such as 13 or 0.5", *node);
  auto p = percent_to_ppm(v);
  if (!p)
    return fail(full, context_text(p.error()), *node);
  if (*p >= below)
    return fail(full, "must be below " + format_percent(below), *node);
  out = *p;
  return caf::none;
}

/// An amount in CNY written as a string ("1500.00") or an integer (1500); never a float.
caf::error read_amount(const toml::table& tbl, const std::string& section, std::string_view key,
                       cents& out) {
  auto full = section + "." + std::string{key};
  const toml::node* node = tbl.get(key);
  if (node == nullptr)
    return fail(full, "missing", tbl);
  if (node->is_integer()) {
    auto v = *node->value<int64_t>();
    if (v < 0 || v > 999'999'999'999'999)
      return fail(full, "amount out of range", *node);
    out = v * 100;
    return caf::none;
  }
  if (node->is_string()) {
    auto v = parse_amount(*node->value<std::string>());
    if (!v)
      return fail(full, context_text(v.error()), *node);
    out = *v;
    return caf::none;
  }
  return fail(full, "expected an amount as a string such as \"12.50\" or an integer", *node);
}

/// A date (2027-12-31: valid through that day, UTC) or a date-time with an offset, as
/// Unix ms of the first instant no longer valid.
caf::error read_until(const toml::table& tbl, const std::string& section, std::string_view key,
                      int64_t& out) {
  auto full = section + "." + std::string{key};
  const toml::node* node = tbl.get(key);
  if (node == nullptr)
    return caf::none;
  toml::date d{};
  toml::time t{};
  int64_t offset_min = 0;
  int64_t extra_days = 0;
  if (node->is_date()) {
    d = *node->value<toml::date>();
    extra_days = 1; // through the end of that day
  } else if (node->is_date_time()) {
    auto dt = *node->value<toml::date_time>();
    if (!dt.offset)
      return fail(full, "give the time zone (e.g. Z or +08:00)", *node);
    d = dt.date;
    t = dt.time;
    offset_min = dt.offset->minutes;
  } else {
    return fail(full, "expected a date such as 2027-12-31", *node);
  }
  // Days from civil (Howard Hinnant's algorithm).
  int y = d.year - (d.month <= 2 ? 1 : 0);
  int era = (y >= 0 ? y : y - 399) / 400;
  unsigned yoe = static_cast<unsigned>(y - era * 400);
  unsigned mp = (d.month + 9u) % 12u;
  unsigned doy = (153 * mp + 2) / 5 + d.day - 1;
  unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  int64_t days =
      static_cast<int64_t>(era) * 146097 + static_cast<int64_t>(doe) - 719468 + extra_days;
  int64_t secs = days * 86400 + t.hour * 3600 + t.minute * 60 + t.second - offset_min * 60;
  out = secs * 1000 + t.nanosecond / 1000000;
  return caf::none;
}

/// The rows of `[[key]]` (or `key = [ { ... }, ... ]`).
caf::error rows(const toml::table& root, std::string_view key, std::vector<const toml::table*>& out,
                bool required) {
  const toml::node* node = root.get(key);
  if (node == nullptr)
    return required ? fail(std::string{key},
                           "missing (expected [[" + std::string{key} + "]] tables)", root)
                    : caf::none;
  auto* arr = node->as_array();
  if (arr == nullptr)
    return fail(std::string{key}, "expected an array of tables", *node);
  for (auto& el : *arr) {
    auto* tbl = el.as_table();
    if (tbl == nullptr)
      return fail(std::string{key}, "expected an array of tables", el);
    out.push_back(tbl);
  }
  return caf::none;
}

bool all_digits(std::string_view s) {
  return !s.empty()
         && std::all_of(s.begin(), s.end(), [](char ch) { return ch >= '0' && ch <= '9'; });
}

bool upper_alnum(std::string_view s, size_t min, size_t max) {
  return s.size() >= min && s.size() <= max && std::all_of(s.begin(), s.end(), [](char ch) {
           return (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9');
         });
}

bool upper_alpha(std::string_view s, size_t len) {
  return s.size() == len
         && std::all_of(s.begin(), s.end(), [](char ch) { return ch >= 'A' && ch <= 'Z'; });
}

caf::error check_hs(const std::string& key, const std::string& hs, const toml::node& node,
                    bool full_code) {
  if (full_code ? (hs.size() != 10 || !all_digits(hs))
                : (hs.size() < 2 || hs.size() > 10 || !all_digits(hs)))
    return fail(key,
                "\"" + hs + "\" is not "
                    + (full_code ? "a 10-digit HS code" : "an HS prefix of 2 to 10 digits"),
                node);
  return caf::none;
}

/// A 10-digit code given in another file must be a tariff line.
caf::error check_in_tariff(const reference_data& ref, const std::string& key, const std::string& hs,
                           const toml::node& node) {
  if (hs.size() == 10 && ref.line(hs) == nullptr)
    return fail(key, "HS " + hs + " is not a line of tariff.toml", node);
  return caf::none;
}

caf::expected<toml::table> parse_file(const std::string& path) {
  auto text = read_file(path);
  if (!text)
    return std::move(text.error());
  try {
    return toml::parse(*text, path);
  } catch (const toml::parse_error& e) {
    return caf::make_error(ec::invalid_config, path + ": " + std::string{e.description()}
                                                   + " (line "
                                                   + std::to_string(e.source().begin.line) + ")");
  }
}

caf::error load_tariff(const toml::table& root, reference_data& ref) {
  TRY(no_unknown_keys(root, "", {"line"}));
  std::vector<const toml::table*> tbls;
  TRY(rows(root, "line", tbls, true));
  for (size_t i = 0; i < tbls.size(); ++i) {
    auto& t = *tbls[i];
    auto sec = "line[" + std::to_string(i) + "]";
    tariff_line l;
    TRY(read_string(t, sec, "hs", l.hs, true));
    TRY(check_hs(sec + ".hs", l.hs, *t.get("hs"), true));
    sec = "line[" + std::to_string(i) + "] (HS " + l.hs + ")";
    TRY(no_unknown_keys(t, sec, {"hs", "description", "unit", "mfn", "vat", "ct", "preferential"}));
    TRY(read_string(t, sec, "description", l.description, true));
    TRY(read_string(t, sec, "unit", l.unit, true));
    if (!upper_alnum(l.unit, 2, 3))
      return fail(sec + ".unit",
                  "\"" + l.unit + "\" is not a UN/ECE Rec. 20 unit code such as KGM or PCE",
                  *t.get("unit"));
    TRY(read_percent(t, sec, "mfn", l.mfn_duty, true));
    TRY(read_percent(t, sec, "vat", l.vat, true));
    TRY(read_percent(t, sec, "ct", l.consumption_tax, false, one_ppm));
    if (auto* pref = t.get("preferential")) {
      auto* ptbl = pref->as_table();
      if (ptbl == nullptr)
        return fail(sec + ".preferential", "expected a table such as { RCEP = 0.0 }", *pref);
      for (auto&& [agreement, rate] : *ptbl) {
        std::string name{agreement.str()};
        ppm p = 0;
        TRY(read_percent(*ptbl, sec + ".preferential", name, p, true));
        l.preferential.emplace(name, p);
      }
    }
    if (ref.tariff.count(l.hs) != 0)
      return fail(sec + ".hs", "HS " + l.hs + " is listed twice", *t.get("hs"));
    auto hs = l.hs;
    ref.tariff.emplace(hs, std::move(l));
  }
  return caf::none;
}

caf::error load_rates(const toml::table& root, reference_data& ref) {
  TRY(no_unknown_keys(root, "", {"cny-per-unit"}));
  auto* node = root.get("cny-per-unit");
  if (node == nullptr)
    return fail("cny-per-unit", "missing (expected a [cny-per-unit] table)", root);
  auto* tbl = node->as_table();
  if (tbl == nullptr)
    return fail("cny-per-unit", "expected a table", *node);
  for (auto&& [key, val] : *tbl) {
    std::string code{key.str()};
    auto full = "cny-per-unit." + code;
    if (!upper_alpha(code, 3))
      return fail(full, "\"" + code + "\" is not an ISO 4217 currency code", val);
    double v = 0;
    if (val.is_integer())
      v = static_cast<double>(*val.value<int64_t>());
    else if (val.is_floating_point())
      v = *val.value<double>();
    else
      return fail(full, "expected a number of CNY per unit such as 7.1", val);
    double micro = v * 1e6;
    if (!std::isfinite(v) || v <= 0 || micro > 1e12)
      return fail(full, "must be a positive number of CNY per unit", val);
    if (std::fabs(micro - std::round(micro)) > 1e-3)
      return fail(full, "has more than 6 decimals", val);
    ref.cny_micro[code] = static_cast<int64_t>(std::llround(micro));
  }
  if (auto i = ref.cny_micro.find("CNY"); i != ref.cny_micro.end() && i->second != 1'000'000)
    return fail("cny-per-unit.CNY", "must be 1", *tbl->get("CNY"));
  ref.cny_micro["CNY"] = 1'000'000;
  return caf::none;
}

caf::error load_restricted(const toml::table& root, reference_data& ref) {
  TRY(no_unknown_keys(root, "", {"prohibited", "restricted"}));
  for (bool prohibited : {true, false}) {
    std::string key = prohibited ? "prohibited" : "restricted";
    std::vector<const toml::table*> tbls;
    TRY(rows(root, key, tbls, false));
    for (size_t i = 0; i < tbls.size(); ++i) {
      auto& t = *tbls[i];
      auto sec = key + "[" + std::to_string(i) + "]";
      TRY(prohibited ? no_unknown_keys(t, sec, {"hs-prefix", "reason"})
                     : no_unknown_keys(t, sec, {"hs-prefix", "licence", "reason"}));
      restriction r;
      r.prohibited = prohibited;
      TRY(read_string(t, sec, "hs-prefix", r.hs_prefix, true));
      TRY(check_hs(sec + ".hs-prefix", r.hs_prefix, *t.get("hs-prefix"), false));
      TRY(check_in_tariff(ref, sec + ".hs-prefix", r.hs_prefix, *t.get("hs-prefix")));
      TRY(read_string(t, sec, "reason", r.reason, true));
      if (!prohibited) {
        TRY(read_string(t, sec, "licence", r.licence_type, true));
      }
      ref.restrictions.push_back(std::move(r));
    }
  }
  return caf::none;
}

caf::error load_prices(const toml::table& root, reference_data& ref) {
  TRY(no_unknown_keys(root, "", {"price"}));
  std::vector<const toml::table*> tbls;
  TRY(rows(root, "price", tbls, true));
  std::set<std::string> seen;
  for (size_t i = 0; i < tbls.size(); ++i) {
    auto& t = *tbls[i];
    auto sec = "price[" + std::to_string(i) + "]";
    TRY(no_unknown_keys(t, sec, {"hs-prefix", "unit", "min", "max"}));
    reference_price p;
    TRY(read_string(t, sec, "hs-prefix", p.hs_prefix, true));
    auto& hs_node = *t.get("hs-prefix");
    TRY(check_hs(sec + ".hs-prefix", p.hs_prefix, hs_node, false));
    if (p.hs_prefix.size() < 4)
      return fail(sec + ".hs-prefix", "give at least 4 digits (a heading)", hs_node);
    TRY(check_in_tariff(ref, sec + ".hs-prefix", p.hs_prefix, hs_node));
    if (!seen.insert(p.hs_prefix).second)
      return fail(sec + ".hs-prefix", p.hs_prefix + " is listed twice", hs_node);
    TRY(read_string(t, sec, "unit", p.unit, true));
    // Unit values are only comparable in the statutory unit of every line they cover.
    for (auto i2 = ref.tariff.lower_bound(p.hs_prefix);
         i2 != ref.tariff.end() && starts_with(i2->first, p.hs_prefix); ++i2)
      if (i2->second.unit != p.unit)
        return fail(sec + ".unit",
                    "\"" + p.unit + "\" is not the tariff unit \"" + i2->second.unit + "\" of HS "
                        + i2->first + " which this prefix covers",
                    *t.get("unit"));
    TRY(read_amount(t, sec, "min", p.min_per_unit));
    TRY(read_amount(t, sec, "max", p.max_per_unit));
    if (p.min_per_unit <= 0 || p.max_per_unit < p.min_per_unit)
      return fail(sec, "needs 0 < min <= max", t);
    ref.prices.push_back(std::move(p));
  }
  return caf::none;
}

caf::error load_precedents(const toml::table& root, reference_data& ref) {
  TRY(no_unknown_keys(root, "", {"precedent"}));
  std::vector<const toml::table*> tbls;
  TRY(rows(root, "precedent", tbls, false));
  std::set<std::string> ids;
  for (size_t i = 0; i < tbls.size(); ++i) {
    auto& t = *tbls[i];
    auto sec = "precedent[" + std::to_string(i) + "]";
    TRY(no_unknown_keys(t, sec, {"id", "keyword", "hs", "note"}));
    precedent p;
    TRY(read_string(t, sec, "id", p.id, true));
    if (!ids.insert(p.id).second)
      return fail(sec + ".id", "\"" + p.id + "\" is listed twice", *t.get("id"));
    TRY(read_string(t, sec, "keyword", p.keyword, true));
    TRY(read_string(t, sec, "hs", p.hs, true));
    TRY(check_hs(sec + ".hs", p.hs, *t.get("hs"), true));
    TRY(check_in_tariff(ref, sec + ".hs", p.hs, *t.get("hs")));
    TRY(read_string(t, sec, "note", p.note, false));
    ref.precedents.push_back(std::move(p));
  }
  return caf::none;
}

caf::error load_certificates(const toml::table& root, reference_data& ref) {
  TRY(no_unknown_keys(root, "", {"certificate"}));
  std::vector<const toml::table*> tbls;
  TRY(rows(root, "certificate", tbls, false));
  for (size_t i = 0; i < tbls.size(); ++i) {
    auto& t = *tbls[i];
    auto sec = "certificate[" + std::to_string(i) + "]";
    TRY(no_unknown_keys(t, sec, {"number", "agreement", "country", "hs-prefixes", "valid-until"}));
    origin_certificate oc;
    TRY(read_string(t, sec, "number", oc.number, true));
    TRY(read_string(t, sec, "agreement", oc.agreement, true));
    TRY(read_string(t, sec, "country", oc.country, true));
    if (!upper_alpha(oc.country, 2))
      return fail(sec + ".country", "\"" + oc.country + "\" is not an ISO 3166-1 alpha-2 code",
                  *t.get("country"));
    TRY(read_string_list(t, sec, "hs-prefixes", oc.hs_prefixes));
    for (auto& p : oc.hs_prefixes) {
      TRY(check_hs(sec + ".hs-prefixes", p, *t.get("hs-prefixes"), false));
      TRY(check_in_tariff(ref, sec + ".hs-prefixes", p, *t.get("hs-prefixes")));
    }
    TRY(read_until(t, sec, "valid-until", oc.valid_until_ms));
    if (ref.certificates.count(oc.number) != 0)
      return fail(sec + ".number", "\"" + oc.number + "\" is listed twice", *t.get("number"));
    auto number = oc.number;
    ref.certificates.emplace(number, std::move(oc));
  }
  return caf::none;
}

} // namespace

caf::expected<reference_data> load_reference_data(const std::string& dir) {
  reference_data ref;
  using loader = caf::error (*)(const toml::table&, reference_data&);
  // The tariff first: the other files' 10-digit codes are checked against it.
  static constexpr std::pair<const char*, loader> files[] = {
      {"tariff.toml", load_tariff},         {"rates.toml", load_rates},
      {"restricted.toml", load_restricted}, {"prices.toml", load_prices},
      {"precedents.toml", load_precedents}, {"certificates.toml", load_certificates},
  };
  for (auto& [name, load] : files) {
    auto path = dir + "/" + name;
    auto root = parse_file(path);
    if (!root)
      return std::move(root.error());
    if (auto err = load(*root, ref))
      return caf::make_error(ec::invalid_config, path + ": " + context_text(err));
  }
  return ref;
}

} // namespace hub::customs
