#include "actors/risk/rule_book.hpp"

namespace hub::risk {

std::vector<uint8_t> rule_book_prefix(std::string_view domain) {
  std::vector<uint8_t> out(domain.begin(), domain.end());
  out.push_back(0);
  return out;
}

std::vector<uint8_t> rule_book_key(std::string_view domain, uint64_t version) {
  auto out = rule_book_prefix(domain);
  for (int i = 0; i < 8; ++i)
    out.push_back(static_cast<uint8_t>(version >> (56 - 8 * i)));
  return out;
}

std::optional<rule_book_id> rule_book_id_of(const std::vector<uint8_t>& key) {
  if (key.size() < 9 || key[key.size() - 9] != 0)
    return std::nullopt;
  rule_book_id id;
  id.domain.assign(key.begin(), key.end() - 9);
  if (id.domain.find('\0') != std::string::npos)
    return std::nullopt;
  for (auto it = key.end() - 8; it != key.end(); ++it)
    id.version = (id.version << 8) | *it;
  return id;
}

std::optional<std::vector<uint8_t>> rule_book_key_from_legacy(std::string_view domain,
                                                              const std::vector<uint8_t>& legacy) {
  if (legacy.size() != 8)
    return std::nullopt;
  auto out = rule_book_prefix(domain);
  out.insert(out.end(), legacy.begin(), legacy.end());
  return out;
}

} // namespace hub::risk
