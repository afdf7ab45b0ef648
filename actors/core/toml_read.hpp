#pragma once
// Strict TOML reading shared by every config file the hub reads (hub.toml,
// customs.toml, the reference data): an unknown key, a wrong type or an
// out-of-range value is an ec::invalid_config error naming the key and its line.
// Includes toml++: include it from .cpp files only.

#include <initializer_list>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <caf/error.hpp>
#include <caf/expected.hpp>
#include <toml++/toml.h>

#include "actors/core/error.hpp"

namespace hub {

/// "line 12" of a node, or of a key in a table (the table's line if absent).
std::string where(const toml::node& node);
std::string where(const toml::table& tbl, std::string_view key);

/// ec::invalid_config "key: what (line N)".
caf::error config_error(std::string key, std::string what, std::string line);

/// Fails on the first key of `tbl` not in `known`, naming "section.key".
caf::error no_unknown_keys(const toml::table& tbl, const std::string& section,
                           std::initializer_list<std::string_view> known);
/// The same for a list built at run time (keys the registered modules add).
caf::error no_unknown_keys(const toml::table& tbl, const std::string& section,
                           const std::vector<std::string>& known);

/// Reads `key` into `out` if present (string, bool or integer type); keeps the
/// documented default otherwise.
template <class T>
caf::error read(const toml::table& tbl, const std::string& section, std::string_view key,
                T& out) {
  const toml::node* node = tbl.get(key);
  if (node == nullptr)
    return caf::none;
  auto full = section + "." + std::string{key};
  if constexpr (std::is_same_v<T, std::string>) {
    auto val = node->value<std::string>();
    if (!node->is_string() || !val)
      return config_error(full, "expected a string", where(*node));
    out = *val;
  } else if constexpr (std::is_same_v<T, bool>) {
    if (!node->is_boolean())
      return config_error(full, "expected true or false", where(*node));
    out = *node->value<bool>();
  } else if constexpr (std::is_floating_point_v<T>) {
    if (!node->is_number())
      return config_error(full, "expected a number", where(*node));
    out = *node->value<T>();
  } else {
    if (!node->is_integer())
      return config_error(full, "expected an integer", where(*node));
    auto val = node->value<T>(); // empty when out of T's range
    if (!val)
      return config_error(full, "integer out of range", where(*node));
    out = *val;
  }
  return caf::none;
}

/// An integer in [1, max].
caf::error read_positive(const toml::table& tbl, const std::string& section,
                         std::string_view key, size_t& out, size_t max);

caf::error read_string_list(const toml::table& tbl, const std::string& section,
                            std::string_view key, std::vector<std::string>& out);

/// root[key] as a table; nullptr if absent (err set if present but not a table).
const toml::table* sub_table(const toml::table& root, std::string_view key, caf::error& err);

/// The whole file; ec::invalid_config naming the path if unreadable.
caf::expected<std::string> read_file(const std::string& path);

} // namespace hub
