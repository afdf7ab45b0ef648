#pragma once
// The store actor's view of durable storage, and the read side every other component
// uses. LMDB is one implementation (lmdb_storage.hpp); tests add fakes.

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <caf/expected.hpp>

#include "actors/actors.hpp"

namespace hub {

/// The core's table names (LMDB named databases); each module declares its own
/// (domain_module::tables). Keys: see docs/design.md, "Storage layout".
namespace table {
inline constexpr std::string_view meta = "meta";
inline constexpr std::string_view documents = "documents"; // u64 BE sequence
inline constexpr std::string_view dedupe = "dedupe";       // sender \0 message id
inline constexpr std::string_view outbox = "outbox";       // u64 BE notification id
inline constexpr std::string_view parties = "parties";     // party id
inline constexpr std::string_view evidence = "evidence";   // u64 BE index
} // namespace table

/// Everything one group commit writes.
struct write_batch {
  std::vector<document_write> docs;
  std::vector<table_op> ops;
  std::vector<decision_record> decisions;
  std::vector<notice> notices; ///< each becomes an outbox entry with a fresh id
  bool checkpoint = false; ///< sign the chain head now if anything is unsigned (at stop)
};

/// What one group commit did; `docs[i]` answers `batch.docs[i]`.
struct batch_result {
  uint64_t commit = 0;
  std::vector<document_commit> docs;
  std::vector<uint64_t> notice_ids; ///< answers `batch.notices`, in order
};

/// Write side. Not thread-safe: exactly one actor (the store) owns an instance.
class storage {
public:
  virtual ~storage() = default;
  /// Writes the whole batch in one transaction, or nothing. `hub_time` is stamped on
  /// every document. Fails with ec::storage_full or ec::store_failure.
  virtual caf::expected<batch_result> commit(const write_batch& batch, int64_t hub_time) = 0;
  /// After a failed commit: succeeds once writes are possible again. Checks the room
  /// left for the batch that failed, then commits the smallest real write, one that
  /// changes no record and appends no evidence. Fails with the cause (ec::storage_full
  /// or ec::store_failure) while writes are not possible.
  virtual caf::error probe() = 0;
};

/// Read side. Thread-safe: each call is one short read-only transaction.
class store_reader {
public:
  virtual ~store_reader() = default;
  /// One value; fails with ec::not_found.
  virtual caf::expected<bytes> get(std::string_view tbl, const bytes& key) const = 0;
  /// Calls `fn` for every entry in key order until it returns false.
  virtual caf::error for_each(std::string_view tbl,
                              const std::function<bool(const bytes&, const bytes&)>& fn)
    const = 0;
  /// Entries per table.
  virtual std::map<std::string, uint64_t> counts() const = 0;
};

/// Key helpers shared by writers and readers.
bytes be64(uint64_t x);
uint64_t from_be64(const bytes& key);
bytes dedupe_key(std::string_view sender, const bytes& message_id);

} // namespace hub
