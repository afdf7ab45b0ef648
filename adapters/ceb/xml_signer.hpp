#pragma once
// Signs CEB business messages the way China E-Port signers do, for tools, tests and
// benchmarks (the hub verifies partners' signatures; it does not sign their messages):
// ds:Signature (prefix ds) appended as the last child of the root after a newline and
// indent, SignedInfo pretty-printed, KeyInfo with KeyName (certificate serial, hex) and
// X509Data/X509Certificate. Also makes throw-away test identities.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "adapters/ceb/xml_signature.hpp"

namespace hub::ceb {

/// The SignatureMethod/DigestMethod pair written.
enum class dsig_method : uint8_t {
  sm2_sm3,           ///< chinaport 2022/04 sm2-sm3 with chinaport sm3 (the specification's)
  sm2_sm3_w3_sha1,   ///< w3 "#sm2-sm3" with a SHA-1 digest (one public signer's)
  rsa_sha1,          ///< rsa-sha1 with sha1 (older cards)
  ecdsa_p256_sha256, ///< xmldsig-more ecdsa-sha256 with xmlenc sha256 (hub benchmark)
};

/// How the digest and the signature are computed.
enum class dsig_style : uint8_t {
  /// W3C: digest over the document with the signature (not its whitespace) removed;
  /// signature over SignedInfo as written (pretty-printed).
  specification,
  /// As E-Port signers really do: digest before inserting the signature and its
  /// whitespace; signature over SignedInfo without inter-element whitespace.
  real_signer,
};

struct sign_result {
  bytes xml;         ///< the signed message (UTF-8), when error is empty
  std::string error; ///< what went wrong (not XML, key does not fit the method, ...)
  explicit operator bool() const { return error.empty(); }
};

/// Signs `xml` with the PKCS#8 private key `key_pem` whose certificate is `cert_pem`.
/// `with_comments` writes the C14N #WithComments URI. The output keeps the XML
/// declaration (version, UTF-8, standalone) when the input had one.
sign_result sign_enveloped(const bytes& xml, std::string_view key_pem,
                           std::string_view cert_pem, dsig_method method, dsig_style style,
                           bool with_comments);

/// A generated key (PKCS#8 PEM) and its self-signed X.509 v3 certificate (PEM).
struct test_identity {
  std::string key_pem, cert_pem;
};

struct test_identity_result {
  std::optional<test_identity> identity;
  std::string error;
  explicit operator bool() const { return identity.has_value(); }
};

/// A fresh key of `kind` (RSA of `rsa_bits`) and a self-signed certificate with
/// CN=`common_name`, valid from now for ten years; the SM2 certificate is signed with
/// SM2-with-SM3 and the default id "1234567812345678". For tests and tools only.
test_identity_result make_test_identity(signer_key kind, std::string_view common_name,
                                        int rsa_bits = 2048);

} // namespace hub::ceb
