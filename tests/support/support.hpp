#pragma once
// Test support: fresh directories, partner keys, hub configs written the way an
// operator would write them, and sample documents.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "actors/actors.hpp"
#include "actors/core/config.hpp"
#include "actors/crypto/signature.hpp"
#include "adapters/zmq/curve_keys.hpp"

namespace hub::test {

/// A fresh directory under /tmp, removed (recursively) when the object dies.
class temp_dir {
public:
  temp_dir();
  ~temp_dir();
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

private:
  std::string path_;
};

/// A partner as the test sees it: its id, role, CURVE key pair and, if it signs,
/// its signing key (registered with the hub as [[party.signing-key]]).
struct test_party {
  std::string id;
  std::string role;
  curve_keypair keys;
  std::optional<crypto::private_key> signing;
  std::string customs_unit; ///< officers: the customs unit they act for
};

/// A party with a freshly generated CURVE key pair and, unless `signing` is none, a
/// signing key of that algorithm.
test_party make_party(const std::string& id, const std::string& role,
                      crypto::algorithm signing = crypto::algorithm::none);

/// Customs processing in a test hub (issue 4): the sample organisation and tax centres
/// of config/customs.toml, the reference data of config/reference/, and what a test
/// wants to control: random selectivity (none by default, so lanes come from rules
/// only), risk parameters, enterprises, deadlines and the review batch.
struct customs_settings {
  /// [selectivity.*] and [[risk-parameter]] TOML (risk-parameters.toml); default: no
  /// random selection and no rules, every declaration green.
  std::string risk_toml;
  /// [[enterprise]] tables; default: test_enterprises().
  std::string enterprises;
  int64_t payment_deadline_s = 15 * 86400;
  int64_t correction_window_s = 270 * 86400;
  int64_t check_interval_s = 60;
  std::string agencies; ///< [[agency]] tables (licensing agencies), appended as given
  size_t audit_batch_size = 200;
  size_t audit_interval_ms = 60000;
};

/// Sample enterprises for tests: GOOD-ENT (advanced certified, CNY 100,000 guarantee),
/// PLAIN-ENT (general credit, CNY 10,000), BAD-ENT (discredited, no guarantee);
/// audit instructions go to inland customs 2201.
std::string test_enterprises();

/// Settings a test may change in the generated hub.toml.
struct hub_settings {
  size_t max_frame_bytes = 1 << 20;
  size_t map_size_mb = 64;
  size_t commit_max_batch = 512;
  size_t commit_interval_us = 500;
  size_t resend_interval_ms = 5000;
  size_t workers = 2;
  size_t max_in_flight = 20000;
  /// [signatures.required]: document type -> roles, e.g. {"customs.declaration", "enterprise"}
  std::map<std::string, std::string> signatures_required;
  /// Inline [roles.*] tables replacing `roles-file` = the source tree's config/roles.toml
  /// (the shipped permission table): for tests that need a permission table of their own.
  std::string roles;
  /// [keys] admin-roles as TOML, e.g. R"(["operator"])" (needs `roles` defining them).
  std::string key_admin_roles = "[]";
  std::optional<customs_settings> customs; ///< set: customs processing on
  std::string ecommerce_config; ///< set: [ecommerce] config = this file (tests/support/ceb_world.hpp)
  std::string foreign_config; ///< set: [foreign] config = this file (foreign customs, SR-18)
};

/// Writes `<dir>/hub.toml`: data in <dir>/data, key in <dir>/hub.curve.secret, the
/// shipped permission table (config/roles.toml) unless `s.roles`, and `parties` with
/// inline keys. Returns the file's path.
std::string write_hub_config(const temp_dir& dir, const std::vector<test_party>& parties,
                             const hub_settings& s = {});

/// What a command printed on stdout, and its exit code.
struct command_result {
  int exit_code = -1;
  std::string out;
};

/// Runs a shell command and captures its stdout.
command_result run_command(const std::string& cmd);

/// Runs the `swhub` CLI with `args` (shell-quoted by the caller) and captures stdout.
command_result run_cli(const std::string& args);

/// Reads a whole file ("" if missing).
std::string read_text(const std::string& path);

/// The shipped permission table (config/roles.toml), read by the hub's own config
/// loader (REQUIREs that it loads).
std::map<std::string, role_config> shipped_roles();

/// Roles in `roles` whose `list` (&role_config::send, ::read or ::receive) names `type`.
std::vector<std::string> roles_that(const std::map<std::string, role_config>& roles,
                                    std::vector<std::string> role_config::*list,
                                    const std::string& type);

} // namespace hub::test
