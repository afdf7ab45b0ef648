#include "actors/store/audit_tables.hpp"

#include <algorithm>

#include "actors/core/frames.hpp"
#include "actors/store/storage.hpp"
#include "schemas/stored.capnp.h"
#include "actors/customs/customs_tables.hpp"

namespace hub {

namespace {

std::string text_of(const bytes& b) {
  return std::string(b.begin(), b.end());
}

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

/// (declarant \0 declarationId) -> case id, as "DECLARANT/DECLARATION".
std::string ref_name(const bytes& key) {
  auto s = text_of(key);
  auto nul = s.find('\0');
  return nul == std::string::npos ? s : s.substr(0, nul) + "/" + s.substr(nul + 1);
}

} // namespace

std::string message_name(const std::string& sender, const bytes& message_id) {
  return sender + " message " + to_hex(message_id);
}

store_references read_references(const store_reader& db) {
  store_references out;
  // 1. The store's own head, before anything it could be compared with.
  bytes head_key(evidence_head_key.begin(), evidence_head_key.end());
  if (auto raw = db.get(table::meta, head_key)) {
    out.head = decode_head(*raw);
    if (!out.head)
      out.problems.push_back({0, 0, "the store's head record (meta " + std::string{evidence_head_key}
                                      + ") is unreadable"});
  }
  // 2. Case references, then the cases they name.
  std::vector<std::pair<bytes, std::string>> refs;
  db.for_each(customs::tables::case_refs, [&refs](const bytes& key, const bytes& val) {
    refs.emplace_back(key, text_of(val));
    return true;
  });
  std::set<std::string> case_ids;
  db.for_each(customs::tables::cases, [&out, &case_ids](const bytes& key, const bytes& val) {
    case_reference c;
    c.case_id = text_of(key);
    case_ids.insert(c.case_id);
    if (!read_row<stored::StoredCase>(val, [&c](stored::StoredCase::Reader r) {
          c.declarant = r.getDeclarant();
          auto id = r.getMessageId();
          c.message_id.assign(id.begin(), id.end());
        }))
      out.problems.push_back({0, 0, "case " + c.case_id + " is unreadable"});
    else
      out.cases.push_back(std::move(c));
    return true;
  });
  for (auto& [key, case_id] : refs)
    if (case_ids.count(case_id) == 0)
      out.problems.push_back({0, 0, "case reference " + ref_name(key) + " names case " + case_id
                                      + ", which is missing (removed)"});
  // 3. The dedupe entry of each case's declaration, then every dedupe entry.
  for (auto& c : out.cases) {
    auto raw = db.get(table::dedupe, dedupe_key(c.declarant, c.message_id));
    if (!raw || !read_row<stored::DedupeEntry>(*raw, [&c](stored::DedupeEntry::Reader e) {
          c.sequence = e.getSequence();
        }))
      out.problems.push_back({0, 0, "case " + c.case_id + ": its declaration ("
                                      + message_name(c.declarant, c.message_id)
                                      + ") has no dedupe entry (removed)"});
  }
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
  // 4. Documents and the newest rule set.
  db.for_each(table::documents, [&out](const bytes& key, const bytes&) {
    out.documents.insert(from_be64(key));
    return true;
  });
  db.for_each(customs::tables::rule_sets, [&out](const bytes& key, const bytes&) {
    out.last_rule_set = std::max(out.last_rule_set, from_be64(key));
    return true;
  });
  return out;
}

} // namespace hub
