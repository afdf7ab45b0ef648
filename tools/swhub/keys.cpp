// `swhub keys rotate` (register a new CURVE or signing key through the hub, with an
// overlap for the old one) and `swhub keys list` (every party's keys and validity).

#include <capnp/message.h>

#include "actors/core/frames.hpp"
#include "actors/registry/party_registry.hpp"
#include "schemas/keys.capnp.h"
#include "schemas/stored.capnp.h"
#include "tools/swhub/cli.hpp"

namespace swhub_cli {

namespace {

struct rotate_args {
  connection_args conn;
  std::string kind = "signing";
  std::string new_key;     ///< stem from `swhub keygen --out`, or a .curve.pub/.pub.pem file
  std::string party;       ///< whose key; empty = this partner's own
  std::string key_id;      ///< signing: id signatures will name (default: fingerprint)
  double overlap_hours = 24;
};

caf::expected<std::string> read_new_key(const rotate_args& a) {
  bool signing = a.kind == "signing";
  auto path = a.new_key;
  auto ends_with = [&path](const std::string& suffix) {
    return path.size() >= suffix.size()
           && path.compare(path.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  if (signing && !ends_with(".pem"))
    path += ".sign.pub.pem";
  else if (!signing && !ends_with(".pub"))
    path += ".curve.pub";
  auto text = read_text_file(path);
  if (!text)
    return text.error();
  while (!text->empty() && (text->back() == '\n' || text->back() == ' ') && !signing)
    text->pop_back();
  return *text;
}

int run_rotate(const rotate_args& a) {
  if (a.kind != "signing" && a.kind != "curve")
    return print_error("usage", "--kind is signing or curve");
  if (a.overlap_hours < 0)
    return print_error("usage", "--overlap-hours must be >= 0");
  auto key = read_new_key(a);
  if (!key)
    return print_error(key.error());
  capnp::MallocMessageBuilder mb;
  auto r = mb.initRoot<swhub::wire::KeyRotation>();
  r.setParty(a.party);
  r.setKind(a.kind == "signing" ? swhub::wire::KeyKind::SIGNING : swhub::wire::KeyKind::CURVE);
  r.setNewPublicKey(*key);
  r.setNewKeyId(a.key_id);
  r.setOverlapSeconds(static_cast<uint32_t>(a.overlap_hours * 3600));
  hub::outgoing doc;
  doc.document_type = "hub.key-rotation";
  doc.payload = hub::to_bytes(mb);
  zmq::context_t ctx;
  auto client = connect_partner(ctx, a.conn);
  if (!client)
    return print_error(client.error());
  auto rec = (*client)->submit(doc);
  if (!rec)
    return print_error(rec.error());
  print_line(rec->to_json());
  return rec->status == hub::receipt::rejected ? exit_negative : exit_ok;
}

nlohmann::ordered_json keys_json(const std::vector<hub::party_key>& keys) {
  auto out = nlohmann::ordered_json::array();
  auto now = hub::now_ms();
  for (auto& k : keys) {
    nlohmann::ordered_json j{{"id", k.id},
                             {"validFrom", k.valid_from_ms},
                             {"validUntil", k.valid_until_ms},
                             {"validNow", k.valid_at(now)}};
    out.push_back(j);
  }
  return out;
}

int run_list(const database_args& a) {
  auto db = open_database(a);
  if (!db)
    return print_error(db.error());
  // The stored registry, with every rotation.
  auto parties = nlohmann::ordered_json::array();
  (*db)->for_each(hub::table::parties, [&parties](const hub::bytes&, const hub::bytes& val) {
    auto msg = hub::aligned_message::copy(val.data(), val.size(), hub::ec::store_failure);
    if (!msg)
      return true;
    hub::with_root<swhub::stored::PartyRecord>(
      *msg, hub::ec::store_failure, [&parties](swhub::stored::PartyRecord::Reader r) {
        auto list = [](capnp::List<swhub::stored::KeyRecord>::Reader xs) {
          std::vector<hub::party_key> keys;
          for (auto k : xs)
            keys.push_back({k.getId(), k.getPublicKey(), k.getValidFrom(), k.getValidUntil()});
          return keys;
        };
        parties.push_back({{"party", r.getId().cStr()},
                           {"role", r.getRole().cStr()},
                           {"curveKeys", keys_json(list(r.getCurveKeys()))},
                           {"signingKeys", keys_json(list(r.getSigningKeys()))}});
        return caf::error{};
      });
    return true;
  });
  print_line({{"dataDir", (*db)->dir()}, {"parties", parties}});
  return exit_ok;
}

} // namespace

void add_keys_commands(CLI::App& app, int& rc) {
  auto* group = app.add_subcommand("keys", "key management (create keys with `swhub keygen`)");
  group->require_subcommand(1);
  {
    auto args = std::make_shared<rotate_args>();
    auto* cmd = group->add_subcommand(
      "rotate", "register a new key with the hub; the old keys of that kind stay valid for "
                "--overlap-hours, then are refused. Exit 0 accepted, 2 rejected, 1 error");
    add_connection_options(*cmd, args->conn);
    cmd->add_option("--kind", args->kind, "signing or curve")->capture_default_str();
    cmd->add_option("--new", args->new_key,
                    "the new key: a stem from `swhub keygen --out` or its public key file")
      ->required();
    cmd->add_option("--party", args->party,
                    "whose key (default: your own; other parties need a key admin role)");
    cmd->add_option("--key-id", args->key_id, "signing: the key id (default: fingerprint)");
    cmd->add_option("--overlap-hours", args->overlap_hours,
                    "how long the old keys stay valid")
      ->capture_default_str();
    cmd->callback([args, &rc]() { rc = run_rotate(*args); });
  }
  {
    auto args = std::make_shared<database_args>();
    auto* cmd = group->add_subcommand(
      "list", "every party's CURVE and signing keys with their validity (read-only)");
    add_database_options(*cmd, *args);
    cmd->callback([args, &rc]() { rc = run_list(*args); });
  }
}

} // namespace swhub_cli
