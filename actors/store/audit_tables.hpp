#pragma once
// What the tables beside the evidence log say the log must hold, for the auditor
// (audit.hpp): every stored document, dedupe entry and customs case was committed
// together with an evidence record, and the store keeps its own copy of the head.

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "actors/store/audit.hpp"
#include "actors/store/evidence.hpp"

namespace hub {

class store_reader;

/// A dedupe entry: the document (sequence) and evidence record it was committed with.
struct dedupe_reference {
  std::string sender;
  bytes message_id;
  uint64_t sequence = 0;
  uint64_t evidence_index = 0; ///< 0: written before dedupe entries kept it
  bytes evidence_hash;
};

/// A customs case and the document its declaration was (sequence 0: no dedupe entry).
struct case_reference {
  std::string case_id;
  std::string declarant;
  bytes message_id;
  uint64_t sequence = 0;
};

struct store_references {
  std::optional<evidence_head> head; ///< meta[evidence-head]; unset: not written yet
  std::set<uint64_t> documents;      ///< sequences in the documents table
  std::vector<dedupe_reference> dedupe;
  std::vector<case_reference> cases;
  uint64_t last_rule_set = 0;        ///< highest version in rule_sets (0: none)
  std::vector<audit_problem> problems; ///< unreadable rows, references to missing rows
};

/// Reads the references in an order that is safe on a live store: a row read first can
/// only point at rows committed with or before it, which every later read still sees
/// (case references, then cases, then dedupe entries and documents, all before the
/// chain itself).
store_references read_references(const store_reader& db);

/// "SENDER message HEX", for naming a dedupe entry or a case's declaration.
std::string message_name(const std::string& sender, const bytes& message_id);

} // namespace hub
