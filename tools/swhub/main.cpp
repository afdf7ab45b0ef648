// swhub: the command-line tool for partners and operators. Every subcommand prints
// one JSON line per result on stdout; errors are one JSON line on stderr. Exit codes:
// 0 done, 1 usage/transport/config error, 2 the hub said no (see cli.hpp).

#include <iostream>

#include "actors/core/domain_module.hpp"
#include "tools/swhub/cli.hpp"

int main(int argc, char** argv) {
  using namespace swhub_cli;
  hub::register_builtin_modules(); // document kinds, tables and config sections of each domain
  CLI::App app{"swhub: talk to a swhub trade hub, manage keys, check config and data"};
  app.set_version_flag("--version", "swhub 0.1.0");
  app.require_subcommand(1);
  int rc = exit_ok;
  add_keygen(app, rc);
  add_partner_commands(app, rc);
  add_admin_commands(app, rc);
  add_trust_commands(app, rc);
  add_audit_commands(app, rc);
  add_keys_commands(app, rc);
  add_customs_commands(app, rc);
  add_ecommerce_commands(app, rc);
  add_foreign_commands(app, rc);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) // --help, --version
      return app.exit(e);
    return print_error("usage", std::string{e.what()} + " (see --help)");
  }
  return rc;
}
