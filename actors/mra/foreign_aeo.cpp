#include "actors/mra/foreign_aeo.hpp"

#include <nlohmann/json.hpp>

#include "actors/store/storage.hpp"

namespace hub::mra {

using json = nlohmann::json;

std::string key_of(std::string_view arrangement, std::string_view id) {
  std::string k{arrangement};
  k += '\0';
  k += id;
  return k;
}

bytes encode(const foreign_aeo& r) {
  json extras = json::array();
  for (auto& [k, v] : r.extras)
    extras.push_back({{"key", k}, {"value", v}});
  auto text = json{{"arrangement", r.arrangement}, {"id", r.id},           {"name", r.name},
                   {"address", r.address},         {"status", r.status},   {"validatedAt", r.validated_at},
                   {"programme", r.programme},     {"version", r.version}, {"changedAt", r.changed_at},
                   {"reason", r.reason},           {"extras", extras},     {"receivedAt", r.received_at},
                   {"batchId", r.batch_id},       {"recognised", r.recognised}}
                .dump();
  return bytes(text.begin(), text.end());
}

std::optional<foreign_aeo> decode(const bytes& b) {
  auto j = json::parse(b.begin(), b.end(), nullptr, false);
  if (j.is_discarded() || !j.is_object())
    return std::nullopt;
  try {
    foreign_aeo r;
    r.arrangement = j.at("arrangement").get<std::string>();
    r.id = j.at("id").get<std::string>();
    r.name = j.value("name", "");
    r.address = j.value("address", "");
    r.status = j.at("status").get<std::string>();
    r.validated_at = j.value("validatedAt", int64_t{0});
    r.programme = j.value("programme", "");
    r.version = j.at("version").get<uint64_t>();
    r.changed_at = j.value("changedAt", int64_t{0});
    r.reason = j.value("reason", "");
    r.received_at = j.value("receivedAt", int64_t{0});
    r.batch_id = j.value("batchId", "");
    r.recognised = j.value("recognised", false);
    for (auto& e : j.value("extras", json::array()))
      r.extras.emplace_back(e.value("key", ""), e.value("value", ""));
    return r;
  } catch (const json::exception&) {
    return std::nullopt;
  }
}

std::optional<foreign_aeo> lookup(const store_reader& reader, std::string_view arrangement, std::string_view id) {
  auto k = key_of(arrangement, id);
  auto v = reader.get(partner_aeo_table, bytes(k.begin(), k.end()));
  if (!v)
    return std::nullopt;
  return decode(*v);
}

std::optional<foreign_aeo> find(const store_reader& reader, std::string_view id) {
  std::vector<std::string> arrangements; // foreign.partner_state: one row per arrangement with a list
  reader.for_each(partner_state_table, [&](const bytes& key, const bytes&) {
    arrangements.emplace_back(key.begin(), key.end());
    return true;
  });
  for (auto& a : arrangements)
    if (auto r = lookup(reader, a, id))
      return r;
  return std::nullopt;
}

} // namespace hub::mra
