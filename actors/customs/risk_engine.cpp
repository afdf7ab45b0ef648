#include "actors/customs/risk_engine.hpp"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cmath>
#include <cstring>
#include <set>
#include <unordered_map>

#include <nlohmann/json.hpp>
#include <openssl/evp.h>
#include "actors/core/error.hpp"
#include "actors/core/toml_read.hpp"
#include "actors/crypto/digest.hpp"

namespace hub::customs {

// ---- names -----------------------------------------------------------------------

const char* to_string(lane x) {
  switch (x) {
    case lane::green:
      return "green";
    case lane::yellow:
      return "yellow";
    case lane::red:
      return "red";
  }
  return "?";
}

std::optional<lane> lane_from_string(std::string_view s) {
  if (s == "green")
    return lane::green;
  if (s == "yellow")
    return lane::yellow;
  if (s == "red")
    return lane::red;
  return std::nullopt;
}

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

// ---- draw ------------------------------------------------------------------------
// SHA-256 through EVP with the algorithm fetched once and, within one evaluation, one
// reused context: about 0.12 us a draw instead of 0.7 us for hub::sha256 (implicit
// fetch and a fresh context per call), which matters with dozens of hits per
// declaration. The bytes hashed and the result are the same.

namespace {

const EVP_MD* sha256_md() {
  static EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr); // kept for the process
  return md != nullptr ? md : EVP_sha256();
}

class drawer {
public:
  drawer() : ctx_(EVP_MD_CTX_new()) {
  }
  ~drawer() {
    EVP_MD_CTX_free(ctx_);
  }
  drawer(const drawer&) = delete;
  drawer& operator=(const drawer&) = delete;

  ppm operator()(uint64_t seed, std::string_view label) {
    uint8_t be[8];
    for (int i = 0; i < 8; ++i)
      be[i] = static_cast<uint8_t>(seed >> (56 - 8 * i));
    uint8_t md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (ctx_ != nullptr && EVP_DigestInit_ex(ctx_, sha256_md(), nullptr) == 1
        && EVP_DigestUpdate(ctx_, be, sizeof be) == 1
        && EVP_DigestUpdate(ctx_, label.data(), label.size()) == 1
        && EVP_DigestFinal_ex(ctx_, md, &len) == 1 && len == 32)
      return reduce(md);
    // Not expected to happen; the shared helper computes the same digest.
    std::string buf(reinterpret_cast<const char*>(be), sizeof be);
    buf.append(label.data(), label.size());
    auto digest = hub::sha256(reinterpret_cast<const uint8_t*>(buf.data()), buf.size());
    return reduce(digest.data());
  }

private:
  static ppm reduce(const uint8_t* digest) {
    uint64_t v = 0;
    for (size_t i = 0; i < 8; ++i)
      v = (v << 8) | digest[i];
    // The modulo bias is below 1e6 / 2^64: irrelevant for selection rates.
    return static_cast<ppm>(v % static_cast<uint64_t>(one_ppm));
  }

  EVP_MD_CTX* ctx_;
};

} // namespace

ppm draw(uint64_t seed, std::string_view label) {
  return drawer{}(seed, label);
}

namespace {

// ---- helpers (money.cpp's are not used: this file stands alone) -------------------

/// "2", "0.5", "0.25" (ppm as a percentage, no trailing zeros).
std::string percent_text(ppm rate) {
  std::string out = rate < 0 ? "-" : "";
  uint64_t r = static_cast<uint64_t>(rate < 0 ? -rate : rate);
  out += std::to_string(r / 10000);
  auto frac = r % 10000;
  if (frac != 0) {
    std::string f = std::to_string(frac);
    f.insert(0, 4 - f.size(), '0');
    while (f.back() == '0')
      f.pop_back();
    out += "." + f;
  }
  return out + "%";
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

bool all_digits(std::string_view s) {
  return !s.empty()
         && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

/// Index key of a digit string of length 2..10: value * 16 + length.
uint64_t prefix_key(uint64_t value, size_t len) {
  return value * 16 + len;
}

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && s.compare(0, prefix.size(), prefix) == 0;
}

template <class T>
bool contains(const std::vector<T>& xs, const T& x) {
  return std::find(xs.begin(), xs.end(), x) != xs.end();
}

bool has_item_fields(const condition& c) {
  return !c.hs_prefixes.empty() || !c.origins.empty() || c.price_position
         || c.min_kg_per_unit || c.max_kg_per_unit || c.prohibited || c.restricted;
}

bool item_matches(const condition& c, const item_facts& item) {
  if (!c.hs_prefixes.empty()
      && std::none_of(c.hs_prefixes.begin(), c.hs_prefixes.end(),
                      [&](const std::string& p) { return starts_with(item.hs, p); }))
    return false;
  if (!c.origins.empty() && !contains(c.origins, item.origin))
    return false;
  if (c.price_position) {
    if (*c.price_position == 0 ? item.price_position == 0
                               : item.price_position != *c.price_position)
      return false;
  }
  if (c.min_kg_per_unit && !(item.kg_per_unit >= *c.min_kg_per_unit))
    return false;
  if (c.max_kg_per_unit && !(item.kg_per_unit <= *c.max_kg_per_unit))
    return false;
  if (c.prohibited && !item.prohibited)
    return false;
  if (c.restricted && !item.restricted)
    return false;
  return true;
}

bool matches(const condition& c, const declaration_facts& f) {
  if (c.import_only && !f.import)
    return false;
  if (c.export_only && f.import)
    return false;
  if (!c.tiers.empty() && !contains(c.tiers, f.credit))
    return false;
  if (!c.enterprises.empty() && !contains(c.enterprises, f.enterprise))
    return false;
  if (!c.transport_documents.empty()
      && std::none_of(f.transport_documents.begin(), f.transport_documents.end(),
                      [&](const std::string& d) { return contains(c.transport_documents, d); }))
    return false;
  if (c.min_prior_violations > 0 && f.prior_violations < c.min_prior_violations)
    return false;
  if (c.ruling_deviation && !f.ruling_deviation)
    return false;
  if (!has_item_fields(c))
    return true;
  // Item-level fields must all hold for one same item.
  return std::any_of(f.items.begin(), f.items.end(),
                     [&](const item_facts& it) { return item_matches(c, it); });
}

bool in_scope(int level, const std::string& district, const declaration_facts& f) {
  if (level != 2)
    return true;
  return !district.empty() && starts_with(f.customs_unit, district);
}

} // namespace

// ---- engine ----------------------------------------------------------------------

/// Candidate lookup. A rule is filed under the most selective field it has: its HS
/// prefixes (each item probes its prefixes of length 2..10), else its origins (each
/// item probes its origin), else its enterprises (the declaration's enterprise), else
/// it is checked for every declaration. Filing only narrows the candidates: every
/// candidate is then checked against its whole condition.
struct risk_engine::index {
  struct entry {
    bool instruction;
    uint32_t pos; // into rules_.instructions or rules_.parameters
  };
  /// Every rule in hit order: instructions by id, then parameters by id.
  std::vector<entry> order;
  /// HS prefix key (see prefix_key) -> positions in `order`.
  std::unordered_map<uint64_t, std::vector<uint32_t>> by_prefix;
  /// Origin "AA".."ZZ" as (c0 - 'A') * 26 + (c1 - 'A') -> positions in `order`.
  std::vector<std::vector<uint32_t>> by_origin = std::vector<std::vector<uint32_t>>(26 * 26);
  std::unordered_map<std::string, std::vector<uint32_t>> by_enterprise;
  /// Positions in `order` of rules that are checked for every declaration.
  std::vector<uint32_t> always;

  static int origin_key(std::string_view o) {
    if (o.size() != 2 || o[0] < 'A' || o[0] > 'Z' || o[1] < 'A' || o[1] > 'Z')
      return -1;
    return (o[0] - 'A') * 26 + (o[1] - 'A');
  }

  static void file(std::vector<uint32_t>& v, uint32_t o) {
    if (v.empty() || v.back() != o)
      v.push_back(o);
  }

  void add(uint32_t o, const condition& c) {
    auto hs_ok = [](const std::string& p) {
      return p.size() >= 2 && p.size() <= 10 && all_digits(p);
    };
    auto origin_ok = [](const std::string& x) { return origin_key(x) >= 0; };
    if (!c.hs_prefixes.empty() && std::all_of(c.hs_prefixes.begin(), c.hs_prefixes.end(), hs_ok)) {
      for (auto& p : c.hs_prefixes)
        file(by_prefix[prefix_key(std::stoull(p), p.size())], o);
    } else if (c.hs_prefixes.empty() && !c.origins.empty()
               && std::all_of(c.origins.begin(), c.origins.end(), origin_ok)) {
      for (auto& x : c.origins)
        file(by_origin[static_cast<size_t>(origin_key(x))], o);
    } else if (c.hs_prefixes.empty() && c.origins.empty() && !c.enterprises.empty()) {
      for (auto& x : c.enterprises)
        file(by_enterprise[x], o);
    } else {
      always.push_back(o);
    }
  }
};

risk_engine::risk_engine(rule_set rules)
  : rules_(std::move(rules)), index_(std::make_unique<index>()) {
  auto& idx = *index_;
  std::vector<uint32_t> ins(rules_.instructions.size()), par(rules_.parameters.size());
  for (uint32_t i = 0; i < ins.size(); ++i)
    ins[i] = i;
  for (uint32_t i = 0; i < par.size(); ++i)
    par[i] = i;
  std::stable_sort(ins.begin(), ins.end(), [&](uint32_t a, uint32_t b) {
    return rules_.instructions[a].id < rules_.instructions[b].id;
  });
  std::stable_sort(par.begin(), par.end(), [&](uint32_t a, uint32_t b) {
    return rules_.parameters[a].id < rules_.parameters[b].id;
  });
  idx.order.reserve(ins.size() + par.size());
  for (auto i : ins) {
    auto o = static_cast<uint32_t>(idx.order.size());
    idx.order.push_back({true, i});
    idx.add(o, rules_.instructions[i].when);
  }
  for (auto i : par) {
    auto o = static_cast<uint32_t>(idx.order.size());
    idx.order.push_back({false, i});
    idx.add(o, rules_.parameters[i].when);
  }
}

risk_engine::~risk_engine() = default;
risk_engine::risk_engine(risk_engine&&) noexcept = default;
risk_engine& risk_engine::operator=(risk_engine&&) noexcept = default;

const rule_set& risk_engine::rules() const {
  return rules_;
}

lane_decision risk_engine::evaluate(const declaration_facts& facts, uint64_t seed,
                                    int64_t at_ms) const {
  const auto& idx = *index_;
  // Candidates: the rules checked always, plus those filed under a prefix of an
  // item's HS code, an item's origin or the declaration's enterprise.
  std::vector<uint32_t> cand;
  cand.reserve(idx.always.size() + 32);
  cand.insert(cand.end(), idx.always.begin(), idx.always.end());
  auto add = [&](const std::vector<uint32_t>& v) { cand.insert(cand.end(), v.begin(), v.end()); };
  for (auto& item : facts.items) {
    if (!idx.by_prefix.empty()) {
      uint64_t value = 0;
      for (size_t len = 1; len <= std::min<size_t>(item.hs.size(), 10); ++len) {
        char c = item.hs[len - 1];
        if (c < '0' || c > '9')
          break;
        value = value * 10 + static_cast<uint64_t>(c - '0');
        if (len < 2)
          continue;
        auto it = idx.by_prefix.find(prefix_key(value, len));
        if (it != idx.by_prefix.end())
          add(it->second);
      }
    }
    if (auto k = index::origin_key(item.origin); k >= 0)
      add(idx.by_origin[static_cast<size_t>(k)]);
  }
  if (!idx.by_enterprise.empty())
    if (auto it = idx.by_enterprise.find(facts.enterprise); it != idx.by_enterprise.end())
      add(it->second);
  std::sort(cand.begin(), cand.end());
  cand.erase(std::unique(cand.begin(), cand.end()), cand.end());

  drawer draws; // one context for every draw of this evaluation
  lane_decision d;
  std::vector<ppm> probs; // each hit's probability, for the explanation
  d.seed = seed;
  d.rule_set_version = rules_.version;
  for (auto o : cand) {
    auto& e = idx.order[o];
    if (e.instruction) {
      auto& r = rules_.instructions[e.pos];
      if (!in_scope(r.level, r.district, facts) || at_ms < r.valid_from_ms
          || (r.valid_until_ms != 0 && at_ms >= r.valid_until_ms) || !matches(r.when, facts))
        continue;
      rule_hit h;
      h.id = r.id;
      h.instruction = true;
      h.lane = r.lane;
      h.draw = draws(seed, r.id);
      h.selected = h.draw < one_ppm; // instructions: probability 100 %
      h.reason = r.reason;
      d.hits.push_back(std::move(h));
      probs.push_back(one_ppm);
    } else {
      auto& r = rules_.parameters[e.pos];
      if (!in_scope(r.level, r.district, facts) || !matches(r.when, facts))
        continue;
      rule_hit h;
      h.id = r.id;
      h.lane = r.lane;
      h.draw = draws(seed, r.id);
      h.selected = h.draw < r.probability;
      h.reason = r.reason;
      if (h.selected && r.valuation_evidence)
        d.valuation_evidence = true;
      d.hits.push_back(std::move(h));
      probs.push_back(r.probability);
    }
  }

  // Random selectivity for the enterprise's tier.
  tier_selectivity sel;
  if (auto it = rules_.selectivity.find(facts.credit); it != rules_.selectivity.end())
    sel = it->second;
  d.random_draw = draws(seed, "selectivity");
  auto u = d.random_draw;
  if (u < sel.red)
    d.random_lane = lane::red;
  else if (u < sel.red + sel.yellow)
    d.random_lane = lane::yellow;
  else if (u < std::max(sel.red + sel.yellow, sel.min_random))
    d.random_lane = lane::yellow;
  else
    d.random_lane = lane::green;

  d.lane = d.random_lane;
  for (auto& h : d.hits)
    if (h.selected && h.lane > d.lane)
      d.lane = h.lane;

  // Explanation, one line.
  std::string x = to_string(d.lane);
  x += ": ";
  for (size_t i = 0; i < d.hits.size(); ++i) {
    auto& h = d.hits[i];
    auto p = probs[i];
    x += h.instruction ? "instruction " : "parameter ";
    x += h.id;
    if (!h.selected) {
      x += " hit but not selected (draw " + std::to_string(h.draw) + " >= " + std::to_string(p)
           + ")";
    } else {
      if (h.lane != d.lane)
        x += std::string{" -> "} + to_string(h.lane);
      std::string detail = h.reason;
      if (p < one_ppm)
        detail += (detail.empty() ? "" : "; ") + std::string{"draw "} + std::to_string(h.draw)
                  + " < " + std::to_string(p);
      if (!detail.empty())
        x += " (" + detail + ")";
    }
    x += "; ";
  }
  x += "random draw " + std::to_string(d.random_draw) + " -> " + to_string(d.random_lane)
       + " (tier " + to_string(facts.credit) + ": red " + percent_text(sel.red) + ", yellow "
       + percent_text(sel.yellow) + ", min random " + percent_text(sel.min_random) + ")";
  d.explanation = std::move(x);
  return d;
}

// ---- canonical JSON --------------------------------------------------------------
// Keys are the struct field names; nlohmann::json objects keep keys sorted and dump()
// is compact, so the text is canonical. Lanes and tiers are their names, ppm values
// integers, absent optionals null.

namespace {

using nlohmann::json;

json to_json(const condition& c) {
  json tiers = json::array();
  for (auto t : c.tiers)
    tiers.push_back(to_string(t));
  json j = json::object();
  j["hs_prefixes"] = c.hs_prefixes;
  j["origins"] = c.origins;
  j["tiers"] = std::move(tiers);
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

caf::error from_json(const json& j, const std::string& where, condition& c) {
  reader r{j, where};
  RISK_TRY(r.object({"hs_prefixes", "origins", "tiers", "enterprises", "transport_documents",
                     "price_position", "min_kg_per_unit", "max_kg_per_unit", "prohibited",
                     "restricted", "min_prior_violations", "ruling_deviation", "import_only",
                     "export_only"}));
  RISK_TRY(r.strings("hs_prefixes", c.hs_prefixes));
  RISK_TRY(r.strings("origins", c.origins));
  std::vector<std::string> tiers;
  RISK_TRY(r.strings("tiers", tiers));
  for (auto& t : tiers) {
    auto x = tier_from_string(t);
    if (!x)
      return json_error(r.path("tiers"), "\"" + t + "\" is not a credit tier");
    c.tiers.push_back(*x);
  }
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
    j["district"] = p.district;
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
    j["district"] = ci.district;
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
    sel[to_string(t)] = json{{"red", s.red}, {"yellow", s.yellow}, {"min_random", s.min_random}};
  json root = json::object();
  root["version"] = rules.version;
  root["parameters"] = std::move(params);
  root["instructions"] = std::move(instrs);
  root["selectivity"] = std::move(sel);
  return root.dump();
}

caf::expected<rule_set> decode_rule_set(const std::string& text) {
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
      RISK_TRY(pr.str("district", p.district));
      if (auto* w = pr.get("when"))
        RISK_TRY(from_json(*w, where + ".when", p.when));
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
      RISK_TRY(ir.str("district", ci.district));
      RISK_TRY(ir.str("issuer", ci.issuer));
      RISK_TRY(ir.integer("valid_from_ms", ci.valid_from_ms, INT64_MIN, INT64_MAX));
      RISK_TRY(ir.integer("valid_until_ms", ci.valid_until_ms, INT64_MIN, INT64_MAX));
      if (auto* w = ir.get("when"))
        RISK_TRY(from_json(*w, where + ".when", ci.when));
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
      auto t = tier_from_string(name);
      if (!t)
        return json_error(where, "not a credit tier");
      reader sr{v, where};
      RISK_TRY(sr.object({"red", "yellow", "min_random"}));
      tier_selectivity s;
      RISK_TRY(sr.integer("red", s.red, 0, one_ppm));
      RISK_TRY(sr.integer("yellow", s.yellow, 0, one_ppm));
      RISK_TRY(sr.integer("min_random", s.min_random, 0, one_ppm));
      out.selectivity[*t] = s;
    }
  }
  return out;
}

// ---- TOML ------------------------------------------------------------------------
// The risk part of config/customs.toml. Percentages are percent (0..100, at most 4
// decimals); every key is optional unless marked; an unknown key is an error.
//
//   version = 3                           # rule set version (integer >= 0; default 0)
//
//   [selectivity.advanced-certified]      # also general-certified, general-credit,
//   red = 0.2                             # discredited; a missing tier selects nothing
//   yellow = 0.5                          # at random. red + yellow <= 100.
//   min-random = 0.5
//
//   [[risk-parameter]]
//   id = "RP-0001"                        # required, unique
//   level = 1                             # 1 national (default), 2 district
//   district = ""                         # level 2: two digits ("22"); level 1: empty
//   lane = "red"                          # required: green, yellow, red
//   percent = 100.0                       # share of hits selected (default 100)
//   reason = "..."                        # shown to officers
//   valuation-evidence = false            # tax parameter: sample/images before release
//   [risk-parameter.when]                 # every key given must hold (AND)
//   hs-prefixes = ["0306"]                # 2..10 digits; item HS starts with one
//   origins = ["VN"]                      # ISO alpha-2; item origin is one of them
//   tiers = ["discredited"]               # credit tier names
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

caf::error read_condition(const toml::table& tbl, const std::string& section, condition& c) {
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
  for (auto& t : tiers) {
    auto x = tier_from_string(t);
    if (!x)
      return bad("tiers", "\"" + t + "\" is not one of advanced-certified, general-certified, "
                                     "general-credit, discredited");
    c.tiers.push_back(*x);
  }
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
                          risk_parameter& p) {
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
  RISK_TRY(read(tbl, section, "district", p.district));
  if (p.level == 2 && (p.district.size() != 2 || !all_digits(p.district)))
    return bad("district", "level 2 needs a 2-digit district such as \"22\"");
  if (p.level == 1 && !p.district.empty())
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
    RISK_TRY(read_condition(*wt, section + ".when", p.when));
  }
  return caf::none;
}

caf::expected<rule_set> read_rule_set(const toml::table& root) {
  rule_set out;
  RISK_TRY(no_unknown_keys(root, "", {"version", "selectivity", "risk-parameter"}));
  int64_t version = 0;
  RISK_TRY(read_int(root, "", "version", version, 0, INT64_MAX));
  out.version = static_cast<uint64_t>(version);
  caf::error err;
  if (auto* sel = sub_table(root, "selectivity", err)) {
    for (auto&& [name, node] : *sel) {
      std::string section = "selectivity." + std::string{name.str()};
      auto t = tier_from_string(name.str());
      if (!t)
        return config_error(section, "not one of advanced-certified, general-certified, "
                                     "general-credit, discredited", where(node));
      auto* tt = node.as_table();
      if (tt == nullptr)
        return config_error(section, "expected a table", where(node));
      RISK_TRY(no_unknown_keys(*tt, section, {"red", "yellow", "min-random"}));
      tier_selectivity s;
      RISK_TRY(read_percent(*tt, section, "red", s.red));
      RISK_TRY(read_percent(*tt, section, "yellow", s.yellow));
      RISK_TRY(read_percent(*tt, section, "min-random", s.min_random));
      if (s.red + s.yellow > one_ppm)
        return config_error(section, "red + yellow exceed 100 %", where(node));
      out.selectivity[*t] = s;
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
      RISK_TRY(read_parameter(tbl, section, p));
      if (!ids.insert(p.id).second)
        return config_error(section + ".id", "\"" + p.id + "\" is used twice",
                            where(tbl, "id"));
      out.parameters.push_back(std::move(p));
    }
  }
  return out;
}

} // namespace

caf::expected<rule_set> parse_rule_set_toml(const std::string& text, const std::string& origin) {
  toml::table root;
  try {
    root = toml::parse(text, origin);
  } catch (const toml::parse_error& e) {
    return caf::make_error(ec::invalid_config,
                           origin + ": " + std::string{e.description()} + " (line "
                             + std::to_string(e.source().begin.line) + ")");
  }
  auto out = read_rule_set(root);
  if (!out) // name the file, as the parse error does
    return caf::make_error(ec::invalid_config, origin + ": " + context_text(out.error()));
  return out;
}

#undef RISK_TRY

} // namespace hub::customs
