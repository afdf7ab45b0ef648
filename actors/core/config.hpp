#pragma once
// hub_config: everything swhubd reads from hub.toml. The TOML reader is strict: an
// unknown key, a wrong type or an out-of-range value is an error that names the key
// and its line. `swhub config check` runs exactly this code.

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <caf/expected.hpp>

namespace hub {

/// A public key of a party with its validity. Rotation ends an old key's validity
/// after an overlap; an expired key is refused.
struct key_config {
  std::string id;             ///< signing keys: key id in signatures (default: fingerprint)
  std::string public_key;     ///< CURVE: Z85 (40 chars); signing: SubjectPublicKeyInfo PEM
  int64_t valid_from_ms = 0;  ///< Unix ms; 0 = always
  int64_t valid_until_ms = 0; ///< Unix ms; 0 = open-ended
};

/// One registered partner. Its CURVE keys authenticate its connections; its signing
/// keys verify the signatures on its documents.
struct party_config {
  std::string id;
  std::string role;
  std::string name;
  std::string curve_public_key; ///< Z85, 40 characters (read inline or from a file)
  std::vector<key_config> curve_keys;   ///< further CURVE keys ([[party.curve-key]])
  std::vector<key_config> signing_keys; ///< [[party.signing-key]]
  std::vector<std::string> signature_algorithms; ///< registered; empty = those of its keys
  bool enabled = true;
  /// Keys the registered modules read ("customs-unit" = the 4-digit customs unit an
  /// officer acts for): domain_module::party_keys.
  std::map<std::string, std::string> attributes;
};

/// What one role may do: the permission table ("power list") per document type.
struct role_config {
  std::vector<std::string> send;    ///< document types the role may send
  std::vector<std::string> read;    ///< document types it may query (its own, always)
  std::vector<std::string> receive; ///< document types that may be routed to it
};

struct hub_config {
  std::string source;                 ///< file the config came from (for messages)
  // [hub]
  std::string hub_id = "swhub";
  std::string data_dir = "var/data";
  size_t caf_threads = 0;             ///< 0 = one per core (at least 2)
  std::string log_level = "info";
  std::string signing_key_file = "var/keys/hub.sign.pem"; ///< receipts and checkpoints
  /// The permission table's file, resolved against the config file's directory; empty:
  /// the [roles.*] tables are inline (a config has one or the other, not both).
  std::string roles_file;
  // [gateway]
  std::string endpoint = "tcp://127.0.0.1:7700";
  std::string server_secret_key_file = "var/keys/hub.curve.secret";
  size_t max_frame_bytes = 1 << 20;
  int linger_ms = 0;
  // [store]
  size_t map_size_mb = 1024;
  size_t commit_max_batch = 512;
  std::chrono::microseconds commit_interval{500};
  unsigned max_readers = 126;
  // [intake]
  size_t intake_workers = 2;
  std::chrono::milliseconds store_timeout{10000};
  std::chrono::milliseconds max_clock_skew{24LL * 3600 * 1000};
  size_t max_items = 50;
  size_t max_in_flight = 20000;       ///< frames at intake not yet answered; beyond: hub_busy
  // [outbox]
  std::chrono::milliseconds resend_interval{5000};
  // [evidence]
  uint64_t checkpoint_every = 10000;              ///< records between signed checkpoints
  std::chrono::seconds checkpoint_interval{60};   ///< ...or at least this often
  // [signatures.required]: document type -> sender roles that must sign it ("*" = all)
  std::map<std::string, std::vector<std::string>> signatures_required;
  // [keys]
  std::vector<std::string> key_admin_roles;        ///< may rotate any party's keys
  std::chrono::seconds max_key_overlap{30 * 86400}; ///< longest overlap a rotation may ask
  // [<module>] config = "...": each registered module's own config file; a module
  // without its section does not run.
  std::map<std::string, std::string> module_configs;
  // [roles.<name>] (inline or from roles_file) and [[party]]
  std::map<std::string, role_config> roles;
  std::vector<party_config> parties;
};

/// Reads and validates `path`. Relative key-file paths are resolved against the
/// working directory, as data-dir is; a relative roles-file against `path`'s directory.
caf::expected<hub_config> load_config(const std::string& path);

/// Reads and validates TOML text (tests, and load_config's core). `origin` names the
/// text in messages; a relative roles-file is resolved against its directory.
caf::expected<hub_config> parse_config(const std::string& text, const std::string& origin);

/// Checks cross-field rules (roles referenced by parties exist, ids unique, ...).
caf::error validate(const hub_config& cfg);

} // namespace hub
