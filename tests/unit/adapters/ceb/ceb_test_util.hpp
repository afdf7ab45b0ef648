#pragma once
// Helpers of the CEB adapter tests: the official samples as templates, edited as text.

#include "adapters/ceb/ceb_message.hpp"

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

namespace ceb_test {

inline std::string shared_path(const std::string& rel) {
  return std::string(CEB_SHARED_DIR) + "/" + rel;
}

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw std::runtime_error("cannot read " + path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

inline std::string sample(const std::string& name) {
  return read_file(shared_path("samples/import/" + name + ".xml"));
}

inline std::string replace_first(std::string s, const std::string& from, const std::string& to) {
  auto at = s.find(from);
  if (at == std::string::npos)
    throw std::runtime_error("template lacks " + from);
  return s.replace(at, from.size(), to);
}

inline std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  for (auto at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
    s.replace(at, from.size(), to);
  return s;
}

inline hub::ceb::parse_result parse_text(const std::string& s, const hub::ceb::limits& lim = {}) {
  return hub::ceb::parse(reinterpret_cast<const uint8_t*>(s.data()), s.size(), lim);
}

/// `text` with its blocks open..close (the documents or lines) replaced by n copies of
/// the first one, each passed through edit(k, block).
template <class Edit>
std::string with_blocks(const std::string& text, const std::string& open,
                        const std::string& close, size_t n, Edit edit) {
  auto first = text.find(open);
  auto first_end = text.find(close, first) + close.size();
  auto last_end = text.rfind(close) + close.size();
  auto block = text.substr(first, first_end - first);
  std::string out = text.substr(0, first);
  for (size_t k = 0; k < n; ++k)
    out += edit(k, block) + "\n\t";
  return out + text.substr(last_end);
}

inline std::string with_blocks(const std::string& text, const std::string& open,
                               const std::string& close, size_t n) {
  return with_blocks(text, open, close, n, [](size_t, const std::string& b) { return b; });
}

} // namespace ceb_test
