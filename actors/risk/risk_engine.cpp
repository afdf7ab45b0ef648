#include "actors/risk/risk_engine.hpp"

#include <algorithm>
#include <cstdint>
#include <string_view>
#include <unordered_map>

#include <openssl/evp.h>

#include "actors/crypto/digest.hpp"

namespace hub::risk {

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

// ---- helpers ---------------------------------------------------------------------

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

bool has_item_fields(const condition& c) {
  return !c.hs_prefixes.empty() || !c.origins.empty() || c.price_position
         || c.min_kg_per_unit || c.max_kg_per_unit || c.prohibited || c.restricted;
}

/// The attributes rules test (facts.hpp), read once per evaluation so that matching
/// a candidate costs no lookups.
struct item_view {
  std::string_view hs;
  std::string_view origin;
  double kg_per_unit = 0;
  int64_t price_position = 0;
  bool prohibited = false;
  bool restricted = false;
};

struct facts_view {
  std::string_view enterprise;
  std::string_view selectivity_class;
  std::string_view direction;
  std::string_view scope;
  const std::vector<std::string>* transport_documents = nullptr;
  int64_t prior_violations = 0;
  bool ruling_deviation = false;
  std::vector<item_view> items;
};

facts_view view_of(const facts& f) {
  facts_view v;
  auto& h = f.header;
  v.enterprise = h.text(attr::enterprise);
  v.selectivity_class = h.text(attr::selectivity_class);
  v.direction = h.text(attr::direction);
  v.scope = h.text(attr::scope);
  v.transport_documents = &h.list(attr::transport_document);
  v.prior_violations = h.integer(attr::prior_violations);
  v.ruling_deviation = h.flag(attr::ruling_deviation);
  v.items.reserve(f.items.size());
  for (auto& it : f.items) {
    item_view x;
    x.hs = it.text(attr::hs);
    x.origin = it.text(attr::origin);
    x.kg_per_unit = it.number(attr::kg_per_unit);
    x.price_position = it.integer(attr::price_position);
    x.prohibited = it.flag(attr::prohibited);
    x.restricted = it.flag(attr::restricted);
    v.items.push_back(x);
  }
  return v;
}

bool in_list(const std::vector<std::string>& xs, std::string_view x) {
  return std::find(xs.begin(), xs.end(), x) != xs.end();
}

bool item_matches(const condition& c, const item_view& item) {
  if (!c.hs_prefixes.empty()
      && std::none_of(c.hs_prefixes.begin(), c.hs_prefixes.end(),
                      [&](const std::string& p) { return starts_with(item.hs, p); }))
    return false;
  if (!c.origins.empty() && !in_list(c.origins, item.origin))
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

bool matches(const condition& c, const facts_view& f) {
  if (c.import_only && f.direction != "import")
    return false;
  if (c.export_only && f.direction != "export")
    return false;
  if (!c.classes.empty() && !in_list(c.classes, f.selectivity_class))
    return false;
  if (!c.enterprises.empty() && !in_list(c.enterprises, f.enterprise))
    return false;
  if (!c.transport_documents.empty()
      && std::none_of(f.transport_documents->begin(), f.transport_documents->end(),
                      [&](const std::string& d) { return in_list(c.transport_documents, d); }))
    return false;
  if (c.min_prior_violations > 0 && f.prior_violations < c.min_prior_violations)
    return false;
  if (c.ruling_deviation && !f.ruling_deviation)
    return false;
  if (!has_item_fields(c))
    return true;
  // Item-level fields must all hold for one same item.
  return std::any_of(f.items.begin(), f.items.end(),
                     [&](const item_view& it) { return item_matches(c, it); });
}

/// Level-2 rules apply only where the domain's scope for the facts is theirs.
bool in_scope(int level, const std::string& scope, const facts_view& f) {
  if (level != 2)
    return true;
  return !scope.empty() && f.scope == scope;
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
  /// Keys view the rules' own strings (stable: the engine owns and never changes them).
  std::unordered_map<std::string_view, std::vector<uint32_t>> by_enterprise;
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

risk_engine::risk_engine(rule_set rules, vocabulary words)
  : rules_(std::move(rules)), words_(std::move(words)), index_(std::make_unique<index>()) {
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

const vocabulary& risk_engine::words() const {
  return words_;
}

lane_decision risk_engine::evaluate(const facts& f, uint64_t seed, int64_t at_ms) const {
  const auto& idx = *index_;
  auto facts = view_of(f);
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
      if (!in_scope(r.level, r.scope, facts) || at_ms < r.valid_from_ms
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
      if (!in_scope(r.level, r.scope, facts) || !matches(r.when, facts))
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

  // Random selectivity for the facts' class.
  class_selectivity sel;
  if (auto it = rules_.selectivity.find(facts.selectivity_class); it != rules_.selectivity.end())
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
       + " (" + words_.class_noun + " " + std::string{facts.selectivity_class} + ": red "
       + percent_text(sel.red) + ", yellow " + percent_text(sel.yellow) + ", min random " + percent_text(sel.min_random) + ")";
  d.explanation = std::move(x);
  return d;
}

} // namespace hub::risk
