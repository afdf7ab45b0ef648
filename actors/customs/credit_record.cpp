#include "actors/customs/credit_record.hpp"

#include <algorithm>
#include <ctime>

#include <nlohmann/json.hpp>

#include "actors/customs/customs_config.hpp"

namespace hub::customs {

using json = nlohmann::json;

tier credit_record::tier_at(int64_t ms) const {
  tier t = tier::general_credit;
  for (auto& c : history)
    if (c.from <= ms)
      t = c.to;
  return t;
}

void credit_record::add(credit_change c) {
  auto at = std::upper_bound(history.begin(), history.end(), c.from,
                             [](int64_t from, const credit_change& x) { return from < x.from; });
  history.insert(at, std::move(c));
}

credit_record credit_from_config(const enterprise_config& e) {
  credit_record r;
  r.enterprise = e.code;
  for (auto& [from, t] : e.tiers) {
    credit_change c;
    c.from = from;
    c.to = t;
    c.cause = "customs.toml";
    r.history.push_back(std::move(c));
  }
  return r;
}

bytes credit_to_bytes(const credit_record& r) {
  json h = json::array();
  for (auto& c : r.history)
    h.push_back(json{{"from", c.from}, {"tier", to_string(c.to)}, {"cause", c.cause}, {"by", c.by},
                     {"reason", c.reason}, {"document", c.document}, {"decidedAt", c.decided_at}});
  auto text = json{{"enterprise", r.enterprise}, {"history", h}}.dump();
  return bytes(text.begin(), text.end());
}

std::optional<credit_record> credit_from_bytes(const bytes& b) {
  auto j = json::parse(b.begin(), b.end(), nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("history") || !j["history"].is_array())
    return std::nullopt;
  credit_record r;
  r.enterprise = j.value("enterprise", "");
  for (auto& x : j["history"]) {
    if (!x.is_object())
      return std::nullopt;
    auto t = tier_from_string(x.value("tier", ""));
    if (!t)
      return std::nullopt;
    credit_change c;
    c.from = x.value("from", int64_t{0});
    c.to = *t;
    c.cause = x.value("cause", "");
    c.by = x.value("by", "");
    c.reason = x.value("reason", "");
    c.document = x.value("document", "");
    c.decided_at = x.value("decidedAt", int64_t{0});
    r.history.push_back(std::move(c));
  }
  return r;
}

std::string utc_minutes(int64_t ms) {
  std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M UTC", &tm);
  return buf;
}

} // namespace hub::customs
