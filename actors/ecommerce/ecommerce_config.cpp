#include "actors/ecommerce/ecommerce_config.hpp"

#include <filesystem>

#include "actors/core/fixed_point.hpp"
#include "actors/core/toml_read.hpp"

namespace hub::ecommerce {

const char* to_string(enterprise_kind k) {
  switch (k) {
    case enterprise_kind::platform: return "platform";
    case enterprise_kind::ecommerce: return "ecommerce";
    case enterprise_kind::payment: return "payment";
    case enterprise_kind::logistics: return "logistics";
    case enterprise_kind::agent: return "agent";
    case enterprise_kind::site_operator: return "site-operator";
    case enterprise_kind::guarantor: return "guarantor";
  }
  return "?";
}

const enterprise* ecommerce_config::find(const std::string& code) const {
  auto i = by_code.find(code);
  return i == by_code.end() ? nullptr : &enterprises[i->second];
}

std::vector<const enterprise*> ecommerce_config::of_party(const std::string& party) const {
  std::vector<const enterprise*> out;
  auto i = by_party.find(party);
  if (i != by_party.end())
    for (auto k : i->second)
      out.push_back(&enterprises[k]);
  return out;
}

const tax_line& ecommerce_config::rates_for(const std::string& gcode) const {
  const tax_line* best = &default_rates;
  size_t len = 0;
  for (auto& t : tax_lines)
    if (t.prefix.size() > len && gcode.compare(0, t.prefix.size(), t.prefix) == 0) {
      best = &t;
      len = t.prefix.size();
    }
  return *best;
}

namespace {

#define TRY(expr)                                                                        \
  if (auto err_ = (expr))                                                                \
    return err_;

std::string resolve(const std::string& base, const std::string& p) {
  if (p.empty() || std::filesystem::path{p}.is_absolute())
    return p;
  return (std::filesystem::path{base} / p).lexically_normal().string();
}

/// A CNY amount as text ("5000", "0.5") in 1e-5 units, non-negative.
caf::error read_units(const toml::table& tbl, const std::string& section, std::string_view key,
                      units& out) {
  std::string text;
  TRY(read(tbl, section, key, text));
  if (text.empty())
    return caf::none;
  auto v = parse_fixed(text, 5);
  if (!v || *v < 0 || *v > wide_int{1'000'000'000} * units_per_yuan)
    return config_error(section + "." + std::string{key},
                        "expected a CNY amount as text with at most 5 decimals, e.g. \"5000\"",
                        where(tbl, key));
  out = static_cast<units>(*v);
  return caf::none;
}

/// A percentage as text ("13", "0.5") in parts per million, 0..100 %.
caf::error read_percent(const toml::table& tbl, const std::string& section, std::string_view key,
                        int64_t& out) {
  std::string text;
  TRY(read(tbl, section, key, text));
  if (text.empty())
    return caf::none;
  auto v = parse_fixed(text, 4); // 1e-4 % = 1 ppm
  if (!v || *v < 0 || *v > 100 * 10000)
    return config_error(section + "." + std::string{key},
                        "expected a percentage as text between \"0\" and \"100\"",
                        where(tbl, key));
  out = static_cast<int64_t>(*v);
  return caf::none;
}

caf::error read_minutes(const toml::table& tbl, const std::string& section, std::string_view key,
                        int64_t& out_ms, int64_t max_minutes) {
  const toml::node* n = tbl.get(key);
  if (n == nullptr)
    return caf::none;
  auto v = n->value<int64_t>();
  if (!n->is_integer() || !v || *v < 1 || *v > max_minutes)
    return config_error(section + "." + std::string{key},
                        "expected minutes between 1 and " + std::to_string(max_minutes),
                        where(*n));
  out_ms = *v * 60 * 1000;
  return caf::none;
}

caf::error read_rates(const toml::table& t, const std::string& section, tax_line& out) {
  TRY(read_percent(t, section, "duty", out.duty_ppm));
  TRY(read_percent(t, section, "vat", out.vat_ppm));
  TRY(read_percent(t, section, "consumption", out.consumption_ppm));
  if (out.consumption_ppm >= 1'000'000)
    return config_error(section + ".consumption", "must be below 100 %", where(t, "consumption"));
  if (auto* th = t.get_as<toml::table>("consumption-threshold")) {
    for (auto& [unit, node] : *th) {
      auto* s = node.as_string();
      auto v = s ? parse_fixed(s->get(), 5) : std::nullopt;
      if (!v || *v < 0 || *v > wide_int{1'000'000'000} * units_per_yuan)
        return config_error(section + ".consumption-threshold." + std::string{unit.str()},
                            "expected a CNY amount as text", where(node));
      out.consumption_threshold[std::string{unit.str()}] = static_cast<units>(*v);
    }
  }
  return caf::none;
}

caf::expected<enterprise_kind> kind_of(const std::string& s) {
  for (auto k : {enterprise_kind::platform, enterprise_kind::ecommerce, enterprise_kind::payment,
                 enterprise_kind::logistics, enterprise_kind::agent, enterprise_kind::site_operator,
                 enterprise_kind::guarantor})
    if (s == to_string(k))
      return k;
  return caf::make_error(ec::invalid_config);
}

} // namespace

caf::expected<ecommerce_config> parse_ecommerce_config(const std::string& text,
                                                       const std::string& path,
                                                       const std::string& base) {
  toml::table root;
  try {
    root = toml::parse(text, path);
  } catch (const toml::parse_error& e) {
    return config_error(path, std::string{e.description()},
                        "line " + std::to_string(e.source().begin.line));
  }
  ecommerce_config cfg;
  TRY(no_unknown_keys(root, path, {"matching", "quota", "limits", "signatures", "tax", "enterprise",
                                   "customs-code", "risk"}));
  TRY(read(root, path, "customs-code", cfg.customs_code));
  caf::error err;
  if (auto* r = sub_table(root, "risk", err)) {
    TRY(no_unknown_keys(*r, "risk", {"rules-file"}));
    std::string f;
    TRY(read(*r, "risk", "rules-file", f));
    cfg.risk_file = resolve(base, f);
  }
  TRY(err);
  if (!cfg.risk_file.empty()) {
    auto text = read_file(cfg.risk_file);
    if (!text)
      return text.error();
    cfg.risk_text = std::move(*text);
  }
  if (auto* m = sub_table(root, "matching", err)) {
    TRY(no_unknown_keys(*m, "matching", {"window-minutes", "window-seconds", "return-days",
                                         "expiry-check-seconds", "keep-unmatched-days",
                                         "keep-unmatched-seconds"}));
    TRY(read_minutes(*m, "matching", "window-minutes", cfg.match_window_ms, 60 * 24 * 30));
    if (m->contains("window-seconds")) { // drills and tests: a window shorter than a minute
      if (m->contains("window-minutes"))
        return config_error("matching.window-seconds", "give window-minutes or window-seconds, not both",
                            where(*m, "window-seconds"));
      int64_t sec = 0;
      TRY(read(*m, "matching", "window-seconds", sec));
      if (sec < 1 || sec > 30LL * 86400)
        return config_error("matching.window-seconds", "expected 1..2592000", where(*m, "window-seconds"));
      cfg.match_window_ms = sec * 1000;
    }
    int64_t days = 30;
    TRY(read(*m, "matching", "return-days", days));
    if (days < 0 || days > 365) // 0: no returns after release
      return config_error("matching.return-days", "expected 0..365", where(*m, "return-days"));
    cfg.return_window_ms = days * 86400 * 1000;
    int64_t keep_days = 30;
    TRY(read(*m, "matching", "keep-unmatched-days", keep_days));
    if (keep_days < 1 || keep_days > 3650)
      return config_error("matching.keep-unmatched-days", "expected 1..3650",
                          where(*m, "keep-unmatched-days"));
    cfg.keep_unmatched_ms = keep_days * 86400 * 1000;
    if (m->contains("keep-unmatched-seconds")) { // drills and tests
      if (m->contains("keep-unmatched-days"))
        return config_error("matching.keep-unmatched-seconds",
                            "give keep-unmatched-days or keep-unmatched-seconds, not both",
                            where(*m, "keep-unmatched-seconds"));
      int64_t sec = 0;
      TRY(read(*m, "matching", "keep-unmatched-seconds", sec));
      if (sec < 1 || sec > 3650LL * 86400)
        return config_error("matching.keep-unmatched-seconds", "expected 1..315360000",
                            where(*m, "keep-unmatched-seconds"));
      cfg.keep_unmatched_ms = sec * 1000;
    }
    int64_t check = 60;
    TRY(read(*m, "matching", "expiry-check-seconds", check));
    if (check < 1 || check > 3600)
      return config_error("matching.expiry-check-seconds", "expected 1..3600",
                          where(*m, "expiry-check-seconds"));
    cfg.expiry_check_ms = check * 1000;
  }
  TRY(err);
  if (auto* q = sub_table(root, "quota", err)) {
    TRY(no_unknown_keys(*q, "quota", {"per-transaction", "per-year", "reduced-rate", "secret-file"}));
    TRY(read_units(*q, "quota", "per-transaction", cfg.per_transaction));
    TRY(read_units(*q, "quota", "per-year", cfg.per_year));
    TRY(read_percent(*q, "quota", "reduced-rate", cfg.reduced_ppm));
    std::string f;
    TRY(read(*q, "quota", "secret-file", f));
    cfg.quota_secret_file = resolve(base, f);
  }
  TRY(err);
  if (cfg.quota_secret_file.empty())
    cfg.quota_secret_file = resolve(base, "../var/keys/ecommerce.quota.key");
  if (auto* l = sub_table(root, "limits", err)) {
    TRY(no_unknown_keys(*l, "limits", {"max-message-bytes", "max-depth", "max-documents",
                                       "max-lines", "max-nodes"}));
    TRY(read_positive(*l, "limits", "max-message-bytes", cfg.limits.max_bytes, 64u << 20));
    TRY(read_positive(*l, "limits", "max-depth", cfg.limits.max_depth, 256));
    TRY(read_positive(*l, "limits", "max-documents", cfg.limits.max_documents, 100));
    TRY(read_positive(*l, "limits", "max-lines", cfg.limits.max_lines, 99));
    TRY(read_positive(*l, "limits", "max-nodes", cfg.limits.max_nodes, 100'000'000));
  }
  TRY(err);
  cfg.signature_required = {"CEB621Message", "CEB623Message", "CEB625Message", "CEB711Message"};
  if (auto* s = sub_table(root, "signatures", err)) {
    TRY(no_unknown_keys(*s, "signatures", {"required"}));
    std::vector<std::string> req;
    TRY(read_string_list(*s, "signatures", "required", req));
    if (s->contains("required")) {
      cfg.signature_required.clear();
      for (auto& r : req) {
        if (!ceb::from_root_name(r))
          return config_error("signatures.required", "unknown message type " + r
                                + " (CEB311Message ... CEB711Message)",
                              where(*s, "required"));
        cfg.signature_required.insert(r);
      }
    }
  }
  TRY(err);
  if (auto* t = sub_table(root, "tax", err)) {
    TRY(no_unknown_keys(*t, "tax", {"duty", "vat", "consumption", "consumption-threshold", "line"}));
    TRY(read_rates(*t, "tax", cfg.default_rates));
    if (auto* lines = t->get_as<toml::array>("line")) {
      size_t i = 0;
      for (auto& n : *lines) {
        auto sec = "tax.line[" + std::to_string(i++) + "]";
        auto* lt = n.as_table();
        if (!lt)
          return config_error(sec, "expected a table", where(n));
        TRY(no_unknown_keys(*lt, sec, {"prefix", "duty", "vat", "consumption",
                                       "consumption-threshold", "note"}));
        tax_line line;
        TRY(read(*lt, sec, "prefix", line.prefix));
        if (line.prefix.empty() || line.prefix.size() > 10)
          return config_error(sec + ".prefix", "expected 1 to 10 digits of a gcode", where(*lt, "prefix"));
        TRY(read_rates(*lt, sec, line));
        cfg.tax_lines.push_back(std::move(line));
      }
    }
  }
  TRY(err);
  if (auto* ents = root.get_as<toml::array>("enterprise")) {
    size_t i = 0;
    for (auto& n : *ents) {
      auto sec = "enterprise[" + std::to_string(i++) + "]";
      auto* et = n.as_table();
      if (!et)
        return config_error(sec, "expected a table", where(n));
      TRY(no_unknown_keys(*et, sec, {"code", "name", "kinds", "party", "dxp-id", "certificate-file",
                                     "signature", "guarantee", "transmits-for", "tier"}));
      enterprise e;
      TRY(read(*et, sec, "code", e.code));
      TRY(read(*et, sec, "name", e.name));
      TRY(read(*et, sec, "party", e.party));
      TRY(read(*et, sec, "dxp-id", e.dxp_id));
      TRY(read(*et, sec, "certificate-file", e.certificate_file));
      TRY(read(*et, sec, "signature", e.signature));
      TRY(read(*et, sec, "tier", e.tier));
      TRY(read_units(*et, sec, "guarantee", e.guarantee));
      TRY(read_string_list(*et, sec, "transmits-for", e.transmits_for));
      std::vector<std::string> kinds;
      TRY(read_string_list(*et, sec, "kinds", kinds));
      auto line = where(*et, "code");
      if (e.code.empty() || e.code.size() > 18)
        return config_error(sec + ".code", "expected a customs code (10) or USCC (18)", line);
      if (cfg.by_code.count(e.code))
        return config_error(sec + ".code", e.code + " is listed twice", line);
      if (kinds.empty())
        return config_error(sec + ".kinds", "expected at least one of platform, ecommerce, payment, "
                                            "logistics, agent, site-operator, guarantor", line);
      for (auto& k : kinds) {
        auto kk = kind_of(k);
        if (!kk)
          return config_error(sec + ".kinds", "unknown kind " + k, where(*et, "kinds"));
        e.kinds.insert(*kk);
      }
      if (!e.signature.empty() && e.signature != "required" && e.signature != "optional")
        return config_error(sec + ".signature", "expected \"required\" or \"optional\"",
                            where(*et, "signature"));
      if (!e.certificate_file.empty()) {
        e.certificate_file = resolve(base, e.certificate_file);
        auto pem = read_file(e.certificate_file);
        if (!pem)
          return pem.error();
        e.certificate = std::move(*pem);
      }
      cfg.by_code[e.code] = cfg.enterprises.size();
      if (!e.party.empty())
        cfg.by_party[e.party].push_back(cfg.enterprises.size());
      cfg.enterprises.push_back(std::move(e));
    }
  }
  return cfg;
}

caf::expected<ecommerce_config> load_ecommerce_config(const std::string& path) {
  auto text = read_file(path);
  if (!text)
    return text.error();
  auto base = std::filesystem::path{path}.parent_path().string();
  if (base.empty())
    base = ".";
  return parse_ecommerce_config(*text, path, base);
}

} // namespace hub::ecommerce
