#include "actors/ecommerce/ceb_records.hpp"

#include "actors/crypto/digest.hpp"

namespace hub::ecommerce {

std::string join_key(std::initializer_list<std::string_view> parts) {
  std::string out;
  for (auto p : parts) {
    if (!out.empty())
      out += '\x1f';
    out += p;
  }
  return out;
}

bytes record_digest(const bytes& record) {
  return sha256(record.data(), record.size());
}

} // namespace hub::ecommerce
