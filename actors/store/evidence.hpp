#pragma once
// The evidence log: a hash chain of every accepted document digest and every decision,
// appended in the same transaction as the state it describes, with checkpoints the hub
// signs. This header defines a record's canonical form and hash, shared by the store
// (which appends) and the auditor (which verifies, actors/store/audit.hpp).

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include <caf/expected.hpp>

#include "actors/actors.hpp"

namespace hub {

struct evidence_entry {
  enum kind_t : uint8_t { document = 0, decision = 1, checkpoint = 2 };
  uint64_t index = 0;
  bytes prev_hash; ///< 32 bytes; all zero before the first record
  kind_t kind = document;
  int64_t hub_time = 0;
  uint64_t sequence = 0;
  std::string party;
  bytes message_id;
  bytes digest;
  std::string detail;
  std::string checkpoint_key_id;
  bytes checkpoint_signature;
  bytes frame_hash; ///< document: SHA-256 of the stored frame (covers signature bytes too)
  bytes hash;
};

/// SHA-256 over "swhub-evidence-v1" and every field but `hash`, length-prefixed.
bytes evidence_hash(const evidence_entry& e);

/// What a checkpoint signs: "swhub-checkpoint-v1", its index and the chain head before it.
bytes checkpoint_signing_input(uint64_t index, const bytes& prev_hash);

/// Cap'n Proto encoding (stored.capnp EvidenceRecord) and back.
bytes encode(const evidence_entry& e);
caf::expected<evidence_entry> decode_evidence(const bytes& value);

/// The chain head: the last record's index and hash (index 0: an empty log).
struct evidence_head {
  uint64_t index = 0;
  bytes hash; ///< 32 bytes
};

/// Key in `meta` of the head as of the last commit, written in the same transaction as
/// the records it ends with. The auditor holds the log against it: a log that ends
/// before it was cut off (docs/design.md, "Evidence log").
inline constexpr std::string_view evidence_head_key = "evidence-head";

/// u64 big-endian index, then the 32-byte hash; nullopt if `value` is not that.
bytes encode_head(const evidence_head& h);
std::optional<evidence_head> decode_head(const bytes& value);

/// What a head exported by `swhub audit head --sign-key` is signed over:
/// "swhub-evidence-head-v1", its index and hash.
bytes head_signing_input(const evidence_head& h);

/// Signs checkpoint inputs: returns (key id, signature).
using checkpoint_signer
  = std::function<caf::expected<std::pair<std::string, bytes>>(const bytes& input)>;

/// When the store writes a checkpoint.
struct checkpoint_policy {
  uint64_t every = 10000;                 ///< records between checkpoints
  int64_t interval_ms = 60000;            ///< or this long after the last one
  checkpoint_signer sign;                 ///< null: no checkpoints
};

} // namespace hub
