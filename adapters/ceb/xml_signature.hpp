#pragma once
// Verification of the enveloped XML-DSig signature (ds:Signature) that China E-Port
// signers put in CEB business messages (docs: /work/shared/domain/ecommerce.md §8 and
// §10.3; CEB message specification 2022-05, chapter 6).
//
// A message is verified first as the specification says (W3C enveloped signature:
// the digest is over the inclusive C14N of the document without the ds:Signature
// element; the signature is over SignedInfo canonicalised as transmitted) and, where
// that fails, as real signers sign: the digest over the document without the
// ds:Signature element AND the whitespace text node just before it (signers digest
// before they insert both), and the signature over SignedInfo without the whitespace
// text nodes between its elements (inherited xmlns declarations kept). The way that
// verified is reported. Whitespace in the body is data under C14N: reformatting the
// body breaks the digest.
//
// libxml2 (tree and C14N 1.0) and OpenSSL 3 EVP only; nothing here throws.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// OpenSSL's key type, without including OpenSSL headers here.
struct evp_pkey_st;

namespace hub::ceb {

/// The algorithm URIs the hub accepts (and its signer writes).
namespace dsig_uri {
constexpr const char* ds_namespace = "http://www.w3.org/2000/09/xmldsig#";
constexpr const char* c14n = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315";
constexpr const char* c14n_with_comments =
  "http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments";
constexpr const char* enveloped = "http://www.w3.org/2000/09/xmldsig#enveloped-signature";
/// The 2022-05 specification's SM2 pair (preferred).
constexpr const char* chinaport_sm2_sm3 = "http://www.chinaport.gov.cn/2022/04/xmldsig#sm2-sm3";
constexpr const char* chinaport_sm3 = "http://www.chinaport.gov.cn/2022/04/xmldsig#sm3";
/// Older cards; also the digest of the signers' w3 "sm2-sm3" variant.
constexpr const char* rsa_sha1 = "http://www.w3.org/2000/09/xmldsig#rsa-sha1";
constexpr const char* sha1 = "http://www.w3.org/2000/09/xmldsig#sha1";
/// Written by one public signer: SM2/SM3 signature, SHA-1 reference digest.
constexpr const char* w3_sm2_sm3 = "http://www.w3.org/2000/09/xmldsig#sm2-sm3";
/// The hub's benchmark identities (P-256), per RFC 6931 / xmlenc.
constexpr const char* ecdsa_sha256 = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256";
constexpr const char* sha256 = "http://www.w3.org/2001/04/xmlenc#sha256";
} // namespace dsig_uri

using bytes = std::vector<uint8_t>;

/// The key types a party may register for its CEB signatures.
enum class signer_key : uint8_t {
  rsa,     ///< RSA >= 1024 bits (rsa-sha1, the official samples' older cards)
  sm2,     ///< EC on the SM2 curve (sm2-sm3, both URI variants)
  ec_p256, ///< EC P-256 (ecdsa-sha256; the hub's benchmark)
};

/// "rsa", "sm2", "ec-p256".
const char* to_string(signer_key k);

struct signer_identity_result;

/// A party's registered signing identity: its certificate (preferred: KeyInfo must then
/// carry exactly this certificate) or a bare public key. Cheap to copy; the parsed key
/// is shared read-only and safe to use from several threads at once.
class signer_identity {
public:
  /// PEM of an X.509 certificate ("BEGIN CERTIFICATE") or a SubjectPublicKeyInfo
  /// ("BEGIN PUBLIC KEY"); RSA >= 1024 bits, SM2 (also id-ecPublicKey on the SM2
  /// curve) or EC P-256. The error text names what is wrong.
  static signer_identity_result from_pem(std::string_view pem);

  signer_key key() const;
  /// True if registered as a certificate (certificate_der() is then its DER).
  bool has_certificate() const;
  const bytes& certificate_der() const;
  /// The public key's SubjectPublicKeyInfo DER.
  const bytes& spki_der() const;
  /// OpenSSL's key, owned by this identity; never null for a parsed identity.
  evp_pkey_st* native() const;

  struct state;

private:
  std::shared_ptr<const state> state_;
};

struct signer_identity_result {
  std::optional<signer_identity> identity; ///< set on success
  std::string error;                       ///< why not, otherwise
  explicit operator bool() const { return identity.has_value(); }
};

/// What failed, in the order the checks run.
enum class signature_fault : uint8_t {
  none = 0,
  missing,             ///< no ds:Signature as the last element child of the root
  malformed,           ///< structure, base64, unknown element, Reference URI, lengths
  unsupported_method,  ///< an algorithm URI (or pair) not in the accepted list
  foreign_certificate, ///< KeyInfo carries a certificate other than the registered one
  digest_mismatch,     ///< the DigestValue matches the document in neither way
  bad_signature_value, ///< the digest is right, the SignatureValue fails in both ways
};

/// "none", "missing", "malformed", ...
const char* to_string(signature_fault f);

/// The outcome of one check; fault none means verified.
struct signature_check {
  signature_fault fault = signature_fault::none;
  std::string detail; ///< what a partner can act on (element, expected vs got)
  std::string signature_method, digest_method, c14n_method; ///< URIs as sent
  /// How it verified: "specification"; "signer-digest" (digest without the whitespace
  /// inserted with the signature), "signer-signedinfo" (SignedInfo without
  /// inter-element whitespace), "signer-both". Empty unless fault is none.
  std::string way;
  bool ok() const { return fault == signature_fault::none; }
};

/// Checks the enveloped signature of `xml_doc` (libxml2's xmlDocPtr, e.g.
/// hub::ceb::message::xml_doc()) against the party's registered identity. Reads the
/// tree only (never modifies it). Thread-safe for distinct documents.
signature_check verify_enveloped(void* xml_doc, const signer_identity& id);

} // namespace hub::ceb
