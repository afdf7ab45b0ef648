#include "actors/store/audit_tables.hpp"

#include <algorithm>

#include "actors/core/frames.hpp"
#include "actors/store/storage.hpp"
#include "schemas/stored.capnp.h"

namespace hub {

namespace {

/// Decodes a stored Cap'n Proto row; false if it is unreadable.
template <class T, class F>
bool read_row(const bytes& value, F&& fn) {
  auto msg = aligned_message::copy(value.data(), value.size(), ec::store_failure);
  if (!msg)
    return false;
  return !with_root<T>(*msg, ec::store_failure, [&fn](typename T::Reader r) {
    fn(r);
    return caf::error{};
  });
}

} // namespace

std::string message_name(const std::string& sender, const bytes& message_id) {
  return sender + " message " + to_hex(message_id);
}

std::optional<uint64_t> dedupe_sequence(const store_reader& db, const std::string& sender,
                                        const bytes& message_id) {
  auto raw = db.get(table::dedupe, dedupe_key(sender, message_id));
  uint64_t sequence = 0;
  if (!raw || !read_row<stored::DedupeEntry>(*raw, [&sequence](stored::DedupeEntry::Reader e) {
        sequence = e.getSequence();
      }))
    return std::nullopt;
  return sequence;
}

store_references read_references(const store_reader& db,
                                 const std::vector<audit_extension>& extensions) {
  store_references out;
  // 1. The store's own head, before anything it could be compared with.
  bytes head_key(evidence_head_key.begin(), evidence_head_key.end());
  if (auto raw = db.get(table::meta, head_key)) {
    out.head = decode_head(*raw);
    if (!out.head)
      out.problems.push_back({0, 0, "the store's head record (meta " + std::string{evidence_head_key}
                                      + ") is unreadable"});
  }
  // 2. Each domain's rows, which name documents (by dedupe entry or sequence).
  for (auto& x : extensions) {
    auto refs = x.read_references(db);
    out.domain.insert(out.domain.end(), refs.documents.begin(), refs.documents.end());
    out.problems.insert(out.problems.end(), refs.problems.begin(), refs.problems.end());
  }
  // 3. Every dedupe entry.
  db.for_each(table::dedupe, [&out](const bytes& key, const bytes& val) {
    dedupe_reference d;
    auto nul = std::find(key.begin(), key.end(), uint8_t{0});
    d.sender.assign(key.begin(), nul);
    if (nul != key.end())
      d.message_id.assign(nul + 1, key.end());
    if (!read_row<stored::DedupeEntry>(val, [&d](stored::DedupeEntry::Reader e) {
          d.sequence = e.getSequence();
          d.evidence_index = e.getEvidenceIndex();
          auto h = e.getEvidenceHash();
          d.evidence_hash.assign(h.begin(), h.end());
        }))
      out.problems.push_back({0, 0, "dedupe entry of " + message_name(d.sender, d.message_id)
                                      + " is unreadable"});
    else
      out.dedupe.push_back(std::move(d));
    return true;
  });
  // 4. Documents, then each domain's newest versioned records.
  db.for_each(table::documents, [&out](const bytes& key, const bytes&) {
    out.documents.insert(from_be64(key));
    return true;
  });
  for (auto& x : extensions)
    for (auto& v : x.versioned)
      out.versioned.push_back({&v, v.newest(db)});
  return out;
}

} // namespace hub
