#pragma once
// One AEO record of a partner customs' list as the bridge reads it: a JSON object in
// WCO Data Model naming ("AEOIdentifier", "Name", "Address", "AEOStatusCode",
// "AuthorisationDate", "AuthorisationType", "Version", "ChangeDateTime", "Reason",
// "Additional"), and the same object as the state file keeps it (dates as Unix ms).

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "actors/actors.hpp"

namespace foreign {

struct aeo_record {
  std::string id;
  std::string name;
  std::string address;
  uint16_t status = 0; ///< AeoStatus: 0 valid, 1 suspended, 2 revoked, 3 withdrawn
  int64_t validated_at = 0;
  std::string programme;
  uint64_t version = 0;
  int64_t changed_at = 0;
  std::string reason;
  std::vector<std::pair<std::string, std::string>> extras;
};

/// "valid", "suspended", "revoked", "withdrawn".
const char* status_name(uint16_t status);

/// Reads one record from `j`; nullopt with `error` saying what is wrong. Unknown keys
/// are an error (a misspelt key must not vanish). A missing "ChangeDateTime" is
/// `default_changed_at`.
std::optional<aeo_record> parse_record(const nlohmann::json& j, std::string& error,
                                       int64_t default_changed_at);

/// The identifier schemes a partner's ids follow (config/foreign.toml identifier-scheme).
bool known_id_scheme(const std::string& scheme);

/// Why the hub would refuse `r` (the format limits of foreign.aeo-batch and the id
/// rules of `id_scheme`, as actors/foreign checks them), or "" if it takes it.
std::string record_problem(const aeo_record& r, const std::string& id_scheme);

/// Parses one input line (a JSON object) as a record and checks it with
/// record_problem.
std::optional<aeo_record> parse_record_line(const std::string& line, std::string& error,
                                            int64_t default_changed_at,
                                            const std::string& id_scheme = "eori");

/// About how many bytes `r` takes in a foreign.aeo-batch payload (an upper estimate).
size_t encoded_size(const aeo_record& r);

/// The record in WCO naming, dates as Unix ms (parse_record reads it back).
nlohmann::ordered_json record_json(const aeo_record& r);

/// "2024-05-01", "2024-05-01T10:00:00Z", "2024-05-01T10:00:00.250+02:00" as Unix ms.
std::optional<int64_t> parse_iso8601(const std::string& text);

/// foreign.aeo-batch payload (Cap'n Proto flat array).
hub::bytes batch_payload(const std::string& batch_id, const std::string& data_set, bool snapshot,
                         const std::vector<aeo_record>& records);

} // namespace foreign
