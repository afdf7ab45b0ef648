#pragma once
// The customs module's LMDB tables (docs/design.md, "Storage layout"), prefixed with
// the module's name. Each was named without the prefix before modules existed; the
// store moves such rows when it opens an older data directory (table_spec).

#include <string_view>
#include <vector>

#include "actors/core/domain_module.hpp"

namespace hub::customs::tables {

inline constexpr std::string_view cases = "customs.cases";             // 18-digit case id -> StoredCase
inline constexpr std::string_view case_refs = "customs.case_refs";     // declarant \0 declarationId -> case id
inline constexpr std::string_view enterprises = "customs.enterprises"; // enterprise code -> StoredEnterprise (guarantee, history)
inline constexpr std::string_view audit_queue = "customs.audit_queue"; // centre \0 case id -> ""
inline constexpr std::string_view reports = "customs.reports";         // centre \0 u64 BE time -> report JSON
inline constexpr std::string_view rulings = "customs.rulings";         // ruling id -> JSON
inline constexpr std::string_view rule_sets = "customs.rule_sets";     // "customs" \0 u64 BE version -> rule set JSON
inline constexpr std::string_view proposals = "customs.proposals";     // proposal id -> JSON
inline constexpr std::string_view licences = "customs.licences";       // licence id -> StoredLicence
inline constexpr std::string_view tasks = "customs.tasks";             // unit \0 case id -> JSON (officer, kind)
inline constexpr std::string_view credit = "customs.credit";           // enterprise code -> credit record JSON (tier history)
inline constexpr std::string_view disclosures = "customs.disclosures"; // declarant \0 disclosureId -> disclosure JSON

/// Every table above with its name before modules.
std::vector<table_spec> specs();

} // namespace hub::customs::tables
