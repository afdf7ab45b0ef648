#include "actors/registry/party_registry.hpp"

#include <capnp/message.h>
#include <capnp/serialize.h>

#include "actors/core/frames.hpp"
#include "actors/store/storage.hpp"
#include "schemas/stored.capnp.h"

namespace hub {

std::shared_ptr<const party_registry> party_registry::build(const hub_config& cfg,
                                                            const store_reader* reader) {
  auto reg = std::make_shared<party_registry>();
  std::map<std::string, party> merged;
  if (reader != nullptr) {
    reader->for_each(table::parties, [&merged](const bytes&, const bytes& val) {
      auto msg = aligned_message::copy(val.data(), val.size(), ec::store_failure);
      if (!msg)
        return true; // unreadable record: skip it; the config can re-register the party
      with_root<stored::PartyRecord>(*msg, ec::store_failure,
                                     [&merged](stored::PartyRecord::Reader r) {
                                       party p{r.getId(), r.getRole(), r.getName(),
                                               r.getCurvePublicKey(), r.getEnabled()};
                                       merged[p.id] = p;
                                       return caf::error{};
                                     });
      return true;
    });
  }
  for (auto& pc : cfg.parties)
    merged[pc.id] = party{pc.id, pc.role, pc.name, pc.curve_public_key, pc.enabled};
  for (auto& [id, p] : merged) {
    if (cfg.roles.count(p.role) == 0)
      continue; // a stored party whose role the config no longer defines cannot act
    if (reg->by_key_.count(p.curve_public_key) != 0)
      continue; // config already validated uniqueness; stored duplicates lose
    reg->by_id_.emplace(id, reg->parties_.size());
    reg->by_key_.emplace(p.curve_public_key, reg->parties_.size());
    reg->parties_.push_back(p);
  }
  reg->roles_ = cfg.roles;
  for (auto& [role, rc] : cfg.roles) {
    reg->send_[role].insert(rc.send.begin(), rc.send.end());
    reg->receive_[role].insert(rc.receive.begin(), rc.receive.end());
  }
  return reg;
}

const party* party_registry::by_key(std::string_view z85) const {
  auto i = by_key_.find(z85);
  return i == by_key_.end() ? nullptr : &parties_[i->second];
}

const party* party_registry::by_id(std::string_view id) const {
  auto i = by_id_.find(id);
  return i == by_id_.end() ? nullptr : &parties_[i->second];
}

bool party_registry::may_send(std::string_view role, std::string_view type) const {
  auto i = send_.find(role);
  return i != send_.end() && i->second.count(type) != 0;
}

bool party_registry::may_receive(std::string_view role, std::string_view type) const {
  auto i = receive_.find(role);
  return i != receive_.end() && i->second.count(type) != 0;
}

std::vector<table_op> party_registry::to_table_ops() const {
  std::vector<table_op> ops;
  for (auto& p : parties_) {
    capnp::MallocMessageBuilder mb;
    auto r = mb.initRoot<stored::PartyRecord>();
    r.setId(p.id);
    r.setRole(p.role);
    r.setName(p.name);
    r.setCurvePublicKey(p.curve_public_key);
    r.setEnabled(p.enabled);
    ops.push_back(table_op{std::string{table::parties}, bytes(p.id.begin(), p.id.end()),
                           to_bytes(mb), false});
  }
  return ops;
}

} // namespace hub
