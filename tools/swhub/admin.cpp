// `swhub config check` and `swhub db stat`: operator commands that read the hub's
// configuration and database without talking to swhubd.

#include <filesystem>
#include <iostream>

#include "actors/core/config.hpp"
#include "actors/core/error.hpp"
#include "actors/store/lmdb_storage.hpp"
#include "tools/swhub/cli.hpp"

namespace swhub_cli {

namespace {

constexpr const char* default_config = "config/hub.toml";

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
  auto roles = nlohmann::ordered_json::array();
  for (auto& [name, role] : cfg->roles)
    roles.push_back(name);
  print_line({{"ok", true},
              {"config", file},
              {"hubId", cfg->hub_id},
              {"parties", cfg->parties.size()},
              {"roles", roles},
              {"endpoint", cfg->endpoint},
              {"dataDir", cfg->data_dir}});
  return exit_ok;
}

struct db_stat_args {
  std::string data_dir;
  std::string config;
};

int run_db_stat(const db_stat_args& args) {
  namespace fs = std::filesystem;
  hub::lmdb_options opts;
  opts.read_only = true;
  opts.dir = args.data_dir;
  std::error_code fs_err;
  auto config = args.config;
  if (opts.dir.empty() && config.empty() && fs::exists(default_config, fs_err))
    config = default_config;
  if (opts.dir.empty() && !config.empty()) {
    auto cfg = hub::load_config(config);
    if (!cfg)
      return print_error(cfg.error());
    opts.dir = cfg->data_dir;
    opts.map_size_mb = cfg->map_size_mb;
    opts.max_readers = cfg->max_readers;
  }
  if (opts.dir.empty())
    opts.dir = hub::hub_config{}.data_dir;
  if (!fs::is_regular_file(fs::path{opts.dir} / "data.mdb", fs_err))
    return print_error("invalid_config",
                       opts.dir + " is not a swhub database (no data.mdb there; give "
                                  "--data-dir or --config)");
  // Read-only: a reader slot in the live environment, never a write lock, so this
  // works while swhubd runs.
  auto db = hub::lmdb_storage::open(opts);
  if (!db)
    return print_error(db.error());
  nlohmann::ordered_json tables = nlohmann::ordered_json::object();
  for (auto& [name, n] : (*db)->counts())
    tables[name] = n;
  nlohmann::ordered_json env = nlohmann::ordered_json::object();
  for (auto& [name, n] : (*db)->env_info())
    env[name] = n;
  print_line({{"dataDir", opts.dir},
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
    auto file = std::make_shared<std::string>(default_config);
    auto* cmd = group->add_subcommand(
      "check", "load and validate a hub configuration exactly as swhubd does; exit 0 "
               "valid, 1 invalid (the reason names key and line)");
    cmd->add_option("file", *file, "hub configuration")->capture_default_str();
    cmd->callback([file, &rc]() { rc = run_config_check(*file); });
  }
  {
    auto* group = app.add_subcommand("db", "database tools");
    group->require_subcommand(1);
    auto args = std::make_shared<db_stat_args>();
    auto* cmd = group->add_subcommand(
      "stat", "entries per table and LMDB environment figures (read-only; safe while "
              "swhubd runs)");
    auto* dir = cmd->add_option("--data-dir", args->data_dir, "the hub's data directory");
    cmd->add_option("--config", args->config,
                    std::string{"take data-dir from this configuration (default: "}
                      + default_config + " if present, else var/data)")
      ->excludes(dir);
    cmd->callback([args, &rc]() { rc = run_db_stat(*args); });
  }
}

} // namespace swhub_cli
