#pragma once
// What the hub holds of a partner customs' AEO list (SR-18): one record per operator
// of each mutual-recognition arrangement, as the partner last sent it. Shared: the
// foreign-customs module writes these records (foreign.aeo-batch); customs reads them
// to recognise a foreign AEO named in a declaration. Stored as JSON in the table below,
// keyed arrangement id \0 operator id.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "actors/actors.hpp"

namespace hub {
class store_reader;
}

namespace hub::mra {

inline constexpr const char* partner_aeo_table = "foreign.partner_aeo";
inline constexpr const char* partner_state_table = "foreign.partner_state";

struct foreign_aeo {
  std::string arrangement; ///< the MRA's id ("EU-CN")
  std::string id;          ///< the operator's id in the arrangement's scheme (EORI...)
  std::string name, address, programme, reason;
  std::string status;      ///< "valid", "suspended", "revoked", "withdrawn"
  int64_t validated_at = 0, changed_at = 0;
  uint64_t version = 0;    ///< the partner's version
  bool recognised = false; ///< its programme is one we recognise (foreign.toml we-recognise)
  int64_t received_at = 0; ///< when the hub applied it
  std::string batch_id;    ///< the batch that brought it
  std::vector<std::pair<std::string, std::string>> extras;

  bool valid() const { return status == "valid"; }
};

std::string key_of(std::string_view arrangement, std::string_view id);
bytes encode(const foreign_aeo& r);
/// Nothing if the bytes are not a record (damaged).
std::optional<foreign_aeo> decode(const bytes& b);
/// The record the hub holds, or nothing.
std::optional<foreign_aeo> lookup(const store_reader& reader, std::string_view arrangement, std::string_view id);
/// The record of `id` under any arrangement whose list the hub holds (arrangements in
/// id order; the first that holds it), or nothing.
std::optional<foreign_aeo> find(const store_reader& reader, std::string_view id);

} // namespace hub::mra
