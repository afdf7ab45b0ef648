#include "actors/customs/customs_audit.hpp"

#include <algorithm>
#include <set>
#include <utility>

#include "actors/core/frames.hpp"
#include "actors/crypto/digest.hpp"
#include "actors/store/evidence.hpp"
#include "actors/customs/customs_tables.hpp"
#include "actors/risk/rule_book.hpp"
#include "actors/store/storage.hpp"
#include "schemas/stored.capnp.h"

namespace hub::customs {

namespace {

std::string text_of(const bytes& b) {
  return std::string(b.begin(), b.end());
}

/// (declarant \0 declarationId) -> case id, as "DECLARANT/DECLARATION".
std::string ref_name(const bytes& key) {
  auto s = text_of(key);
  auto nul = s.find('\0');
  return nul == std::string::npos ? s : s.substr(0, nul) + "/" + s.substr(nul + 1);
}

/// Only the fields the audit needs: a damaged field elsewhere in a case does not hide
/// its declaration.
bool read_case(const bytes& value, std::string& declarant, bytes& message_id) {
  auto msg = aligned_message::copy(value.data(), value.size(), ec::store_failure);
  if (!msg)
    return false;
  return !with_root<stored::StoredCase>(*msg, ec::store_failure,
                                        [&](stored::StoredCase::Reader r) {
    declarant = r.getDeclarant();
    auto id = r.getMessageId();
    message_id.assign(id.begin(), id.end());
    return caf::error{};
  });
}

audit_references read_case_references(const store_reader& db) {
  audit_references out;
  // Case references, then the cases they name, then their declarations' dedupe entries.
  std::vector<std::pair<bytes, std::string>> refs;
  db.for_each(tables::case_refs, [&refs](const bytes& key, const bytes& val) {
    refs.emplace_back(key, text_of(val));
    return true;
  });
  struct declaration {
    std::string case_id;
    std::string declarant;
    bytes message_id;
  };
  std::vector<declaration> cases;
  std::set<std::string> case_ids;
  db.for_each(tables::cases, [&out, &cases, &case_ids](const bytes& key, const bytes& val) {
    declaration c;
    c.case_id = text_of(key);
    case_ids.insert(c.case_id);
    if (!read_case(val, c.declarant, c.message_id))
      out.problems.push_back({0, 0, "case " + c.case_id + " is unreadable"});
    else
      cases.push_back(std::move(c));
    return true;
  });
  for (auto& [key, case_id] : refs)
    if (case_ids.count(case_id) == 0)
      out.problems.push_back({0, 0, "case reference " + ref_name(key) + " names case " + case_id
                                      + ", which is missing (removed)"});
  for (auto& c : cases) {
    auto sequence = dedupe_sequence(db, c.declarant, c.message_id);
    if (!sequence)
      out.problems.push_back({0, 0, "case " + c.case_id + ": its declaration ("
                                      + message_name(c.declarant, c.message_id)
                                      + ") has no dedupe entry (removed)"});
    else if (*sequence != 0)
      out.documents.push_back({"case " + c.case_id + ": its declaration ("
                                 + message_name(c.declarant, c.message_id) + ")",
                               *sequence});
  }
  return out;
}

uint64_t newest_rule_set(const store_reader& db) {
  uint64_t newest = 0;
  db.for_each(tables::rule_sets, [&newest](const bytes& key, const bytes&) {
    if (auto id = risk::rule_book_id_of(key))
      newest = std::max(newest, id->version);
    return true;
  });
  return newest;
}

/// The digits of `text` from `at` to its end (0 if none, not only digits, or too long).
uint64_t number_to_end(const std::string& text, size_t at) {
  if (at >= text.size() || text.size() - at > 19)
    return 0;
  uint64_t v = 0;
  for (auto i = at; i < text.size(); ++i) {
    if (text[i] < '0' || text[i] > '9')
      return 0;
    v = v * 10 + static_cast<uint64_t>(text[i] - '0');
  }
  return v;
}

} // namespace

uint64_t rule_set_version_in(const evidence_entry& e) {
  static const std::string loaded = "risk rule set version ";
  static const std::string suffix = "; rule set version ";
  const auto& d = e.detail;
  if (e.party == "hub" && e.message_id.empty() && d.compare(0, loaded.size(), loaded) == 0) {
    auto end = d.find(" from ", loaded.size());
    return end == std::string::npos ? 0 : number_to_end(d.substr(0, end), loaded.size());
  }
  // The risk centre's decisions are digests of their own text; a case decision's digest
  // also covers its case id, so a declarant's reason never ends up here.
  if (e.digest != sha256(reinterpret_cast<const uint8_t*>(d.data()), d.size()))
    return 0;
  auto at = d.rfind(suffix);
  if (at == std::string::npos)
    return 0;
  // What the hub wrote after the instruction id (an officer's text, before it) names
  // the action; the first of these is the hub's.
  const std::string& by = e.party;
  size_t issued = d.find(" issued by " + by + " (level ");
  size_t revoked = d.find(" revoked by " + by + suffix);
  size_t proposed = d.find(" proposed to level 1 by " + by + " of ");
  bool instruction = d.compare(0, 20, "control instruction ") == 0
                     && std::min(issued, revoked) < std::min(proposed, at);
  bool approval = d.compare(0, 9, "proposal ") == 0
                  && d.find(" approved by " + by + ": national ") < at;
  if (!instruction && !approval)
    return 0;
  return number_to_end(d, at + suffix.size());
}

hub::audit_extension audit_extension() {
  hub::audit_extension x;
  x.domain = "customs";
  x.read_references = read_case_references;
  x.versioned.push_back({"rule set", rule_set_version_in, newest_rule_set});
  return x;
}

} // namespace hub::customs
