#include "actors/crypto/digest.hpp"

#include <memory>

#include <openssl/evp.h>

namespace hub {

namespace {

using md_ctx_ptr = std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)>;

void update_prefixed(EVP_MD_CTX* ctx, const void* data, size_t size) {
  uint8_t len[4] = {static_cast<uint8_t>(size >> 24), static_cast<uint8_t>(size >> 16),
                    static_cast<uint8_t>(size >> 8), static_cast<uint8_t>(size)};
  EVP_DigestUpdate(ctx, len, 4);
  EVP_DigestUpdate(ctx, data, size);
}

} // namespace

bytes sha256(const uint8_t* data, size_t size) {
  bytes out(32);
  unsigned int len = 0;
  EVP_Digest(data, size, out.data(), &len, EVP_sha256(), nullptr);
  return out;
}

bytes content_digest(std::string_view document_type, std::string_view recipient,
                     const bytes& correlation_id, const uint8_t* payload,
                     size_t payload_size) {
  md_ctx_ptr ctx{EVP_MD_CTX_new(), &EVP_MD_CTX_free};
  bytes out(32);
  unsigned int len = 0;
  EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr);
  update_prefixed(ctx.get(), document_type.data(), document_type.size());
  update_prefixed(ctx.get(), recipient.data(), recipient.size());
  update_prefixed(ctx.get(), correlation_id.data(), correlation_id.size());
  update_prefixed(ctx.get(), payload, payload_size);
  EVP_DigestFinal_ex(ctx.get(), out.data(), &len);
  return out;
}

} // namespace hub
