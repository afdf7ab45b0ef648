#pragma once
// What a domain module adds to the auditor (audit.hpp): the core store knows documents,
// dedupe entries, its head record and checkpoints; only a domain knows which of its own
// rows were committed with a document, and which of its records a decision must name.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "actors/actors.hpp"

namespace hub {

class store_reader;
struct evidence_entry;

/// One evidence problem; see audit_report.
struct audit_problem {
  uint64_t index = 0;   ///< evidence index concerned (0: not tied to one record)
  uint64_t sequence = 0; ///< document sequence concerned (0: none)
  std::string what;
};

/// A domain row committed together with document `sequence`: that document must have
/// an evidence record. Reported as "NAME, document N, has no evidence record...".
struct audit_reference {
  std::string name; ///< the row, as the report names it (the module chooses the words)
  uint64_t sequence = 0;
};

/// What a domain's rows say the log must hold, and what is wrong with the rows
/// themselves (unreadable, or naming a row that is missing).
struct audit_references {
  std::vector<audit_reference> documents;
  std::vector<audit_problem> problems;
};

/// Records a domain keeps in versions, each loaded or changed by a decision in the log:
/// the newest version stored must be named by one (else the log was cut off before it,
/// or the version was inserted).
struct audit_versioned {
  std::string name; ///< NAME: reported as "NAME version N has no evidence record (...)"
  /// The version a decision record names, 0 if none. Called on every decision record;
  /// it must count only what the hub itself writes, never free text.
  std::function<uint64_t(const evidence_entry&)> version_in;
  /// The highest version stored, 0 if none. Read before the chain.
  std::function<uint64_t(const store_reader&)> newest;
};

/// A domain module's part of the audit. Both readers run before the chain is walked:
/// a row read first can only point at rows committed with or before it, so on a live
/// hub a commit in between is never mistaken for a removal. `read_references` must read
/// its tables in the same order (a row before the rows it names). Functions are called
/// on the auditor's thread only and must not throw.
struct audit_extension {
  std::string domain; ///< the module's name
  std::function<audit_references(const store_reader&)> read_references;
  std::vector<audit_versioned> versioned;
};

/// "SENDER message HEX", for naming a document by who sent it and its message id.
std::string message_name(const std::string& sender, const bytes& message_id);

/// The document sequence of the dedupe entry of (sender, message id): nullopt if there
/// is no entry or it is unreadable. For a domain row that names its document that way.
std::optional<uint64_t> dedupe_sequence(const store_reader& db, const std::string& sender,
                                        const bytes& message_id);

} // namespace hub
