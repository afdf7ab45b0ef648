#pragma once
// Strict base64 (RFC 4648 alphabet, '=' padding only at the end; XML whitespace between
// characters is skipped, as xs:base64Binary allows line breaks). libxml2 does not export
// its decoder, and OpenSSL's EVP_DecodeBlock does not say where input went wrong.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hub::ceb::detail {

/// The decoded bytes, or nullopt with `why` set ("invalid character '%' at offset 17").
std::optional<std::vector<uint8_t>> decode_base64(std::string_view text, std::string& why);

} // namespace hub::ceb::detail
