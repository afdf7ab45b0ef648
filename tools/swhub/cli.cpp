#include "tools/swhub/cli.hpp"

#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "actors/core/config.hpp"
#include "actors/core/error.hpp"
#include "actors/intake/document_types.hpp"

namespace swhub_cli {

void print_line(const nlohmann::ordered_json& j) {
  // Replacement of invalid UTF-8 keeps a hostile reason text from aborting the dump.
  std::cout << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << std::endl;
}

int print_error(std::string_view name, std::string_view reason) {
  nlohmann::ordered_json j{{"error", name}, {"reason", reason}};
  std::cerr << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
            << std::endl;
  return exit_failure;
}

int print_error(const caf::error& err) {
  return print_error(hub::error_name(err), hub::context_text(err));
}

void add_connection_options(CLI::App& cmd, connection_args& args) {
  cmd.add_option("--endpoint", args.endpoint, "hub endpoint")
    ->envname("SWHUB_ENDPOINT")
    ->capture_default_str();
  cmd.add_option("--hub-key", args.hub_key, "file with the hub's CURVE public key")
    ->envname("SWHUB_HUB_KEY")
    ->capture_default_str();
  cmd.add_option("--key", args.key,
                 "this partner's key (required to connect): the stem given to `swhub "
                 "keygen --out`, or a .curve.secret file")
    ->envname("SWHUB_KEY");
  cmd.add_option("--timeout-ms", args.timeout_ms, "how long to wait for the hub")
    ->check(CLI::PositiveNumber)
    ->capture_default_str();
  auto* no_sign = cmd.add_flag("--no-sign", args.no_sign,
                               "send documents unsigned even if a signing key exists");
  cmd.add_option("--sign-key", args.sign_key,
                 "PEM signing key for documents (default: <key stem>.sign.pem if present)")
    ->envname("SWHUB_SIGN_KEY")
    ->excludes(no_sign);
}

caf::expected<std::unique_ptr<hub::partner_client>>
connect_partner(zmq::context_t& ctx, const connection_args& args, int linger_ms) {
  if (args.key.empty())
    return caf::make_error(hub::ec::invalid_config,
                           "--key is required (or set SWHUB_KEY): this partner's key stem");
  auto opts = hub::client_options_from_files(args.endpoint, args.hub_key, args.key,
                                             args.sign_key, args.no_sign);
  if (!opts)
    return opts.error();
  opts->client_name = args.client_name;
  opts->timeout = std::chrono::milliseconds{args.timeout_ms};
  opts->linger = std::chrono::milliseconds{linger_ms};
  return hub::partner_client::connect(ctx, std::move(*opts));
}

namespace {

std::string known_types() {
  std::string out;
  for (auto* t : hub::document_types())
    out += (out.empty() ? "" : ", ") + t->name;
  return out;
}

} // namespace

caf::expected<hub::bytes> payload_from_json(std::string_view document_type,
                                            std::string_view json) {
  auto* type = hub::find_document_type(document_type);
  if (type == nullptr)
    return caf::make_error(hub::ec::unknown_document_type,
                           "unknown document type \"" + std::string{document_type}
                             + "\" (known: " + known_types() + ")");
  return hub::json_to_payload(type->schema, json);
}

nlohmann::ordered_json payload_as_json(std::string_view document_type, const hub::bytes& payload) {
  auto* type = hub::find_document_type(document_type);
  if (type == nullptr)
    return nullptr;
  auto text = hub::payload_to_json(type->schema, payload);
  if (!text)
    return nullptr;
  auto j = nlohmann::ordered_json::parse(*text, nullptr, false);
  return j.is_discarded() ? nlohmann::ordered_json{} : j;
}

void add_database_options(CLI::App& cmd, database_args& args) {
  auto* dir = cmd.add_option("--data-dir", args.data_dir, "the hub's data directory");
  cmd.add_option("--config", args.config,
                 "take data-dir from this configuration (default: config/hub.toml if "
                 "present, else var/data)")
    ->excludes(dir);
}

caf::expected<std::shared_ptr<hub::lmdb_storage>> open_database(const database_args& args) {
  namespace fs = std::filesystem;
  hub::lmdb_options opts;
  opts.read_only = true;
  opts.dir = args.data_dir;
  std::error_code fs_err;
  auto config = args.config;
  if (opts.dir.empty() && config.empty() && fs::exists("config/hub.toml", fs_err))
    config = "config/hub.toml";
  if (opts.dir.empty() && !config.empty()) {
    auto cfg = hub::load_config(config);
    if (!cfg)
      return cfg.error();
    opts.dir = cfg->data_dir;
    opts.map_size_mb = cfg->map_size_mb;
    opts.max_readers = cfg->max_readers;
  }
  if (opts.dir.empty())
    opts.dir = hub::hub_config{}.data_dir;
  if (!fs::is_regular_file(fs::path{opts.dir} / "data.mdb", fs_err))
    return caf::make_error(hub::ec::invalid_config,
                           opts.dir + " is not a swhub database (no data.mdb there; give "
                                      "--data-dir or --config)");
  return hub::lmdb_storage::open(opts);
}

caf::expected<hub::crypto::public_key> read_public_key(const std::string& file) {
  auto pem = read_text_file(file);
  if (!pem)
    return pem.error();
  return hub::crypto::public_key::from_pem(*pem);
}

caf::expected<std::string> read_text_file(const std::string& path) {
  std::stringstream ss;
  if (path == "-") {
    ss << std::cin.rdbuf();
    return ss.str();
  }
  std::ifstream in{path};
  if (!in)
    return caf::make_error(hub::ec::invalid_config, path + ": cannot read file");
  ss << in.rdbuf();
  return ss.str();
}

} // namespace swhub_cli
