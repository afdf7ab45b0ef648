#pragma once
// Internals shared by the CEB signature verifier (xml_signature.cpp) and the signer
// (xml_signer.cpp): canonicalisation, digests, encodings. Not a public interface.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include <libxml/tree.h>
#include <openssl/evp.h>

#include "adapters/ceb/xml_signature.hpp"

namespace hub::ceb::detail {

/// The digests of a document's inclusive C14N 1.0 without `sig` (none if null): `spec`
/// keeps the whitespace text node `ws` (W3C enveloped transform), `signer` leaves it
/// out too (as signers digest before they insert it). One C14N pass when both use the
/// same comment mode. Empty `error` on success.
struct document_digests {
  bytes spec, signer;
  std::string error;
};
document_digests digest_document(xmlDocPtr doc, xmlNodePtr sig, xmlNodePtr ws,
                                 const EVP_MD* md, bool spec_comments,
                                 bool signer_comments);

/// The inclusive C14N 1.0 of the element `si` as a document subset (its in-scope
/// namespaces and inherited xml:* attributes rendered on it); `compact` leaves out the
/// whitespace-only text nodes between elements. Reads `si`'s tree only.
bool canonical_subtree(xmlNodePtr si, bool compact, bool with_comments, std::string& out,
                       std::string& error);

/// The whitespace-only text node just before `sig`, or null.
xmlNodePtr whitespace_before(xmlNodePtr sig);

/// The shared, pre-fetched digests (never null).
const EVP_MD* sha1();
const EVP_MD* sha256();
const EVP_MD* sm3();

/// RFC 4648 base64; `line` > 0 inserts '\n' after every `line` characters.
std::string base64_encode(const uint8_t* data, size_t size, size_t line = 0);
/// base64Binary as XML Schema writes it (whitespace anywhere ignored); nullopt if not.
std::optional<bytes> base64_decode(const char* text);

/// ECDSA/SM2: raw r||s (2 x `half` bytes, XML-DSig) <-> DER (OpenSSL).
std::optional<bytes> raw_to_der(const uint8_t* raw, size_t size);
std::optional<bytes> der_to_raw(const uint8_t* der, size_t size, size_t half);

/// Every error in this thread's OpenSSL queue as text ("" if none); clears it.
std::string openssl_errors();

/// GB/T 32918.2 / GM/T 0009 default distinguishing id.
constexpr char sm2_id[] = "1234567812345678";
constexpr size_t sm2_id_len = sizeof(sm2_id) - 1;

} // namespace hub::ceb::detail
