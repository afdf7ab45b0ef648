#pragma once
// The buyers' quota ledger (SR-15.2, ecommerce.md §7): per buyer and calendar year the
// value of the inventories released to them. Buyers are keyed by an HMAC-SHA256 of
// their id under a hub secret, so the ledger holds no id numbers and the same buyer
// is found whichever platform declares for them.

#include <cstdint>
#include <string>

#include <caf/expected.hpp>

#include "actors/actors.hpp"

namespace hub::ecommerce {

class buyer_keys {
public:
  /// Reads the secret from `file`, creating it (32 random bytes, mode 0600) if absent.
  static caf::expected<buyer_keys> open(const std::string& file);
  /// The ledger key of a buyer: HMAC-SHA256(secret, idType ":" idNumber).
  bytes key(const std::string& id_type, const std::string& id_number) const;

private:
  bytes secret_;
};

/// The calendar year (China time, UTC+8) of a Unix ms time.
uint16_t china_year(int64_t unix_ms);

/// yyyyMMdd (China time) of a Unix ms time.
std::string china_date(int64_t unix_ms);

/// Ledger row key: buyer key + 2-byte big-endian year.
bytes quota_key(const bytes& buyer, uint16_t year);

/// "130***********3332": an id number with all but its first 3 and last 4 characters
/// masked, for logs and for parties other than customs and the sender.
std::string mask_id(const std::string& id);

} // namespace hub::ecommerce
