#pragma once
// What the parcel matcher reads: LMDB as committed, under the writes it has sent to
// the store but not yet seen committed (group commit answers later), under the writes
// of the message it is deciding now. A refused commit drops the overlay (the store
// fences the matcher until it resyncs, so nothing built on it is committed).

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "actors/actors.hpp"
#include "actors/store/storage.hpp"

namespace hub::ecommerce {

class table_view {
public:
  explicit table_view(std::shared_ptr<const store_reader> reader) : reader_(std::move(reader)) {}

  std::optional<bytes> get(const std::string& table, const bytes& key) const;
  /// Writes of one commit (`commit_id` names it for committed()).
  void apply(const std::vector<table_op>& ops, uint64_t commit_id);
  /// The commit landed: its writes are in LMDB now (unless a later write covers them).
  void committed(uint64_t commit_id);
  void clear() {
    overlay_.clear();
    by_commit_.clear();
  }
  size_t pending() const { return overlay_.size(); }
  const store_reader& reader() const { return *reader_; }

private:
  struct entry {
    std::optional<bytes> value; ///< nullopt: erased
    uint64_t commit_id = 0;
  };
  std::shared_ptr<const store_reader> reader_;
  std::map<std::pair<std::string, bytes>, entry> overlay_;
  std::map<uint64_t, std::vector<std::pair<std::string, bytes>>> by_commit_;
};

/// The writes of the message being decided, readable before they are sent.
class txn {
public:
  explicit txn(const table_view& base) : base_(base) {}
  std::optional<bytes> get(const std::string& table, const bytes& key) const;
  void put(const std::string& table, bytes key, bytes value);
  void erase(const std::string& table, bytes key);
  std::vector<table_op> take_ops();

private:
  const table_view& base_;
  std::map<std::pair<std::string, bytes>, std::optional<bytes>> local_;
  std::vector<table_op> ops_;
};

} // namespace hub::ecommerce
