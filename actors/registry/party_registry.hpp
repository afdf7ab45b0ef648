#pragma once
// The party registry: who may connect (CURVE key -> party), which signing keys verify
// a party's documents, with which role, and the permission table ("power list") of
// role x document type x action (send, read, receive) plus the signature policy.
// A registry is immutable once built, so the ZAP thread, the gateway thread and every
// actor read it concurrently; key rotation builds a new one and swaps it in through
// registry_holder.

#include <atomic>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "actors/actors.hpp"
#include "actors/core/config.hpp"
#include "actors/crypto/signature.hpp"

namespace hub {

class store_reader;

/// A public key and its validity window (Unix ms; 0 = open).
struct party_key {
  std::string id;   ///< signing: key id used in signatures; CURVE: the Z85 key itself
  std::string text; ///< CURVE: Z85; signing: PEM
  int64_t valid_from_ms = 0;
  int64_t valid_until_ms = 0;
  bool valid_at(int64_t now_ms) const {
    return (valid_from_ms == 0 || now_ms >= valid_from_ms)
           && (valid_until_ms == 0 || now_ms < valid_until_ms);
  }
};

struct party {
  std::string id;
  std::string role;
  std::string name;
  std::vector<party_key> curve_keys;
  std::vector<party_key> signing_keys;
  std::set<crypto::algorithm> algorithms; ///< registered signature algorithms
  bool enabled = true;
  /// Keys a module reads from the party's config (domain_module::party_keys, e.g.
  /// "customs-unit"); config only, never stored.
  std::map<std::string, std::string> attributes;
  /// The attribute `key`, empty if the party has none.
  const std::string& attribute(const std::string& key) const;
};

/// The permission actions of the power list.
enum class action { send, read, receive };
const char* to_string(action x);

class party_registry {
public:
  /// Parties stored in LMDB (with their rotation history) merged with the config's:
  /// keys are merged by id, and a key's validity is the stricter of the two, so a
  /// rotation is never undone by a restart. Fails on unparsable signing keys.
  static caf::expected<std::shared_ptr<const party_registry>>
  build(const hub_config& cfg, const store_reader* reader);

  /// The party owning this CURVE key and the key, or nothing.
  std::optional<std::pair<const party*, const party_key*>> by_curve_key(std::string_view z85) const;
  /// The party with this id, or nullptr.
  const party* by_id(std::string_view id) const;
  /// A party's signing key by key id (any validity), with its parsed public key.
  std::optional<std::pair<const party_key*, crypto::public_key>>
  signing_key(std::string_view party, std::string_view key_id) const;
  /// True if `party` holds CURVE key `z85` and it is valid at `now_ms`.
  bool curve_key_valid(std::string_view party, std::string_view z85, int64_t now_ms) const;

  /// The power list: may `role` do `what` with documents of `type`?
  bool may(std::string_view role, action what, std::string_view type) const;
  bool may_send(std::string_view role, std::string_view type) const {
    return may(role, action::send, type);
  }
  bool may_receive(std::string_view role, std::string_view type) const {
    return may(role, action::receive, type);
  }
  /// Must a sender of `role` sign documents of `type`?
  bool must_sign(std::string_view role, std::string_view type) const;
  /// May a party of `role` rotate other parties' keys ([keys] admin-roles)?
  bool is_key_admin(std::string_view role) const;

  /// A copy in which `party`'s keys of one kind are rotated: `new_key` becomes valid
  /// at `now_ms` and every other key of that kind stays valid for `overlap_ms` more.
  caf::expected<std::shared_ptr<const party_registry>>
  with_rotation(std::string_view party, bool signing, party_key new_key, int64_t overlap_ms,
                int64_t now_ms) const;

  const std::vector<party>& parties() const { return parties_; }

  /// Table ops that store every party (and its key history) in LMDB.
  std::vector<table_op> to_table_ops() const;
  /// The ops storing one party.
  table_op party_op(const party& p) const;

private:
  void index();
  std::vector<party> parties_;
  std::map<std::string, size_t, std::less<>> by_id_;
  std::map<std::string, size_t, std::less<>> by_curve_;
  std::map<std::string, crypto::public_key, std::less<>> parsed_; // "party\0keyid"
  std::map<std::string, role_config> roles_;
  std::map<std::string, std::vector<std::string>> required_;
  std::vector<std::string> key_admins_;
};

/// Holds the current registry; readers take a snapshot, rotation swaps in a new one.
/// Thread-safe.
class registry_holder {
public:
  explicit registry_holder(std::shared_ptr<const party_registry> r) : current_(std::move(r)) {}
  std::shared_ptr<const party_registry> get() const { return std::atomic_load(&current_); }
  void set(std::shared_ptr<const party_registry> r) { std::atomic_store(&current_, std::move(r)); }

private:
  std::shared_ptr<const party_registry> current_; // atomic_load/atomic_store only
};

} // namespace hub
