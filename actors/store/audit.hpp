#pragma once
// The auditor: verifies the evidence log of a data directory (a live one read-only, or
// a copy) and names every record that was altered, removed, inserted or reordered,
// and every stored document whose content no longer matches its evidence.

#include <cstdint>
#include <string>
#include <vector>

#include "actors/actors.hpp"
#include "actors/crypto/signature.hpp"

namespace hub {

class store_reader;

struct audit_problem {
  uint64_t index = 0;   ///< evidence index concerned (0: not tied to one record)
  uint64_t sequence = 0; ///< document sequence concerned (0: none)
  std::string what;
};

struct audit_report {
  uint64_t records = 0;
  uint64_t documents = 0;
  uint64_t decisions = 0;
  uint64_t checkpoints = 0;
  uint64_t last_checkpoint = 0;  ///< index of the last valid signed checkpoint
  uint64_t unsigned_tail = 0;    ///< records after it, not yet covered by a signature
  bytes head_hash;
  std::vector<audit_problem> problems;
  bool ok() const { return problems.empty(); }
};

/// Walks the whole chain and cross-checks the documents table. `hub_key` verifies the
/// checkpoints (null: checkpoint signatures are reported as unverified problems).
audit_report audit_evidence(const store_reader& db, const crypto::public_key* hub_key);

/// "ACTUAL, expected EXPECTED (first difference at hex digit N)": both hashes in full,
/// so that two different hashes never look alike in a report.
std::string hash_difference(const bytes& actual, const bytes& expected);

} // namespace hub
