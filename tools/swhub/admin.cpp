// `swhub config check` and `swhub db stat`: operator commands that read the hub's
// configuration and database without talking to swhubd.

#include <iostream>

#include "actors/core/config.hpp"
#include "actors/core/error.hpp"
#include "actors/customs/customs_config.hpp"
#include "actors/customs/reference_data.hpp"
#include "actors/store/lmdb_storage.hpp"
#include "tools/swhub/cli.hpp"

namespace swhub_cli {

namespace {

int run_config_check(const std::string& file) {
  auto cfg = hub::load_config(file);
  if (!cfg) {
    std::cerr << nlohmann::ordered_json{{"ok", false},
                                {"error", hub::error_name(cfg.error())},
                                {"reason", hub::context_text(cfg.error())}}
                   .dump()
              << std::endl;
    return exit_failure;
  }
  nlohmann::ordered_json customs = nullptr;
  if (!cfg->customs_config_file.empty()) {
    auto cc = hub::customs::load_customs_config(cfg->customs_config_file);
    auto ref = cc ? hub::customs::load_reference_data(cc->reference_dir)
                  : caf::expected<hub::customs::reference_data>{cc.error()};
    if (!ref) {
      std::cerr << nlohmann::ordered_json{{"ok", false},
                                          {"error", hub::error_name(ref.error())},
                                          {"reason", hub::context_text(ref.error())}}
                     .dump()
                << std::endl;
      return exit_failure;
    }
    customs = {{"config", cfg->customs_config_file},   {"units", cc->units.size()},
               {"taxCentres", cc->tax_centres.size()}, {"enterprises", cc->enterprises.size()},
               {"agencies", cc->agencies.size()},
               {"riskParameters", cc->rules.parameters.size()}, {"tariffLines", ref->tariff.size()}};
  }
  auto roles = nlohmann::ordered_json::array();
  for (auto& [name, role] : cfg->roles)
    roles.push_back(name);
  print_line({{"ok", true},
              {"config", file},
              {"hubId", cfg->hub_id},
              {"parties", cfg->parties.size()},
              {"roles", roles},
              {"endpoint", cfg->endpoint},
              {"dataDir", cfg->data_dir},
              {"customs", customs}});
  return exit_ok;
}

int run_db_stat(const database_args& args) {
  auto db = open_database(args);
  if (!db)
    return print_error(db.error());
  nlohmann::ordered_json tables = nlohmann::ordered_json::object();
  for (auto& [name, n] : (*db)->counts())
    tables[name] = n;
  nlohmann::ordered_json env = nlohmann::ordered_json::object();
  for (auto& [name, n] : (*db)->env_info())
    env[name] = n;
  print_line({{"dataDir", (*db)->dir()},
              {"lastSequence", (*db)->last_sequence()},
              {"tables", tables},
              {"env", env}});
  return exit_ok;
}

} // namespace

void add_admin_commands(CLI::App& app, int& rc) {
  {
    auto* group = app.add_subcommand("config", "configuration tools");
    group->require_subcommand(1);
    auto file = std::make_shared<std::string>("config/hub.toml");
    auto* cmd = group->add_subcommand(
      "check", "load and validate a hub configuration exactly as swhubd does; exit 0 "
               "valid, 1 invalid (the reason names key and line)");
    cmd->add_option("file", *file, "hub configuration")->capture_default_str();
    cmd->callback([file, &rc]() { rc = run_config_check(*file); });
  }
  {
    auto* group = app.add_subcommand("db", "database tools");
    group->require_subcommand(1);
    auto args = std::make_shared<database_args>();
    auto* cmd = group->add_subcommand(
      "stat", "entries per table and LMDB environment figures (read-only; safe while "
              "swhubd runs)");
    add_database_options(*cmd, *args);
    cmd->callback([args, &rc]() { rc = run_db_stat(*args); });
  }
}

} // namespace swhub_cli
