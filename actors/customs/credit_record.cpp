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

std::vector<credit_change> credit_record::supersede(credit_change c) {
  std::vector<credit_change> dropped;
  auto later = std::upper_bound(history.begin(), history.end(), c.from,
                                [](int64_t from, const credit_change& x) { return from < x.from; });
  dropped.assign(std::make_move_iterator(later), std::make_move_iterator(history.end()));
  history.erase(later, history.end());
  history.push_back(std::move(c));
  return dropped;
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

std::optional<credit_record> credit_from_bytes(const bytes& b, std::string* why) {
  auto bad = [why](std::string what) -> std::optional<credit_record> {
    if (why != nullptr)
      *why = std::move(what);
    return std::nullopt;
  };
  auto j = json::parse(b.begin(), b.end(), nullptr, false);
  if (j.is_discarded() || !j.is_object())
    return bad("not a JSON object");
  if (!j.contains("enterprise") || !j["enterprise"].is_string())
    return bad("no enterprise");
  if (!j.contains("history") || !j["history"].is_array())
    return bad("no history list");
  credit_record r;
  r.enterprise = j["enterprise"].get<std::string>();
  auto text = [](const json& x, const char* key, std::string& out) {
    if (!x.contains(key))
      return true; // optional text
    if (!x[key].is_string())
      return false;
    out = x[key].get<std::string>();
    return true;
  };
  for (auto& x : j["history"]) {
    auto n = std::to_string(r.history.size());
    if (!x.is_object())
      return bad("history[" + n + "] is not an object");
    if (!x.contains("from") || !x["from"].is_number_integer())
      return bad("history[" + n + "].from is not an integer");
    if (!x.contains("tier") || !x["tier"].is_string())
      return bad("history[" + n + "].tier is missing");
    auto t = tier_from_string(x["tier"].get<std::string>());
    if (!t)
      return bad("history[" + n + "].tier is not a tier");
    credit_change c;
    c.from = x["from"].get<int64_t>();
    c.to = *t;
    if (!text(x, "cause", c.cause) || !text(x, "by", c.by) || !text(x, "reason", c.reason)
        || !text(x, "document", c.document))
      return bad("history[" + n + "] has a text field of another type");
    if (x.contains("decidedAt")) {
      if (!x["decidedAt"].is_number_integer())
        return bad("history[" + n + "].decidedAt is not an integer");
      c.decided_at = x["decidedAt"].get<int64_t>();
    }
    if (!r.history.empty() && c.from < r.history.back().from)
      return bad("history[" + n + "] is dated before the change above it");
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
