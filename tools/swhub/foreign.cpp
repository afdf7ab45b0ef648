// `swhub foreign ...`: what the hub holds of partner customs' AEO lists under the
// mutual-recognition arrangements (SR-18), read from the hub's database (read-only,
// safe while swhubd runs).

#include <iostream>

#include "actors/foreign/foreign_tables.hpp"
#include "actors/mra/foreign_aeo.hpp"
#include "actors/store/storage.hpp"
#include "tools/swhub/cli.hpp"

namespace swhub_cli {

namespace {

using json = nlohmann::ordered_json;

/// One JSON line per record held (optionally of one arrangement, or one operator);
/// `id` alone exits 2 when the hub holds no such record.
int run_aeo(const database_args& args, const std::string& arrangement, const std::string& id) {
  auto db = open_database(args);
  if (!db)
    return print_error(db.error());
  size_t shown = 0;
  auto err = (*db)->for_each(hub::foreign::tables::partner_aeo, [&](const hub::bytes&, const hub::bytes& val) {
    auto r = hub::mra::decode(val);
    if (!r) {
      std::cerr << "swhub: a foreign AEO record is damaged\n";
      return true;
    }
    if ((!arrangement.empty() && r->arrangement != arrangement) || (!id.empty() && r->id != id))
      return true;
    auto j = json::parse(val.begin(), val.end(), nullptr, false);
    print_line(j);
    ++shown;
    return true;
  });
  if (err)
    return print_error(err);
  if (!id.empty() && shown == 0) {
    std::cerr << "swhub: no record of " << id << (arrangement.empty() ? "" : " under " + arrangement) << "\n";
    return exit_negative;
  }
  return exit_ok;
}

/// What the hub holds of each arrangement's list: highest version, records, batches.
int run_partners(const database_args& args) {
  auto db = open_database(args);
  if (!db)
    return print_error(db.error());
  auto err = (*db)->for_each(hub::foreign::tables::partner_state, [&](const hub::bytes&, const hub::bytes& val) {
    auto j = json::parse(val.begin(), val.end(), nullptr, false);
    if (!j.is_discarded())
      print_line(j);
    return true;
  });
  return err ? print_error(err) : exit_ok;
}

} // namespace

void add_foreign_commands(CLI::App& app, int& rc) {
  auto* group = app.add_subcommand("foreign", "partner customs' AEO data under mutual-recognition arrangements "
                                              "(read-only; safe while swhubd runs)");
  group->require_subcommand(1);
  {
    auto args = std::make_shared<database_args>();
    auto arrangement = std::make_shared<std::string>();
    auto id = std::make_shared<std::string>();
    auto* cmd = group->add_subcommand("aeo", "the partner operators the hub holds, with status and version, "
                                             "one JSON line each");
    add_database_options(*cmd, *args);
    cmd->add_option("--arrangement", *arrangement, "only this arrangement (foreign.toml [[mra]] id)");
    cmd->add_option("--id", *id, "only this operator id (exit 2 if the hub holds none)");
    cmd->callback([args, arrangement, id, &rc]() { rc = run_aeo(*args, *arrangement, *id); });
  }
  {
    auto args = std::make_shared<database_args>();
    auto* cmd = group->add_subcommand("partners", "per arrangement: highest version held, records, batches");
    add_database_options(*cmd, *args);
    cmd->callback([args, &rc]() { rc = run_partners(*args); });
  }
}

} // namespace swhub_cli
