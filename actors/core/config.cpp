#include "actors/core/config.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <toml++/toml.h>

#include "actors/core/domain_module.hpp"
#include "actors/core/error.hpp"
#include "actors/core/toml_read.hpp"

namespace hub {

namespace {

std::string trim(std::string s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())))
    s.pop_back();
  size_t i = 0;
  while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i])))
    ++i;
  return s.substr(i);
}

#define TRY(expr)                                                                        \
  if (auto err_ = (expr))                                                                \
    return err_;

/// Reads a PEM or Z85 key given inline (`inline_key`) or as a file (`file_key`).
caf::error read_key_text(const toml::table& tbl, const std::string& section,
                         std::string_view inline_key, std::string_view file_key,
                         std::string& out) {
  std::string file;
  TRY(read(tbl, section, inline_key, out));
  TRY(read(tbl, section, file_key, file));
  auto line = "line " + std::to_string(tbl.source().begin.line);
  if (!out.empty() && !file.empty())
    return config_error(section, "give " + std::string{inline_key} + " or "
                                   + std::string{file_key} + ", not both", line);
  if (!file.empty()) {
    auto text = read_file(file);
    if (!text)
      return config_error(section + "." + std::string{file_key},
                          file + " cannot be read (create it with `swhub keygen`)",
                          where(tbl, file_key));
    out = trim(*text);
  }
  return caf::none;
}

/// A TOML date-time (or a plain date) as Unix milliseconds.
caf::error read_time(const toml::table& tbl, const std::string& section, std::string_view key,
                     int64_t& out) {
  const toml::node* node = tbl.get(key);
  if (node == nullptr)
    return caf::none;
  auto full = section + "." + std::string{key};
  if (!node->is_date_time())
    return config_error(full, "expected a date-time such as 2027-01-31T00:00:00Z",
                        where(*node));
  auto dt = *node->value<toml::date_time>();
  if (!dt.offset)
    return config_error(full, "give the time zone (e.g. Z or +08:00)", where(*node));
  // Days from civil (Howard Hinnant's algorithm), then the offset.
  int y = dt.date.year - (dt.date.month <= 2 ? 1 : 0);
  int era = (y >= 0 ? y : y - 399) / 400;
  unsigned yoe = static_cast<unsigned>(y - era * 400);
  unsigned mp = (dt.date.month + 9) % 12;
  unsigned doy = (153 * mp + 2) / 5 + dt.date.day - 1;
  unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  int64_t days = static_cast<int64_t>(era) * 146097 + static_cast<int64_t>(doe) - 719468;
  int64_t secs = days * 86400 + dt.time.hour * 3600 + dt.time.minute * 60 + dt.time.second
                 - static_cast<int64_t>(dt.offset->minutes) * 60;
  out = secs * 1000 + dt.time.nanosecond / 1000000;
  return caf::none;
}

caf::error read_keys(const toml::table& party, const std::string& section,
                     std::string_view name, bool signing, std::vector<key_config>& out) {
  const toml::node* node = party.get(name);
  if (node == nullptr)
    return caf::none;
  auto* arr = node->as_array();
  if (arr == nullptr || !arr->is_array_of_tables())
    return config_error(section + "." + std::string{name},
                        "expected [[" + std::string{name} + "]] tables", where(*node));
  for (size_t i = 0; i < arr->size(); ++i) {
    auto& tbl = *arr->get(i)->as_table();
    auto sub = section + "." + std::string{name} + "[" + std::to_string(i) + "]";
    TRY(no_unknown_keys(tbl, sub, {"id", "public-key", "public-key-file", "valid-from",
                                   "valid-until"}));
    key_config k;
    TRY(read(tbl, sub, "id", k.id));
    TRY(read_key_text(tbl, sub, "public-key", "public-key-file", k.public_key));
    TRY(read_time(tbl, sub, "valid-from", k.valid_from_ms));
    TRY(read_time(tbl, sub, "valid-until", k.valid_until_ms));
    auto line = "line " + std::to_string(tbl.source().begin.line);
    if (k.public_key.empty())
      return config_error(sub, "public-key or public-key-file is required", line);
    if (!signing && k.public_key.size() != 40)
      return config_error(sub, "must be a 40-character Z85 CURVE public key", line);
    if (signing && k.public_key.find("BEGIN PUBLIC KEY") == std::string::npos)
      return config_error(sub, "must be a PEM public key (swhub keygen writes *.sign.pub.pem)",
                          line);
    out.push_back(std::move(k));
  }
  return caf::none;
}

caf::error read_party(const toml::table& tbl, size_t index, hub_config& cfg) {
  std::string section = "party[" + std::to_string(index) + "]";
  std::vector<std::string> keys{"id", "role", "name", "curve-public-key", "curve-public-key-file",
                                "enabled", "curve-key", "signing-key", "signature-algorithms"};
  for (auto& m : modules())
    keys.insert(keys.end(), m.party_keys.begin(), m.party_keys.end());
  TRY(no_unknown_keys(tbl, section, keys));
  party_config p;
  TRY(read(tbl, section, "id", p.id));
  TRY(read(tbl, section, "role", p.role));
  TRY(read(tbl, section, "name", p.name));
  TRY(read_key_text(tbl, section, "curve-public-key", "curve-public-key-file",
                    p.curve_public_key));
  TRY(read(tbl, section, "enabled", p.enabled));
  for (auto& m : modules())
    for (auto& key : m.party_keys) {
      std::string value;
      TRY(read(tbl, section, key.c_str(), value));
      if (!value.empty())
        p.attributes[key] = value;
    }
  TRY(read_keys(tbl, section, "curve-key", false, p.curve_keys));
  TRY(read_keys(tbl, section, "signing-key", true, p.signing_keys));
  TRY(read_string_list(tbl, section, "signature-algorithms", p.signature_algorithms));
  auto line = "line " + std::to_string(tbl.source().begin.line);
  if (p.id.empty())
    return config_error(section + ".id", "missing", line);
  if (p.role.empty())
    return config_error(section + ".role", "missing", line);
  if (p.curve_public_key.empty() && p.curve_keys.empty())
    return config_error(section, "needs curve-public-key(-file) or a [[party.curve-key]]", line);
  if (!p.curve_public_key.empty() && p.curve_public_key.size() != 40)
    return config_error(section + ".curve-public-key",
                        "must be a 40-character Z85 CURVE public key", line);
  static const std::set<std::string> algs{"ecdsa-p256-sha256", "sm2-sm3", "ed25519"};
  for (auto& a : p.signature_algorithms)
    if (algs.count(a) == 0)
      return config_error(section + ".signature-algorithms",
                          "\"" + a + "\" is not one of ecdsa-p256-sha256, sm2-sm3, ed25519",
                          where(tbl, "signature-algorithms"));
  cfg.parties.push_back(std::move(p));
  return caf::none;
}

/// The [roles.<name>] tables of `roles` (the "roles" table of a hub.toml or roles file).
caf::error read_roles(const toml::table& roles, std::map<std::string, role_config>& out) {
  for (auto&& [name, node] : roles) {
    std::string section = "roles." + std::string{name.str()};
    auto* rt = node.as_table();
    if (rt == nullptr)
      return config_error(section, "expected a table", where(node));
    TRY(no_unknown_keys(*rt, section, {"send", "read", "receive"}));
    role_config rc;
    TRY(read_string_list(*rt, section, "send", rc.send));
    TRY(read_string_list(*rt, section, "read", rc.read));
    TRY(read_string_list(*rt, section, "receive", rc.receive));
    out.emplace(std::string{name.str()}, std::move(rc));
  }
  return caf::none;
}

/// `path` as written in the config file `origin`: relative paths are relative to
/// origin's directory (the config and its roles file travel together).
std::string resolve_against(const std::string& origin, const std::string& path) {
  std::filesystem::path p{path};
  if (p.is_absolute())
    return path;
  return (std::filesystem::path{origin}.parent_path() / p).lexically_normal().string();
}

/// The roles file named by [hub] roles-file (at `line` of hub.toml): only
/// [roles.<name>] tables, read as strictly as hub.toml. Errors name the file.
caf::error load_roles_file(const std::string& path, const std::string& line,
                           std::map<std::string, role_config>& out) {
  auto text = read_file(path);
  if (!text)
    return config_error("hub.roles-file", path + " cannot be read", line);
  toml::table root;
  try {
    root = toml::parse(*text, path);
  } catch (const toml::parse_error& e) {
    return caf::make_error(ec::invalid_config,
                           path + ": " + std::string{e.description()} + " (line "
                             + std::to_string(e.source().begin.line) + ")");
  }
  auto in_file = [&path](const caf::error& err) {
    return caf::make_error(ec::invalid_config, path + ": " + context_text(err));
  };
  if (auto err = no_unknown_keys(root, "", {"roles"}))
    return in_file(err);
  caf::error err;
  if (auto* t = sub_table(root, "roles", err))
    err = read_roles(*t, out);
  if (err)
    return in_file(err);
  return caf::none;
}

} // namespace

caf::expected<hub_config> parse_config(const std::string& text, const std::string& origin) {
  toml::table root;
  try {
    root = toml::parse(text, origin);
  } catch (const toml::parse_error& e) {
    return caf::make_error(ec::invalid_config,
                           origin + ": " + std::string{e.description()} + " (line "
                             + std::to_string(e.source().begin.line) + ")");
  }
  hub_config cfg;
  cfg.source = origin;
  std::vector<std::string> sections{"hub",   "gateway", "store",      "intake", "outbox", "roles",
                                    "party", "evidence", "signatures", "keys"};
  for (auto& m : modules())
    sections.push_back(m.name);
  TRY(no_unknown_keys(root, "", sections));
  caf::error err;
  std::string roles_file_line; // "line N" of [hub] roles-file, for messages
  if (auto* t = sub_table(root, "hub", err)) {
    TRY(no_unknown_keys(*t, "hub", {"id", "data-dir", "caf-threads", "log-level",
                                    "signing-key-file", "roles-file"}));
    TRY(read(*t, "hub", "roles-file", cfg.roles_file));
    roles_file_line = where(*t, "roles-file");
    TRY(read(*t, "hub", "signing-key-file", cfg.signing_key_file));
    TRY(read(*t, "hub", "id", cfg.hub_id));
    TRY(read(*t, "hub", "data-dir", cfg.data_dir));
    TRY(read(*t, "hub", "caf-threads", cfg.caf_threads));
    TRY(read(*t, "hub", "log-level", cfg.log_level));
  }
  TRY(err);
  for (auto& m : modules()) { // [customs] config = "customs.toml", ...
    if (auto* t = sub_table(root, m.name.c_str(), err)) {
      TRY(no_unknown_keys(*t, m.name, {"config"}));
      std::string file;
      TRY(read(*t, m.name, "config", file));
      if (!file.empty())
        cfg.module_configs[m.name] = file;
    }
    TRY(err);
  }
  if (auto* t = sub_table(root, "gateway", err)) {
    TRY(no_unknown_keys(*t, "gateway", {"endpoint", "server-secret-key-file",
                                        "max-frame-bytes", "linger-ms"}));
    TRY(read(*t, "gateway", "endpoint", cfg.endpoint));
    TRY(read(*t, "gateway", "server-secret-key-file", cfg.server_secret_key_file));
    TRY(read_positive(*t, "gateway", "max-frame-bytes", cfg.max_frame_bytes, 64u << 20));
    TRY(read(*t, "gateway", "linger-ms", cfg.linger_ms));
  }
  TRY(err);
  if (auto* t = sub_table(root, "store", err)) {
    TRY(no_unknown_keys(*t, "store", {"map-size-mb", "commit-max-batch",
                                      "commit-interval-us", "max-readers"}));
    TRY(read_positive(*t, "store", "map-size-mb", cfg.map_size_mb, 1u << 20));
    TRY(read_positive(*t, "store", "commit-max-batch", cfg.commit_max_batch, 100000));
    size_t us = static_cast<size_t>(cfg.commit_interval.count());
    TRY(read_positive(*t, "store", "commit-interval-us", us, 1000000));
    cfg.commit_interval = std::chrono::microseconds{us};
    TRY(read(*t, "store", "max-readers", cfg.max_readers));
  }
  TRY(err);
  if (auto* t = sub_table(root, "intake", err)) {
    TRY(no_unknown_keys(*t, "intake", {"workers", "store-timeout-ms", "max-clock-skew-ms",
                                       "max-items", "max-in-flight"}));
    TRY(read_positive(*t, "intake", "workers", cfg.intake_workers, 64));
    size_t ms = static_cast<size_t>(cfg.store_timeout.count());
    TRY(read_positive(*t, "intake", "store-timeout-ms", ms, 600000));
    cfg.store_timeout = std::chrono::milliseconds{ms};
    size_t skew = static_cast<size_t>(cfg.max_clock_skew.count());
    TRY(read_positive(*t, "intake", "max-clock-skew-ms", skew, 366ull * 24 * 3600 * 1000));
    cfg.max_clock_skew = std::chrono::milliseconds{skew};
    TRY(read_positive(*t, "intake", "max-items", cfg.max_items, 10000));
    TRY(read_positive(*t, "intake", "max-in-flight", cfg.max_in_flight, 10000000));
  }
  TRY(err);
  if (auto* t = sub_table(root, "outbox", err)) {
    TRY(no_unknown_keys(*t, "outbox", {"resend-interval-ms"}));
    size_t ms = static_cast<size_t>(cfg.resend_interval.count());
    TRY(read_positive(*t, "outbox", "resend-interval-ms", ms, 3600000));
    cfg.resend_interval = std::chrono::milliseconds{ms};
  }
  TRY(err);
  if (auto* t = sub_table(root, "roles", err))
    TRY(read_roles(*t, cfg.roles));
  TRY(err);
  if (!cfg.roles_file.empty()) {
    cfg.roles_file = resolve_against(origin, cfg.roles_file);
    if (root.contains("roles"))
      return config_error("hub.roles-file", "the permission table is both in " + cfg.roles_file
                                              + " and inline in " + origin + " ([roles] at "
                                              + where(root, "roles") + "); keep one",
                          roles_file_line);
    TRY(load_roles_file(cfg.roles_file, roles_file_line, cfg.roles));
  }
  if (auto* t = sub_table(root, "evidence", err)) {
    TRY(no_unknown_keys(*t, "evidence", {"checkpoint-every", "checkpoint-interval-s"}));
    size_t every = static_cast<size_t>(cfg.checkpoint_every);
    TRY(read_positive(*t, "evidence", "checkpoint-every", every, 100000000));
    cfg.checkpoint_every = every;
    size_t secs = static_cast<size_t>(cfg.checkpoint_interval.count());
    TRY(read_positive(*t, "evidence", "checkpoint-interval-s", secs, 86400));
    cfg.checkpoint_interval = std::chrono::seconds{secs};
  }
  TRY(err);
  if (auto* t = sub_table(root, "keys", err)) {
    TRY(no_unknown_keys(*t, "keys", {"admin-roles", "max-overlap-hours"}));
    TRY(read_string_list(*t, "keys", "admin-roles", cfg.key_admin_roles));
    size_t hours = static_cast<size_t>(cfg.max_key_overlap.count() / 3600);
    TRY(read_positive(*t, "keys", "max-overlap-hours", hours, 24 * 366));
    cfg.max_key_overlap = std::chrono::seconds{hours * 3600};
  }
  TRY(err);
  if (auto* t = sub_table(root, "signatures", err)) {
    TRY(no_unknown_keys(*t, "signatures", {"required"}));
    if (auto* req = sub_table(*t, "required", err)) {
      for (auto&& [type, node] : *req) {
        std::vector<std::string> roles;
        TRY(read_string_list(*req, "signatures.required", type.str(), roles));
        cfg.signatures_required[std::string{type.str()}] = roles;
      }
    }
  }
  TRY(err);
  if (auto* node = root.get("party")) {
    auto* arr = node->as_array();
    if (arr == nullptr || !arr->is_array_of_tables())
      return config_error("party", "expected [[party]] tables", where(*node));
    for (size_t i = 0; i < arr->size(); ++i)
      TRY(read_party(*arr->get(i)->as_table(), i, cfg));
  }
  TRY(validate(cfg));
  return cfg;
}

caf::error validate(const hub_config& cfg) {
  auto fail = [](std::string key, std::string what) {
    return caf::make_error(ec::invalid_config, key + ": " + what);
  };
  if (cfg.hub_id.empty())
    return fail("hub.id", "must not be empty");
  if (cfg.data_dir.empty())
    return fail("hub.data-dir", "must not be empty");
  if (cfg.endpoint.rfind("tcp://", 0) != 0 && cfg.endpoint.rfind("ipc://", 0) != 0)
    return fail("gateway.endpoint", "must start with tcp:// or ipc://");
  if (cfg.linger_ms < 0)
    return fail("gateway.linger-ms", "must be >= 0");
  if (cfg.max_readers < 8)
    return fail("store.max-readers", "must be >= 8");
  static const std::set<std::string> levels{"trace", "debug", "info", "warn", "error", "off"};
  if (levels.count(cfg.log_level) == 0)
    return fail("hub.log-level", "must be one of trace, debug, info, warn, error, off");
  std::set<std::string> ids, keys;
  for (auto& p : cfg.parties) {
    if (p.id == "hub")
      return fail("party " + p.id, "the id \"hub\" is reserved for the hub itself");
    if (p.id.find('#') != std::string::npos)
      return fail("party " + p.id, "party ids may not contain '#'");
    if (!ids.insert(p.id).second)
      return fail("party " + p.id, "id registered twice");
    if (!p.curve_public_key.empty() && !keys.insert(p.curve_public_key).second)
      return fail("party " + p.id, "CURVE key already registered for another party");
    for (auto& k : p.curve_keys)
      if (!keys.insert(k.public_key).second)
        return fail("party " + p.id, "CURVE key already registered");
    if (cfg.roles.count(p.role) == 0)
      return fail("party " + p.id, "role \"" + p.role + "\" is not defined in [roles]");
  }
  for (auto& r : cfg.key_admin_roles)
    if (cfg.roles.count(r) == 0)
      return fail("keys.admin-roles", "role \"" + r + "\" is not defined in [roles]");
  for (auto& [type, roles] : cfg.signatures_required)
    for (auto& r : roles)
      if (r != "*" && cfg.roles.count(r) == 0)
        return fail("signatures.required." + type, "role \"" + r + "\" is not defined in [roles]");
  return caf::none;
}

caf::expected<hub_config> load_config(const std::string& path) {
  auto text = read_file(path);
  if (!text)
    return text.error();
  return parse_config(*text, path);
}

} // namespace hub
