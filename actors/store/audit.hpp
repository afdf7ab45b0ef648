#pragma once
// The auditor: verifies the evidence log of a data directory (a live one read-only, or
// a copy) and names every record that was altered, removed, inserted or reordered,
// every stored document whose content no longer matches its evidence, and a log cut
// shorter than the rest of the store or than a witness kept outside it says it was.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <caf/expected.hpp>

#include "actors/actors.hpp"
#include "actors/crypto/signature.hpp"
#include "actors/store/audit_extension.hpp"
#include "actors/store/evidence.hpp"

namespace hub {

class store_reader;

/// Something kept outside the store that says what the log held: a hub-signed receipt
/// (the evidence record of its document) or a head exported by `swhub audit head`.
/// The caller has checked its signature, if it has one.
struct audit_witness {
  std::string source;  ///< where it came from, for the report ("receipts.json line 3")
  uint64_t index = 0;  ///< the evidence record it vouches for (0: an older receipt)
  bytes hash;          ///< that record's hash
  bool receipt = false; ///< a receipt: the record must be the document below
  /// Signed by the hub (receipts, signed heads): only then can a match count as
  /// confirmation. An unsigned head is still checked (a log shorter than it, or another
  /// hash at its index, is named truncated), but whoever rewrote the log could have
  /// written a matching one, so it protects nothing.
  bool hub_signed = true;
  std::string party;
  bytes message_id;
  uint64_t sequence = 0;
  bytes digest;
};

/// What one witness showed.
struct witness_result {
  std::string source;
  uint64_t index = 0;  ///< the record it vouches for (a receipt without one: its document's)
  bool confirmed = false; ///< the log holds exactly that record
  bool counted = false;   ///< confirmed and hub-signed: raises `witnessed_to`
};

struct audit_report {
  uint64_t records = 0;
  uint64_t documents = 0;
  uint64_t decisions = 0;
  uint64_t checkpoints = 0;
  uint64_t last_checkpoint = 0;  ///< index of the last valid signed checkpoint
  uint64_t unsigned_tail = 0;    ///< records after it, not yet covered by a signature
  uint64_t head_index = 0;       ///< the last record's index
  bytes head_hash;
  uint64_t witnessed_to = 0;     ///< the highest record a hub-signed witness confirmed
  /// Records after both the last signed checkpoint and the last confirmed witness:
  /// they could have been changed or cut off without a trace.
  uint64_t unprotected = 0;
  std::vector<witness_result> witnesses;
  std::vector<audit_problem> problems;
  std::vector<std::string> warnings; ///< true statements that are not proof of tampering
  bool ok() const { return problems.empty(); }
};

/// Walks the whole chain, cross-checks it against the other tables (documents, dedupe,
/// the store's head, and each domain's rows and versioned records through
/// `extensions`) and holds it against `witnesses`. `hub_key` verifies the checkpoints
/// (null: checkpoint signatures are reported as unverified problems). Safe on a live
/// store: the other tables are read before the chain, so a commit in between is never
/// mistaken for a removal. Without the extensions of the modules that wrote the store,
/// their rows are not checked (a log cut off behind them may go unnamed).
audit_report audit_evidence(const store_reader& db, const crypto::public_key* hub_key,
                            const std::vector<audit_witness>& witnesses = {},
                            const std::vector<audit_extension>& extensions = {});

/// Every registered module's audit extensions (domain_module::audit), in module order.
std::vector<audit_extension> module_audit_extensions();

/// The log's head as read by `current_head`.
struct log_head {
  evidence_head head; ///< the last record (index 0: an empty log)
  std::optional<evidence_head> stored; ///< the store's head record, when it disagrees
  /// Non-empty: the store's head record (meta evidence-head) is past the log's end, or
  /// another hash is at its index: what a cut-off log looks like. Both are named; such
  /// a head must never be exported as a witness, let alone signed.
  std::string disagreement;
};

/// The log's head as it is now: the store's head record, followed forward to the last
/// record (a live hub may have committed since), or, without one, the whole chain
/// walked. A head record the log disagrees with is reported, never silently replaced.
caf::expected<log_head> current_head(const store_reader& db);

/// "ACTUAL, expected EXPECTED (first difference at hex digit N)": both hashes in full,
/// so that two different hashes never look alike in a report.
std::string hash_difference(const bytes& actual, const bytes& expected);

} // namespace hub
