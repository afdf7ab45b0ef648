// `swhub customs ...`: what an officer asks about customs cases, read from the hub's
// database (read-only, safe while swhubd runs): a case as stored, why it got its lane
// (the recorded decision, replayed against the rule set of that moment: SR-05.4), the
// tax centres' reports (SR-05.5, SR-06.2), the advance rulings (SR-08.5) and the credit
// records of enterprises whose tier moved (SR-14.1).

#include <iostream>

#include "actors/core/error.hpp"
#include "actors/customs/case_record.hpp"
#include "actors/customs/declaration_risk_facts.hpp"
#include "actors/store/storage.hpp"
#include "tools/swhub/cli.hpp"
#include "actors/customs/customs_tables.hpp"
#include "actors/customs/customs_errors.hpp"

namespace swhub_cli {

namespace {

using json = nlohmann::ordered_json;
namespace cu = hub::customs;

hub::bytes as_bytes(const std::string& s) {
  return hub::bytes(s.begin(), s.end());
}

struct case_args {
  database_args db;
  std::string id;          ///< 18-digit case id
  std::string declarant;   ///< or declarant + declaration id
  std::string declaration;
};

void add_case_options(CLI::App& cmd, case_args& a) {
  add_database_options(cmd, a.db);
  cmd.add_option("case", a.id, "18-digit declaration number (case id)");
  cmd.add_option("--declarant", a.declarant, "party id that lodged the declaration");
  cmd.add_option("--declaration-id", a.declaration, "the declarant's declarationId");
}

caf::expected<cu::case_record> load_case(const hub::lmdb_storage& db, const case_args& a) {
  auto id = a.id;
  if (id.empty()) {
    if (a.declarant.empty() || a.declaration.empty())
      return caf::make_error(hub::ec::invalid_config, "give a case id, or --declarant and --declaration-id");
    auto ref = db.get(hub::customs::tables::case_refs, as_bytes(cu::case_ref_key(a.declarant, a.declaration)));
    if (!ref)
      return caf::make_error(hub::customs::errc::unknown_declaration, "no declaration " + a.declaration + " of " + a.declarant);
    id.assign(ref->begin(), ref->end());
  }
  auto b = db.get(hub::customs::tables::cases, as_bytes(id));
  if (!b)
    return caf::make_error(hub::customs::errc::unknown_declaration, "no case " + id);
  return cu::decode_case(*b);
}

int run_case(const case_args& a) {
  auto db = open_database(a.db);
  if (!db)
    return print_error(db.error());
  auto c = load_case(**db, a);
  if (!c)
    return print_error(c.error());
  print_line(json::parse(cu::to_json(*c).dump()));
  return exit_ok;
}

/// The recorded lane decision, and the same evaluation run again on the recorded
/// facts, seed and time with the rule set version the decision names.
int run_explain(const case_args& a) {
  auto db = open_database(a.db);
  if (!db)
    return print_error(db.error());
  auto c = load_case(**db, a);
  if (!c)
    return print_error(c.error());
  if (c->decision.empty())
    return print_error("no_decision", "case " + c->case_id + " has no lane decision (" + c->status + ")");
  auto decision = json::parse(c->decision, nullptr, false);
  if (decision.is_discarded())
    return print_error("bad_record", "case " + c->case_id + ": the stored decision is not JSON");
  auto version = decision.value("ruleSetVersion", uint64_t{0});
  auto stored = (*db)->get(cu::rule_book_table, cu::rule_book_storage_key(version));
  if (!stored)
    return print_error("no_rule_set", "rule set version " + std::to_string(version) + " is not stored");
  auto rules = cu::decode_rule_set(std::string(stored->begin(), stored->end()));
  if (!rules)
    return print_error(rules.error());
  auto facts = cu::facts_from_json(nlohmann::json::parse(c->facts, nullptr, false));
  if (!facts)
    return print_error(facts.error());
  uint64_t seed = 0;
  try {
    seed = std::stoull(decision.value("seed", std::string{"0"}));
  } catch (const std::exception&) {
    return print_error("bad_record", "case " + c->case_id + ": the stored seed is not a number");
  }
  auto engine = cu::customs_risk_engine(std::move(*rules));
  auto replay = cu::evaluate(engine, *facts, seed, c->decided_at);
  bool same = cu::decision_text(replay) == c->decision; // byte for byte
  print_line({{"caseId", c->case_id},
              {"declarant", c->declarant},
              {"declarationId", c->declaration_id},
              {"lane", c->lane},
              {"explanation", decision.value("explanation", "")},
              {"decision", decision},
              {"replayed", {{"lane", cu::to_string(replay.lane)}, {"identical", same}}}});
  return same ? exit_ok : exit_negative;
}

int run_reports(const database_args& args, const std::string& centre) {
  auto db = open_database(args);
  if (!db)
    return print_error(db.error());
  auto err = (*db)->for_each(hub::customs::tables::reports, [&](const hub::bytes& key, const hub::bytes& val) {
    std::string k(key.begin(), key.end());
    if (!centre.empty() && k.rfind(centre + std::string(1, '\0'), 0) != 0)
      return true;
    auto j = json::parse(val.begin(), val.end(), nullptr, false);
    if (!j.is_discarded())
      print_line(j);
    return true;
  });
  return err ? print_error(err) : exit_ok;
}

int run_rulings(const database_args& args, const std::string& holder) {
  auto db = open_database(args);
  if (!db)
    return print_error(db.error());
  auto err = (*db)->for_each(hub::customs::tables::rulings, [&](const hub::bytes&, const hub::bytes& val) {
    auto j = json::parse(val.begin(), val.end(), nullptr, false);
    if (!j.is_discarded() && (holder.empty() || j.value("holder", "") == holder))
      print_line(j);
    return true;
  });
  return err ? print_error(err) : exit_ok;
}

/// Credit records (customs.credit): one JSON line each; `enterprise` alone says when it
/// has none (its tier is still customs.toml's) and exits 2.
int run_credit(const database_args& args, const std::string& enterprise) {
  auto db = open_database(args);
  if (!db)
    return print_error(db.error());
  size_t shown = 0;
  auto err = (*db)->for_each(hub::customs::tables::credit, [&](const hub::bytes& key, const hub::bytes& val) {
    if (!enterprise.empty() && std::string(key.begin(), key.end()) != enterprise)
      return true;
    auto j = json::parse(val.begin(), val.end(), nullptr, false);
    if (j.is_discarded()) {
      std::cerr << "swhub: the credit record of " << std::string(key.begin(), key.end())
                << " is not JSON (damaged)\n";
      return true;
    }
    print_line(j);
    ++shown;
    return true;
  });
  if (err)
    return print_error(err);
  if (!enterprise.empty() && shown == 0) {
    std::cerr << "swhub: " << enterprise
              << " has no credit record: no change was decided, its tier is customs.toml's\n";
    return exit_negative;
  }
  return exit_ok;
}

/// Disclosures (customs.disclosures), one JSON line each, optionally of one enterprise.
int run_disclosures(const database_args& args, const std::string& enterprise) {
  auto db = open_database(args);
  if (!db)
    return print_error(db.error());
  auto err = (*db)->for_each(hub::customs::tables::disclosures, [&](const hub::bytes&, const hub::bytes& val) {
    auto j = json::parse(val.begin(), val.end(), nullptr, false);
    if (!j.is_discarded() && (enterprise.empty() || j.value("enterprise", "") == enterprise))
      print_line(j);
    return true;
  });
  return err ? print_error(err) : exit_ok;
}

} // namespace

void add_customs_commands(CLI::App& app, int& rc) {
  auto* group = app.add_subcommand("customs", "customs cases, lane explanations, tax-centre reports, rulings, credit "
                                              "(read-only; safe while swhubd runs)");
  group->require_subcommand(1);
  {
    auto a = std::make_shared<case_args>();
    auto* cmd = group->add_subcommand("case", "a customs case as stored: status, lane, assessment, history");
    add_case_options(*cmd, *a);
    cmd->callback([a, &rc]() { rc = run_case(*a); });
  }
  {
    auto a = std::make_shared<case_args>();
    auto* cmd = group->add_subcommand(
      "explain", "why a declaration got its lane: the recorded decision and its replay on the same rule set, "
                 "facts and seed (exit 2 if the replay differs)");
    add_case_options(*cmd, *a);
    cmd->callback([a, &rc]() { rc = run_explain(*a); });
  }
  {
    auto args = std::make_shared<database_args>();
    auto centre = std::make_shared<std::string>();
    auto* cmd = group->add_subcommand("reports", "the tax centres' batch review reports, one JSON line each");
    add_database_options(*cmd, *args);
    cmd->add_option("--centre", *centre, "only this tax centre");
    cmd->callback([args, centre, &rc]() { rc = run_reports(*args, *centre); });
  }
  {
    auto args = std::make_shared<database_args>();
    auto holder = std::make_shared<std::string>();
    auto* cmd = group->add_subcommand("rulings", "registered advance rulings, one JSON line each");
    add_database_options(*cmd, *args);
    cmd->add_option("--holder", *holder, "only those of this enterprise");
    cmd->callback([args, holder, &rc]() { rc = run_rulings(*args, *holder); });
  }
  {
    auto args = std::make_shared<database_args>();
    auto enterprise = std::make_shared<std::string>();
    auto* cmd = group->add_subcommand("credit", "credit records of enterprises whose tier moved: every change "
                                                "with its date, cause, officer and reason, one JSON line each");
    add_database_options(*cmd, *args);
    cmd->add_option("--enterprise", *enterprise, "only this enterprise (exit 2 if it has no record)");
    cmd->callback([args, enterprise, &rc]() { rc = run_credit(*args, *enterprise); });
  }
  {
    auto args = std::make_shared<database_args>();
    auto enterprise = std::make_shared<std::string>();
    auto* cmd = group->add_subcommand("disclosures", "voluntary disclosures with their dates, amounts and outcome "
                                                     "(penalty waived or lighter, voluntary or not), one JSON line each");
    add_database_options(*cmd, *args);
    cmd->add_option("--enterprise", *enterprise, "only those about this enterprise's declarations");
    cmd->callback([args, enterprise, &rc]() { rc = run_disclosures(*args, *enterprise); });
  }
}

} // namespace swhub_cli
