#pragma once
// Rule books, keyed by (domain, version). In memory, a rule_book holds the rule set
// in force for one domain as a ready engine (its rules().version is the version);
// the domain's risk centre publishes a new one for every change, and evaluators take
// whatever snapshot is current. In the store, every version of every domain's rule
// set is kept (canonical JSON, rule_set.hpp) under rule_book_key(domain, version) in
// table `risk.rule_books`, so any decision can be replayed with the rules it used.

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "actors/risk/risk_engine.hpp"

namespace hub::risk {

class rule_book {
public:
  rule_book(std::string domain, std::shared_ptr<const risk_engine> e)
    : domain_(std::move(domain)), current_(std::move(e)) {}
  const std::string& domain() const { return domain_; }
  std::shared_ptr<const risk_engine> get() const { return std::atomic_load(&current_); }
  void set(std::shared_ptr<const risk_engine> e) { std::atomic_store(&current_, std::move(e)); }

private:
  std::string domain_;
  std::shared_ptr<const risk_engine> current_; // atomic_load/atomic_store only
};

/// The table of stored rule books.
inline constexpr std::string_view rule_books_table = "risk.rule_books";

/// Names one stored rule set.
struct rule_book_id {
  std::string domain;
  uint64_t version = 0;
};

/// domain + '\0' + 8-byte big-endian version: one domain's versions are contiguous
/// and in order, so the latest is the last key under the domain's prefix.
std::vector<uint8_t> rule_book_key(std::string_view domain, uint64_t version);
/// The key prefix of every version of `domain` (domain + '\0').
std::vector<uint8_t> rule_book_prefix(std::string_view domain);
/// The (domain, version) a key names, or nullopt if it is not such a key.
std::optional<rule_book_id> rule_book_id_of(const std::vector<uint8_t>& key);

/// Legacy key transform for the table migration: a key of the former `rule_sets`
/// table (8-byte big-endian version, one domain only) as the rule_books key of
/// `domain`; nullopt if it is not 8 bytes.
std::optional<std::vector<uint8_t>> rule_book_key_from_legacy(std::string_view domain,
                                                              const std::vector<uint8_t>& legacy);

} // namespace hub::risk
