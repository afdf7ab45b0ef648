#include "adapters/ceb/base64.hpp"

namespace hub::ceb::detail {

namespace {

int value_of(char c) {
  if (c >= 'A' && c <= 'Z')
    return c - 'A';
  if (c >= 'a' && c <= 'z')
    return c - 'a' + 26;
  if (c >= '0' && c <= '9')
    return c - '0' + 52;
  if (c == '+')
    return 62;
  if (c == '/')
    return 63;
  return -1;
}

} // namespace

std::optional<std::vector<uint8_t>> decode_base64(std::string_view text, std::string& why) {
  std::vector<uint8_t> out;
  out.reserve(text.size() / 4 * 3);
  uint32_t quad = 0;
  size_t in_quad = 0, padding = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
      continue;
    if (c == '=') {
      // Padding completes the last quad: "xx==" or "xxx=".
      if (in_quad < 2 || in_quad + padding >= 4) {
        why = "misplaced padding '=' at offset " + std::to_string(i);
        return std::nullopt;
      }
      ++padding;
      continue;
    }
    int v = value_of(c);
    if (v < 0) {
      why = "invalid character";
      if (static_cast<unsigned char>(c) >= 0x20 && static_cast<unsigned char>(c) < 0x7F)
        why += std::string(" '") + c + "'";
      why += " at offset " + std::to_string(i);
      return std::nullopt;
    }
    if (padding > 0) {
      why = "data after padding at offset " + std::to_string(i);
      return std::nullopt;
    }
    quad = (quad << 6) | static_cast<uint32_t>(v);
    if (++in_quad == 4) {
      out.push_back(static_cast<uint8_t>(quad >> 16));
      out.push_back(static_cast<uint8_t>(quad >> 8));
      out.push_back(static_cast<uint8_t>(quad));
      quad = 0;
      in_quad = 0;
    }
  }
  if (padding > 0) {
    if (in_quad + padding != 4) {
      why = "incomplete padding";
      return std::nullopt;
    }
    if (in_quad == 2) {
      out.push_back(static_cast<uint8_t>(quad >> 4));
    } else {
      out.push_back(static_cast<uint8_t>(quad >> 10));
      out.push_back(static_cast<uint8_t>(quad >> 2));
    }
  } else if (in_quad != 0) {
    why = "length is not a multiple of 4 characters";
    return std::nullopt;
  }
  if (out.empty()) {
    why = "no data";
    return std::nullopt;
  }
  return out;
}

} // namespace hub::ceb::detail
