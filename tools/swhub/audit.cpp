// `swhub audit verify` (the evidence log of a data directory, held against the rest of
// the store and against witnesses kept outside it) and `swhub audit head` (the log's
// head as a witness to keep elsewhere).

#include <iostream>
#include <sstream>

#include "actors/core/error.hpp"
#include "actors/core/frames.hpp"
#include "actors/crypto/hub_signer.hpp"
#include "actors/crypto/signature.hpp"
#include "actors/store/audit.hpp"
#include "actors/store/evidence.hpp"
#include "tools/swhub/cli.hpp"

namespace swhub_cli {

namespace {

/// What `swhub audit head` prints, and what --witness recognises as a head.
constexpr const char* head_kind = "swhub-evidence-head";

struct audit_args {
  database_args db;
  std::string hub_key = "var/keys/hub.sign.pub.pem";
  std::vector<std::string> witnesses;
};

struct head_args {
  database_args db;
  std::string sign_key; ///< the hub's signing key (PEM); empty: the head is not signed
};

/// The JSON values of a witness file: one JSON value (an object or an array of them),
/// or one object per line as `swhub submit` and `swhub audit head` print them.
caf::expected<std::vector<std::pair<std::string, nlohmann::json>>>
witness_values(const std::string& file) {
  auto text = read_text_file(file);
  if (!text)
    return text.error();
  std::vector<std::pair<std::string, nlohmann::json>> out;
  auto whole = nlohmann::json::parse(*text, nullptr, false);
  if (!whole.is_discarded() && whole.is_object()) {
    out.emplace_back(file, std::move(whole));
  } else if (!whole.is_discarded() && whole.is_array()) {
    for (size_t i = 0; i < whole.size(); ++i)
      out.emplace_back(file + " item " + std::to_string(i + 1), whole[i]);
  } else {
    std::istringstream lines{*text};
    std::string line;
    for (size_t n = 1; std::getline(lines, line); ++n) {
      if (line.find_first_not_of(" \t\r") == std::string::npos)
        continue;
      auto j = nlohmann::json::parse(line, nullptr, false);
      if (j.is_discarded())
        return caf::make_error(hub::ec::invalid_field,
                               file + " line " + std::to_string(n)
                                 + ": not JSON (give receipts as `swhub submit` prints them "
                                   "or heads as `swhub audit head` prints them)");
      out.emplace_back(file + " line " + std::to_string(n), std::move(j));
    }
  }
  if (out.empty())
    return caf::make_error(hub::ec::invalid_field, file + ": holds no witness");
  return out;
}

/// A head printed by `swhub audit head`; a signed one must verify with the hub key.
caf::expected<hub::audit_witness> head_witness(const std::string& source, const nlohmann::json& j,
                                               const hub::crypto::public_key& hub_key) {
  hub::audit_witness w;
  w.source = source;
  try {
    w.index = j.at("index").get<uint64_t>();
    w.hash = hub::from_hex(j.at("hash").get<std::string>());
    if (w.index == 0 || w.hash.size() != 32)
      return caf::make_error(hub::ec::invalid_field,
                             source + ": a head needs an index > 0 and a 64-hex-digit hash");
    auto sig = hub::from_hex(j.value("signature", std::string{}));
    if (sig.empty()) {
      w.hub_signed = false; // checked, but anyone who rewrote the log could write one
      return w;
    }
    auto key_id = j.value("hubKeyId", std::string{});
    if (key_id != hub_key.fingerprint())
      return caf::make_error(hub::ec::unknown_key_id, source + ": the head is signed by key "
                                                        + key_id + ", not by the hub key given ("
                                                        + hub_key.fingerprint() + ")");
    auto input = hub::head_signing_input({w.index, w.hash});
    if (hub::crypto::verify(hub_key, input.data(), input.size(), sig))
      return caf::make_error(hub::ec::bad_signature,
                             source + ": the head's signature does not match its index and hash");
    return w;
  } catch (const nlohmann::json::exception& e) {
    return caf::make_error(hub::ec::invalid_field, source + ": " + e.what());
  }
}

/// A receipt as `swhub submit` prints it; it must verify with the hub key. A
/// rejected receipt vouches for nothing (nullopt).
caf::expected<std::optional<hub::audit_witness>>
receipt_witness(const std::string& source, const nlohmann::json& j,
                const hub::crypto::public_key& hub_key) {
  auto r = hub::receipt::from_json(j);
  if (!r)
    return caf::make_error(hub::ec::invalid_field, source + ": " + hub::context_text(r.error()));
  if (r->status == hub::receipt::rejected)
    return std::nullopt;
  if (auto err = r->verify(hub_key))
    return caf::make_error(hub::code_of(err), source + ": " + hub::context_text(err));
  hub::audit_witness w;
  w.source = source;
  w.index = r->evidence_index;
  w.hash = r->evidence_hash;
  w.receipt = true;
  w.party = r->party;
  w.message_id = r->message_id;
  w.sequence = r->sequence;
  w.digest = r->digest;
  return w;
}

int run_audit_verify(const audit_args& a) {
  auto db = open_database(a.db);
  if (!db)
    return print_error(db.error());
  auto key = read_public_key(a.hub_key);
  if (!key)
    return print_error(key.error());
  std::vector<hub::audit_witness> witnesses;
  auto results = nlohmann::ordered_json::array();
  for (auto& file : a.witnesses) {
    auto values = witness_values(file);
    if (!values)
      return print_error(values.error());
    for (auto& [source, j] : *values) {
      if (!j.is_object())
        return print_error("invalid_field", source + ": not a JSON object");
      if (!j.contains("messageId") && !j.contains("kind"))
        return print_error("invalid_field",
                           source + ": neither a receipt (as `swhub submit` prints it) nor a "
                                    "head (as `swhub audit head` prints it)");
      if (j.contains("kind") && j["kind"] != head_kind)
        return print_error("invalid_field", source + ": \"kind\" must be \"" + head_kind
                                              + "\" (a head from `swhub audit head`)");
      if (j.contains("kind")) {
        auto w = head_witness(source, j, *key);
        if (!w)
          return print_error(w.error());
        witnesses.push_back(std::move(*w));
      } else {
        auto w = receipt_witness(source, j, *key);
        if (!w)
          return print_error(w.error());
        if (*w)
          witnesses.push_back(std::move(**w));
        else
          results.push_back({{"source", source}, {"result", "ignored: a rejected receipt"}});
      }
    }
  }
  auto rep = hub::audit_evidence(**db, &*key, witnesses, hub::module_audit_extensions());
  for (auto& w : rep.witnesses)
    results.push_back({{"source", w.source},
                       {"index", w.index},
                       {"result", !w.confirmed ? "problem"
                                  : w.counted    ? "confirmed"
                                                 : "matches, unsigned: not counted as "
                                                   "protection"}});
  auto problems = nlohmann::ordered_json::array();
  for (auto& p : rep.problems)
    problems.push_back({{"index", p.index}, {"sequence", p.sequence}, {"problem", p.what}});
  print_line({{"ok", rep.ok()},
              {"dataDir", (*db)->dir()},
              {"records", rep.records},
              {"documents", rep.documents},
              {"decisions", rep.decisions},
              {"checkpoints", rep.checkpoints},
              {"headIndex", rep.head_index},
              {"headHash", hub::to_hex(rep.head_hash)},
              {"lastSignedCheckpoint", rep.last_checkpoint},
              {"recordsAfterLastCheckpoint", rep.unsigned_tail},
              {"witnessedTo", rep.witnessed_to},
              {"unprotectedRecords", rep.unprotected},
              {"witnesses", results},
              {"problems", problems},
              {"warnings", rep.warnings}});
  return rep.ok() ? exit_ok : exit_negative;
}

int run_audit_head(const head_args& a) {
  auto db = open_database(a.db);
  if (!db)
    return print_error(db.error());
  std::shared_ptr<const hub::crypto::hub_signer> signer;
  if (!a.sign_key.empty()) {
    auto pem = read_text_file(a.sign_key);
    if (!pem)
      return print_error(pem.error());
    auto key = hub::crypto::private_key::from_pem(*pem);
    if (!key)
      return print_error(key.error());
    signer = hub::crypto::hub_signer::from_key(std::move(*key));
  }
  auto read = hub::current_head(**db);
  if (!read)
    return print_error(read.error());
  if (!read->disagreement.empty()) {
    // No head is printed, let alone signed: it would vouch for a cut-off log.
    nlohmann::ordered_json j{{"error", "truncated"},
                             {"reason", read->disagreement},
                             {"dataDir", (*db)->dir()},
                             {"logIndex", read->head.index},
                             {"logHash", hub::to_hex(read->head.hash)},
                             {"headRecordIndex", read->stored->index},
                             {"headRecordHash", hub::to_hex(read->stored->hash)}};
    std::cerr << j.dump() << std::endl;
    return exit_negative;
  }
  auto head = &read->head;
  if (head->index == 0)
    return print_error("not_found", (*db)->dir() + ": the evidence log is empty");
  nlohmann::ordered_json out{{"kind", head_kind},
                             {"index", head->index},
                             {"hash", hub::to_hex(head->hash)},
                             {"at", hub::now_ms()},
                             {"dataDir", (*db)->dir()}};
  if (signer) {
    auto sig = signer->sign(hub::head_signing_input(*head));
    if (!sig)
      return print_error(sig.error());
    out["hubKeyId"] = signer->key_id();
    out["signature"] = hub::to_hex(*sig);
  }
  print_line(out);
  return exit_ok;
}

} // namespace

void add_audit_commands(CLI::App& app, int& rc) {
  auto* group = app.add_subcommand("audit", "evidence log tools");
  group->require_subcommand(1);
  {
    auto args = std::make_shared<audit_args>();
    auto* cmd = group->add_subcommand(
      "verify", "check the hash-chained evidence log of a data directory (live or a copy) "
                "against the rest of the store and against witnesses: exit 0 intact, 2 if "
                "any record or document was altered, removed, inserted or reordered, or the "
                "log was cut off (each is named)");
    add_database_options(*cmd, args->db);
    cmd->add_option("--hub-key", args->hub_key,
                    "the hub's signing public key (PEM), to verify checkpoints and witnesses")
      ->envname("SWHUB_HUB_SIGN_KEY")
      ->capture_default_str();
    cmd->add_option("--witness", args->witnesses,
                    "a file of receipts (as `swhub submit` prints them) or heads (as `swhub "
                    "audit head` prints them), one JSON object per line; repeatable")
      ->check(CLI::ExistingFile);
    cmd->callback([args, &rc]() { rc = run_audit_verify(*args); });
  }
  {
    auto args = std::make_shared<head_args>();
    auto* cmd = group->add_subcommand(
      "head", "print the evidence log's head (index and hash) as one JSON line to keep "
              "outside the hub, a witness for `audit verify --witness`; exit 2 and no head "
              "if the store's head record disagrees with the log (cut off)");
    add_database_options(*cmd, args->db);
    cmd->add_option("--sign-key", args->sign_key,
                    "the hub's signing key (hub.signing-key-file) to sign the head with");
    cmd->callback([args, &rc]() { rc = run_audit_head(*args); });
  }
}

} // namespace swhub_cli
