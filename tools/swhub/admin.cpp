// `swhub config check` and `swhub db stat`: operator commands that read the hub's
// configuration and database without talking to swhubd.

#include <iostream>

#include "actors/core/config.hpp"
#include "actors/core/error.hpp"
#include "actors/core/domain_module.hpp"
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
  // Each registered module's section: its config file checked as swhubd would load it.
  nlohmann::ordered_json domains = nlohmann::ordered_json::object();
  for (auto& m : hub::modules()) {
    domains[m.name] = nullptr;
    auto f = cfg->module_configs.find(m.name);
    if (f == cfg->module_configs.end() || !m.check_config)
      continue;
    auto counts = m.check_config(f->second);
    if (!counts) {
      std::cerr << nlohmann::ordered_json{{"ok", false},
                                          {"error", hub::error_name(counts.error())},
                                          {"reason", hub::context_text(counts.error())}}
                     .dump()
                << std::endl;
      return exit_failure;
    }
    nlohmann::ordered_json j{{"config", f->second}};
    for (auto& [name, n] : *counts)
      j[name] = n;
    domains[m.name] = std::move(j);
  }
  auto roles = nlohmann::ordered_json::array();
  for (auto& [name, role] : cfg->roles)
    roles.push_back(name);
  nlohmann::ordered_json out{{"ok", true},
                             {"config", file},
                             {"hubId", cfg->hub_id},
                             {"parties", cfg->parties.size()},
                             {"roles", roles},
                             {"endpoint", cfg->endpoint},
                             {"dataDir", cfg->data_dir}};
  for (auto& [name, j] : domains.items()) // "customs": {...} or null
    out[name] = j;
  print_line(out);
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
