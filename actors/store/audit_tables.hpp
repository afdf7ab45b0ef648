#pragma once
// What the tables beside the evidence log say the log must hold, for the auditor
// (audit.hpp): every stored document and dedupe entry, and every domain row an
// extension names, was committed together with an evidence record, and the store keeps
// its own copy of the head.

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

/// The newest version of one kind of versioned record (audit_versioned) found stored.
struct versioned_reference {
  const audit_versioned* spec = nullptr; ///< points into the caller's extensions
  uint64_t newest = 0;                   ///< 0: none stored
};

struct store_references {
  std::optional<evidence_head> head; ///< meta[evidence-head]; unset: not written yet
  std::set<uint64_t> documents;      ///< sequences in the documents table
  std::vector<dedupe_reference> dedupe;
  std::vector<audit_reference> domain;     ///< the extensions' rows, in their order
  std::vector<versioned_reference> versioned;
  std::vector<audit_problem> problems; ///< unreadable rows, references to missing rows
};

/// Reads the references in an order that is safe on a live store: a row read first can
/// only point at rows committed with or before it, which every later read still sees
/// (the store's head, each extension's rows, then dedupe entries and documents, then
/// the extensions' newest versions, all before the chain itself).
store_references read_references(const store_reader& db,
                                 const std::vector<audit_extension>& extensions);

} // namespace hub
