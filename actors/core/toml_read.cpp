#include "actors/core/toml_read.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>

namespace hub {

std::string where(const toml::node& node) {
  const auto& src = node.source();
  return "line " + std::to_string(src.begin.line);
}

std::string where(const toml::table& tbl, std::string_view key) {
  if (auto* node = tbl.get(key))
    return where(*node);
  return "line " + std::to_string(tbl.source().begin.line);
}

caf::error config_error(std::string key, std::string what, std::string line) {
  return caf::make_error(ec::invalid_config, key + ": " + what + " (" + line + ")");
}

caf::error no_unknown_keys(const toml::table& tbl, const std::string& section,
                           std::initializer_list<std::string_view> known) {
  return no_unknown_keys(tbl, section, std::vector<std::string>(known.begin(), known.end()));
}

caf::error no_unknown_keys(const toml::table& tbl, const std::string& section,
                           const std::vector<std::string>& known) {
  for (auto&& [key, node] : tbl)
    if (std::find(known.begin(), known.end(), key.str()) == known.end()) {
      auto full = section.empty() ? std::string{key.str()}
                                  : section + "." + std::string{key.str()};
      return config_error(full, "unknown key", where(node));
    }
  return caf::none;
}

caf::error read_positive(const toml::table& tbl, const std::string& section,
                         std::string_view key, size_t& out, size_t max) {
  int64_t v = static_cast<int64_t>(out);
  if (auto err = read(tbl, section, key, v))
    return err;
  if (v <= 0 || static_cast<uint64_t>(v) > max)
    return config_error(section + "." + std::string{key},
                        "must be between 1 and " + std::to_string(max), where(tbl, key));
  out = static_cast<size_t>(v);
  return caf::none;
}

caf::error read_string_list(const toml::table& tbl, const std::string& section,
                            std::string_view key, std::vector<std::string>& out) {
  const toml::node* node = tbl.get(key);
  if (node == nullptr)
    return caf::none;
  auto full = section + "." + std::string{key};
  auto* arr = node->as_array();
  if (arr == nullptr)
    return config_error(full, "expected an array of strings", where(*node));
  out.clear();
  for (auto& el : *arr) {
    auto s = el.value<std::string>();
    if (!el.is_string() || !s)
      return config_error(full, "expected an array of strings", where(el));
    out.push_back(*s);
  }
  return caf::none;
}

const toml::table* sub_table(const toml::table& root, std::string_view key, caf::error& err) {
  const toml::node* node = root.get(key);
  if (node == nullptr)
    return nullptr;
  auto* tbl = node->as_table();
  if (tbl == nullptr)
    err = config_error(std::string{key}, "expected a table", where(*node));
  return tbl;
}

caf::expected<std::string> read_file(const std::string& path) {
  std::ifstream in{path};
  if (!in)
    return caf::make_error(ec::invalid_config, path + ": cannot read file");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

} // namespace hub
