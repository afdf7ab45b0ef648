#include "actors/registry/party_registry.hpp"

#include <algorithm>

#include <capnp/message.h>
#include <capnp/serialize.h>

#include "actors/core/frames.hpp"
#include "actors/store/storage.hpp"
#include "schemas/stored.capnp.h"

namespace hub {

const std::string& party::attribute(const std::string& key) const {
  static const std::string none;
  auto i = attributes.find(key);
  return i == attributes.end() ? none : i->second;
}

const char* to_string(action x) {
  switch (x) {
    case action::send: return "send";
    case action::read: return "read";
    case action::receive: return "receive";
  }
  return "?";
}

namespace {

std::string cache_key(std::string_view party, std::string_view key_id) {
  std::string k{party};
  k += '\0';
  k += key_id;
  return k;
}

/// Merges `add` into `keys` by id; the stricter validity of a key present in both wins.
void merge_keys(std::vector<party_key>& keys, const std::vector<party_key>& add) {
  for (auto& k : add) {
    auto i = std::find_if(keys.begin(), keys.end(),
                          [&k](const party_key& x) { return x.id == k.id; });
    if (i == keys.end()) {
      keys.push_back(k);
      continue;
    }
    i->valid_from_ms = std::max(i->valid_from_ms, k.valid_from_ms);
    if (i->valid_until_ms == 0 || (k.valid_until_ms != 0 && k.valid_until_ms < i->valid_until_ms))
      i->valid_until_ms = k.valid_until_ms;
  }
}

std::vector<party_key> read_key_list(capnp::List<stored::KeyRecord>::Reader xs) {
  std::vector<party_key> out;
  for (auto k : xs)
    out.push_back(party_key{k.getId(), k.getPublicKey(), k.getValidFrom(), k.getValidUntil()});
  return out;
}

void write_key_list(capnp::List<stored::KeyRecord>::Builder out,
                    const std::vector<party_key>& keys) {
  for (unsigned i = 0; i < keys.size(); ++i) {
    out[i].setId(keys[i].id);
    out[i].setPublicKey(keys[i].text);
    out[i].setValidFrom(keys[i].valid_from_ms);
    out[i].setValidUntil(keys[i].valid_until_ms);
  }
}

std::map<std::string, party> stored_parties(const store_reader& reader) {
  std::map<std::string, party> out;
  reader.for_each(table::parties, [&out](const bytes&, const bytes& val) {
    auto msg = aligned_message::copy(val.data(), val.size(), ec::store_failure);
    if (!msg)
      return true; // unreadable record: skip it; the config can re-register the party
    with_root<stored::PartyRecord>(*msg, ec::store_failure, [&out](stored::PartyRecord::Reader r) {
      party p;
      p.id = r.getId();
      p.role = r.getRole();
      p.name = r.getName();
      p.enabled = r.getEnabled();
      p.curve_keys = read_key_list(r.getCurveKeys());
      if (p.curve_keys.empty() && r.getCurvePublicKey().size() > 0) // version 1 record
        p.curve_keys.push_back(party_key{r.getCurvePublicKey(), r.getCurvePublicKey(), 0, 0});
      p.signing_keys = read_key_list(r.getSigningKeys());
      for (auto a : r.getSignatureAlgorithms())
        if (auto alg = crypto::algorithm_from_string(a.cStr()))
          p.algorithms.insert(*alg);
      out[p.id] = std::move(p);
      return caf::error{};
    });
    return true;
  });
  return out;
}

} // namespace

caf::expected<std::shared_ptr<const party_registry>>
party_registry::build(const hub_config& cfg, const store_reader* reader) {
  auto reg = std::make_shared<party_registry>();
  auto merged = reader != nullptr ? stored_parties(*reader) : std::map<std::string, party>{};
  for (auto& pc : cfg.parties) {
    auto& p = merged[pc.id];
    p.id = pc.id;
    p.role = pc.role;
    p.name = pc.name;
    p.enabled = pc.enabled;
    p.attributes = pc.attributes;
    std::vector<party_key> curve;
    if (!pc.curve_public_key.empty())
      curve.push_back(party_key{pc.curve_public_key, pc.curve_public_key, 0, 0});
    for (auto& k : pc.curve_keys)
      curve.push_back(party_key{k.public_key, k.public_key, k.valid_from_ms, k.valid_until_ms});
    merge_keys(p.curve_keys, curve);
    std::vector<party_key> signing;
    for (auto& k : pc.signing_keys) {
      auto parsed = crypto::public_key::from_pem(k.public_key);
      if (!parsed)
        return caf::make_error(ec::invalid_config, "party " + pc.id + ": signing key "
                                                     + (k.id.empty() ? "" : k.id + " ")
                                                     + context_text(parsed.error()));
      auto id = k.id.empty() ? parsed->fingerprint() : k.id;
      signing.push_back(party_key{id, k.public_key, k.valid_from_ms, k.valid_until_ms});
    }
    merge_keys(p.signing_keys, signing);
    if (!pc.signature_algorithms.empty()) {
      p.algorithms.clear();
      for (auto& a : pc.signature_algorithms)
        if (auto alg = crypto::algorithm_from_string(a))
          p.algorithms.insert(*alg);
    }
  }
  for (auto& [id, p] : merged) {
    if (cfg.roles.count(p.role) == 0)
      continue; // a stored party whose role the config no longer defines cannot act
    for (auto& k : p.signing_keys) {
      auto parsed = crypto::public_key::from_pem(k.text);
      if (!parsed)
        return caf::make_error(ec::invalid_config, "party " + p.id + ": signing key " + k.id
                                                     + ": " + context_text(parsed.error()));
      reg->parsed_.emplace(cache_key(p.id, k.id), *parsed);
    }
    if (p.algorithms.empty()) // registered algorithms default to those of its keys
      for (auto& k : p.signing_keys)
        p.algorithms.insert(reg->parsed_.at(cache_key(p.id, k.id)).alg());
    reg->parties_.push_back(p);
  }
  reg->roles_ = cfg.roles;
  reg->required_ = cfg.signatures_required;
  reg->key_admins_ = cfg.key_admin_roles;
  reg->index();
  return std::shared_ptr<const party_registry>{std::move(reg)};
}

void party_registry::index() {
  by_id_.clear();
  by_curve_.clear();
  for (size_t i = 0; i < parties_.size(); ++i) {
    by_id_.emplace(parties_[i].id, i);
    for (auto& k : parties_[i].curve_keys)
      by_curve_.emplace(k.text, i); // config validation keeps keys unique
  }
}

std::optional<std::pair<const party*, const party_key*>>
party_registry::by_curve_key(std::string_view z85) const {
  auto i = by_curve_.find(z85);
  if (i == by_curve_.end())
    return std::nullopt;
  auto& p = parties_[i->second];
  for (auto& k : p.curve_keys)
    if (k.text == z85)
      return std::make_pair(&p, &k);
  return std::nullopt;
}

const party* party_registry::by_id(std::string_view id) const {
  auto i = by_id_.find(id);
  return i == by_id_.end() ? nullptr : &parties_[i->second];
}

std::optional<std::pair<const party_key*, crypto::public_key>>
party_registry::signing_key(std::string_view party_id, std::string_view key_id) const {
  auto* p = by_id(party_id);
  if (p == nullptr)
    return std::nullopt;
  for (auto& k : p->signing_keys)
    if (k.id == key_id) {
      auto i = parsed_.find(cache_key(party_id, key_id));
      if (i == parsed_.end())
        return std::nullopt;
      return std::make_pair(&k, i->second);
    }
  return std::nullopt;
}

bool party_registry::curve_key_valid(std::string_view party_id, std::string_view z85,
                                     int64_t now_ms) const {
  auto* p = by_id(party_id);
  if (p == nullptr || !p->enabled)
    return false;
  for (auto& k : p->curve_keys)
    if (k.text == z85)
      return k.valid_at(now_ms);
  return false;
}

bool party_registry::may(std::string_view role, action what, std::string_view type) const {
  auto i = roles_.find(std::string{role});
  if (i == roles_.end())
    return false;
  auto& list = what == action::send ? i->second.send
               : what == action::read ? i->second.read
                                      : i->second.receive;
  return std::find(list.begin(), list.end(), type) != list.end();
}

bool party_registry::must_sign(std::string_view role, std::string_view type) const {
  auto i = required_.find(std::string{type});
  if (i == required_.end())
    return false;
  return std::any_of(i->second.begin(), i->second.end(),
                     [role](const std::string& r) { return r == "*" || r == role; });
}

bool party_registry::is_key_admin(std::string_view role) const {
  return std::find(key_admins_.begin(), key_admins_.end(), role) != key_admins_.end();
}

caf::expected<std::shared_ptr<const party_registry>>
party_registry::with_rotation(std::string_view party_id, bool signing, party_key new_key,
                              int64_t overlap_ms, int64_t now_ms) const {
  auto next = std::make_shared<party_registry>(*this);
  auto i = next->by_id_.find(party_id);
  if (i == next->by_id_.end())
    return caf::make_error(ec::unknown_recipient, "no party " + std::string{party_id});
  auto& p = next->parties_[i->second];
  auto& keys = signing ? p.signing_keys : p.curve_keys;
  for (auto& k : keys) {
    if (k.id == new_key.id)
      return caf::make_error(ec::invalid_field, "key " + new_key.id + " is already registered");
    auto until = now_ms + overlap_ms;
    if (k.valid_until_ms == 0 || k.valid_until_ms > until)
      k.valid_until_ms = until;
  }
  if (signing) {
    auto parsed = crypto::public_key::from_pem(new_key.text);
    if (!parsed)
      return parsed.error();
    p.algorithms.insert(parsed->alg());
    next->parsed_.emplace(cache_key(p.id, new_key.id), *parsed);
  } else if (next->by_curve_.count(new_key.text) != 0) {
    return caf::make_error(ec::invalid_field, "CURVE key already registered");
  }
  new_key.valid_from_ms = now_ms;
  keys.push_back(std::move(new_key));
  next->index();
  return std::shared_ptr<const party_registry>{std::move(next)};
}

table_op party_registry::party_op(const party& p) const {
  capnp::MallocMessageBuilder mb;
  auto r = mb.initRoot<stored::PartyRecord>();
  r.setId(p.id);
  r.setRole(p.role);
  r.setName(p.name);
  if (!p.curve_keys.empty())
    r.setCurvePublicKey(p.curve_keys.front().text);
  r.setEnabled(p.enabled);
  write_key_list(r.initCurveKeys(static_cast<unsigned>(p.curve_keys.size())), p.curve_keys);
  write_key_list(r.initSigningKeys(static_cast<unsigned>(p.signing_keys.size())), p.signing_keys);
  auto algs = r.initSignatureAlgorithms(static_cast<unsigned>(p.algorithms.size()));
  unsigned n = 0;
  for (auto a : p.algorithms)
    algs.set(n++, crypto::to_string(a));
  return table_op{std::string{table::parties}, bytes(p.id.begin(), p.id.end()), to_bytes(mb),
                  false};
}

std::vector<table_op> party_registry::to_table_ops() const {
  std::vector<table_op> ops;
  for (auto& p : parties_)
    ops.push_back(party_op(p));
  return ops;
}

} // namespace hub
