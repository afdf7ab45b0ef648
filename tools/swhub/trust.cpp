// `swhub receipt verify` (offline check of a hub-signed receipt) and
// `swhub permissions` (the power list of a configuration). `swhub audit` is audit.cpp.

#include <algorithm>

#include "actors/core/config.hpp"
#include "actors/core/error.hpp"
#include "actors/core/frames.hpp"
#include "actors/crypto/signature.hpp"
#include "actors/intake/document_types.hpp"
#include "tools/swhub/cli.hpp"

namespace swhub_cli {

namespace {

struct receipt_verify_args {
  std::string receipt = "-";                        ///< JSON file, "-" = stdin
  std::string hub_key = "var/keys/hub.sign.pub.pem"; ///< the hub's signing public key
  std::string message_id;                           ///< expected message id (hex)
  std::string party;                                ///< expected party
};

int run_receipt_verify(const receipt_verify_args& a) {
  auto text = read_text_file(a.receipt);
  if (!text)
    return print_error(text.error());
  auto j = nlohmann::json::parse(*text, nullptr, false);
  if (j.is_discarded())
    return print_error("invalid_field", a.receipt + ": not JSON (give one receipt as printed "
                                                    "by `swhub submit`)");
  auto r = hub::receipt::from_json(j);
  if (!r)
    return print_error(r.error());
  auto key = read_public_key(a.hub_key);
  if (!key)
    return print_error(key.error());
  auto err = r->verify(*key);
  nlohmann::ordered_json out{{"valid", !err},
                             {"messageId", hub::to_hex(r->message_id)},
                             {"status", hub::to_string(r->status)},
                             {"party", r->party},
                             {"sequence", r->sequence},
                             {"evidenceIndex", r->evidence_index},
                             {"evidenceHash", hub::to_hex(r->evidence_hash)},
                             {"hubKeyId", r->hub_key_id}};
  // A genuine receipt presented for another message or party is not valid for it.
  std::string mismatch;
  if (!a.message_id.empty() && hub::from_hex(a.message_id) != r->message_id)
    mismatch = "the receipt is for message " + hub::to_hex(r->message_id) + ", not "
               + a.message_id;
  else if (!a.party.empty() && a.party != r->party)
    mismatch = "the receipt was issued to " + r->party + ", not " + a.party;
  if (err) {
    out["valid"] = false;
    out["error"] = hub::error_name(err);
    out["reason"] = hub::context_text(err);
  } else if (!mismatch.empty()) {
    out["valid"] = false;
    out["error"] = "receipt_mismatch";
    out["reason"] = mismatch;
  }
  print_line(out);
  return out["valid"].get<bool>() ? exit_ok : exit_negative;
}

int run_permissions(const std::string& config_file) {
  auto cfg = hub::load_config(config_file);
  if (!cfg)
    return print_error(cfg.error());
  auto has = [](const std::vector<std::string>& xs, const std::string& x) {
    return std::find(xs.begin(), xs.end(), x) != xs.end();
  };
  nlohmann::ordered_json roles = nlohmann::ordered_json::object();
  for (auto& [role, rc] : cfg->roles) {
    nlohmann::ordered_json types = nlohmann::ordered_json::object();
    for (auto* t : hub::document_types()) {
      nlohmann::ordered_json actions = nlohmann::ordered_json::array();
      if (has(rc.send, t->name))
        actions.push_back("send");
      if (has(rc.read, t->name))
        actions.push_back("read");
      if (has(rc.receive, t->name))
        actions.push_back("receive");
      auto req = cfg->signatures_required.find(t->name);
      if (has(rc.send, t->name) && req != cfg->signatures_required.end()
          && (has(req->second, role) || has(req->second, "*")))
        actions.push_back("must-sign");
      types[t->name] = actions;
    }
    nlohmann::ordered_json parties = nlohmann::ordered_json::array();
    for (auto& p : cfg->parties)
      if (p.role == role)
        parties.push_back(p.id);
    roles[role] = {{"documents", types}, {"parties", parties}};
  }
  print_line({{"config", config_file}, {"roles", roles}});
  return exit_ok;
}

} // namespace

void add_trust_commands(CLI::App& app, int& rc) {
  {
    auto* group = app.add_subcommand("receipt", "receipt tools");
    group->require_subcommand(1);
    auto args = std::make_shared<receipt_verify_args>();
    auto* cmd = group->add_subcommand(
      "verify", "check a hub-signed receipt offline; exit 0 valid, 2 invalid (altered, "
                "signed by another key, or not the receipt of --message-id/--party)");
    cmd->add_option("receipt", args->receipt, "receipt JSON file (- = stdin)")
      ->capture_default_str();
    cmd->add_option("--hub-key", args->hub_key, "the hub's signing public key (PEM)")
      ->envname("SWHUB_HUB_SIGN_KEY")
      ->capture_default_str();
    cmd->add_option("--message-id", args->message_id, "the message the receipt must be for");
    cmd->add_option("--party", args->party, "the party the receipt must be issued to");
    cmd->callback([args, &rc]() { rc = run_receipt_verify(*args); });
  }
  {
    auto file = std::make_shared<std::string>("config/hub.toml");
    auto* cmd = app.add_subcommand(
      "permissions", "the power list: per role and document type, send/read/receive and "
                     "whether documents must be signed");
    cmd->add_option("--config", *file, "hub configuration")->capture_default_str();
    cmd->callback([file, &rc]() { rc = run_permissions(*file); });
  }
}

} // namespace swhub_cli
