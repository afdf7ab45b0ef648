#pragma once
// An enterprise's credit tier as a record with its history (SR-14.1): every change with
// when it applies from, what caused it, who decided and why. customs.toml's tier (or
// tier-history) is where a record starts; from the first decided change on, the record
// in customs.credit is what declarations read, at their own time (docs/design.md,
// "Credit tiers that move").

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "actors/actors.hpp" // bytes
#include "actors/customs/declaration_risk_facts.hpp"

namespace hub::customs {

struct enterprise_config;

/// One change of tier.
struct credit_change {
  int64_t from = 0;       ///< applies to declarations from this Unix ms on
  tier to = tier::general_credit;
  std::string cause;      ///< "customs.toml", "decision" (an officer), "violation"
  std::string by;         ///< the officer party or tax centre; empty for customs.toml
  std::string reason;     ///< in words, as the enterprise is told
  std::string document;   ///< hex message id of the document that made it; empty if none
  int64_t decided_at = 0; ///< hub time of the commit; 0 for customs.toml
};

struct credit_record {
  std::string enterprise;
  std::vector<credit_change> history; ///< ascending by `from`

  /// The tier valid at `ms`: the last change from at or before it (general credit
  /// before the first).
  tier tier_at(int64_t ms) const;
  /// Inserts `c` after every change from at or before it.
  void add(credit_change c);
  /// Adds `c` as the latest word: changes dated after it (scheduled, not yet applied)
  /// are dropped and returned, so that a revocation today is not undone by a
  /// re-certification scheduled earlier for next month.
  std::vector<credit_change> supersede(credit_change c);
};

/// The record customs.toml describes (cause "customs.toml").
credit_record credit_from_config(const enterprise_config& e);

/// JSON, as stored in customs.credit.
bytes credit_to_bytes(const credit_record& r);
/// Strict: every field of its type, `from` and `tier` present, changes in date order;
/// nullopt and `why` otherwise (a damaged record is never read as a guess).
std::optional<credit_record> credit_from_bytes(const bytes& b, std::string* why = nullptr);

/// "2026-12-08 10:30 UTC" (minutes) for messages.
std::string utc_minutes(int64_t ms);

} // namespace hub::customs
