// `swhub keygen`: a partner's (or the hub's) CURVE and signing key pairs.

#include <filesystem>

#include "actors/core/error.hpp"
#include "adapters/zmq/curve_keys.hpp"
#include "tools/swhub/cli.hpp"

namespace swhub_cli {

namespace {

struct keygen_args {
  std::string stem;
  bool force = false;
};

int run_keygen(const keygen_args& args) {
  nlohmann::ordered_json files{{"curvePublic", args.stem + ".curve.pub"},
                       {"curveSecret", args.stem + ".curve.secret"},
                       {"signingPrivate", args.stem + ".sign.pem"},
                       {"signingPublic", args.stem + ".sign.pub.pem"}};
  if (!args.force)
    for (auto& f : files) {
      std::error_code fs_err;
      if (std::filesystem::exists(f.get<std::string>(), fs_err))
        return print_error("invalid_config", f.get<std::string>()
                                               + " already exists (use --force to replace "
                                                 "it; the hub must then learn the new key)");
    }
  auto keys = hub::generate_curve_keypair();
  if (!keys)
    return print_error(keys.error());
  if (auto err = hub::write_curve_keypair(args.stem, *keys))
    return print_error(err);
  if (auto err = hub::write_signing_keypair(args.stem))
    return print_error(err);
  print_line({{"curvePublicKey", keys->public_z85}, {"files", files}});
  return exit_ok;
}

} // namespace

void add_keygen(CLI::App& app, int& rc) {
  auto args = std::make_shared<keygen_args>();
  auto* cmd = app.add_subcommand(
    "keygen", "create CURVE and ECDSA P-256 key pairs: STEM.curve.{pub,secret}, "
              "STEM.sign.pem, STEM.sign.pub.pem");
  cmd->add_option("--out", args->stem, "path stem of the key files, e.g. var/keys/acme")
    ->required();
  cmd->add_flag("--force", args->force, "replace existing key files");
  cmd->callback([args, &rc]() { rc = run_keygen(*args); });
}

} // namespace swhub_cli
