#pragma once
// Shared pieces of the `swhub` command-line tool: exit codes, JSON output, the
// connection options every partner subcommand takes, and the subcommand entry
// points (one source file per group). Output contract: a result is ONE JSON line on
// stdout; a usage or transport error is one JSON line {"error","reason"} on stderr.

#include <memory>
#include <string>
#include <string_view>

#include <caf/error.hpp>
#include <caf/expected.hpp>
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <zmq.hpp>

#include "actors/store/lmdb_storage.hpp"
#include "adapters/zmq/client.hpp"

namespace swhub_cli {

/// Exit codes scripts rely on.
enum exit_code : int {
  exit_ok = 0,      ///< done; for submit: accepted or duplicate
  exit_failure = 1, ///< usage, configuration or transport error
  exit_negative = 2 ///< the hub answered "no": rejected, unknown, not enough received
};

/// Prints `j` as one line on stdout and flushes (callers may be killed right after).
void print_line(const nlohmann::ordered_json& j);

/// Prints {"error": name, "reason": text} on stderr; returns exit_failure.
int print_error(const caf::error& err);
int print_error(std::string_view name, std::string_view reason);

/// Options naming the hub and this partner's key.
struct connection_args {
  std::string endpoint = "tcp://127.0.0.1:7700";
  std::string hub_key = "var/keys/hub.curve.pub";
  std::string key; ///< key stem (as given to keygen --out) or a .curve.secret file
  int timeout_ms = 10000;
  std::string client_name = "swhub-cli";
  std::string sign_key;  ///< PEM signing key; default <key stem>.sign.pem if it exists
  bool no_sign = false;  ///< send unsigned even if a signing key exists
};

/// Adds --endpoint, --hub-key, --key, --timeout-ms, --sign-key, --no-sign (with
/// SWHUB_* environment fallbacks) to `cmd`.
void add_connection_options(CLI::App& cmd, connection_args& args);

/// Reads the keys and connects (hello/welcome done). `linger_ms` lets the last
/// frames (acks) get out when the tool exits right after sending them.
caf::expected<std::unique_ptr<hub::partner_client>>
connect_partner(zmq::context_t& ctx, const connection_args& args, int linger_ms = 0);

/// The payload of `document_type` built from its Cap'n Proto JSON text.
caf::expected<hub::bytes> payload_from_json(std::string_view document_type,
                                            std::string_view json);

/// The payload as a JSON value if the type is known and the payload decodes; else
/// null.
nlohmann::ordered_json payload_as_json(std::string_view document_type, const hub::bytes& payload);

/// Which database an operator command reads.
struct database_args {
  std::string data_dir;
  std::string config; ///< take data-dir from it (default config/hub.toml if present)
};

/// Adds --data-dir and --config (mutually exclusive) to `cmd`.
void add_database_options(CLI::App& cmd, database_args& args);

/// Opens the hub's database read-only: a reader slot in the live environment, never
/// a write lock, so it works while swhubd runs and on a copy.
caf::expected<std::shared_ptr<hub::lmdb_storage>> open_database(const database_args& args);

/// The whole file ("-" reads stdin).
caf::expected<std::string> read_text_file(const std::string& path);

/// A public key from a PEM file (the hub's signing key, `hub.sign.pub.pem`).
caf::expected<hub::crypto::public_key> read_public_key(const std::string& file);

// -- subcommands: each registers itself on `app` and runs from its callback -------

void add_keygen(CLI::App& app, int& rc);
void add_partner_commands(CLI::App& app, int& rc); // submit, status, receive
void add_admin_commands(CLI::App& app, int& rc);   // config check, db stat
void add_trust_commands(CLI::App& app, int& rc);   // receipt verify, permissions
void add_audit_commands(CLI::App& app, int& rc);   // audit verify, audit head
void add_keys_commands(CLI::App& app, int& rc);    // keys rotate, keys list
void add_customs_commands(CLI::App& app, int& rc);
void add_ecommerce_commands(CLI::App& app, int& rc);
void add_foreign_commands(CLI::App& app, int& rc);

} // namespace swhub_cli
