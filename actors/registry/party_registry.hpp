#pragma once
// The party registry: who may connect (CURVE key -> party), with which role, and
// the permission table ("power list") of role x document type x action. Built at
// start from the config merged with the parties table in LMDB; immutable afterwards,
// so the ZAP thread, the gateway thread and every actor may read it concurrently.

#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "actors/actors.hpp"
#include "actors/core/config.hpp"

namespace hub {

class store_reader;

struct party {
  std::string id;
  std::string role;
  std::string name;
  std::string curve_public_key; ///< Z85
  bool enabled = true;
};

class party_registry {
public:
  /// Parties from LMDB (registered earlier) overlaid with the config's (which win),
  /// and the roles of the config. `reader` may be null (no stored parties).
  static std::shared_ptr<const party_registry> build(const hub_config& cfg,
                                                     const store_reader* reader);

  /// The enabled-or-not party owning this CURVE key, or nullptr.
  const party* by_key(std::string_view z85) const;
  /// The party with this id, or nullptr.
  const party* by_id(std::string_view id) const;
  /// Whether `role` may send documents of `type`.
  bool may_send(std::string_view role, std::string_view type) const;
  /// Whether documents of `type` may be routed to a party of `role`.
  bool may_receive(std::string_view role, std::string_view type) const;

  const std::vector<party>& parties() const { return parties_; }
  const std::map<std::string, role_config>& roles() const { return roles_; }

  /// Table ops that store every party in LMDB (written once at start).
  std::vector<table_op> to_table_ops() const;

private:
  std::vector<party> parties_;
  std::map<std::string, size_t, std::less<>> by_id_;
  std::map<std::string, size_t, std::less<>> by_key_;
  std::map<std::string, role_config> roles_;
  std::map<std::string, std::set<std::string, std::less<>>, std::less<>> send_;
  std::map<std::string, std::set<std::string, std::less<>>, std::less<>> receive_;
};

} // namespace hub
