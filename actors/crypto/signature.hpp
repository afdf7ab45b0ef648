#pragma once
// Signatures (issue "Trust", item 1): parsed keys, sign, verify, and a cache of
// parsed partner keys. OpenSSL 3 EVP only; nothing here throws.
//
// Error codes used (hub::ec):
//   ec::bad_signature  - verification failed, or the signature is malformed, or the
//                        key cannot check signatures of this kind (verify never
//                        returns another code for a bad signature)
//   ec::crypto_failure - an OpenSSL call failed; the context names the operation and
//                        carries every queued OpenSSL error string (or says none was
//                        queued) and the running OpenSSL version
//   ec::invalid_config - an operator gave a key that is not PEM/DER, not parseable,
//                        or of an algorithm the hub does not sign with (RSA, P-384...)
//
// SM2: signatures use SM3 and the distinguishing id "1234567812345678" (the default
// of GB/T 32918.2 / GM/T 0009), set explicitly on every call on the operation's key
// context after init (never as an init parameter: that fails on OpenSSL 3.0.19). Beware: the OpenSSL 3.0
// CLI (`openssl pkeyutl -rawin -digest sm3`, `openssl dgst -sm3 -sign`) uses an EMPTY
// id unless given `-pkeyopt distid:1234567812345678` (`-sigopt` for dgst); its
// default signatures do not verify here, and ours do not verify there without it.

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <caf/error.hpp>
#include <caf/expected.hpp>

#include "actors/actors.hpp"

// OpenSSL's key type, without including OpenSSL headers here.
struct evp_pkey_st;

namespace hub {
enum class ec : uint8_t; // actors/core/error.hpp
} // namespace hub

namespace hub::crypto {

/// Numbers equal schemas/envelope.capnp's SignatureAlgorithm enumerants.
enum class algorithm : uint8_t { none = 0, ecdsa_p256_sha256 = 1, sm2_sm3 = 2, ed25519 = 3 };

/// "ecdsa-p256-sha256", "sm2-sm3", "ed25519" ("none" for algorithm::none).
const char* to_string(algorithm x);

/// The OpenSSL the process runs with (libcrypto's own text, e.g. "OpenSSL 3.0.19
/// 27 Jan 2026"): logged at start, printed by the crypto benchmark, and part of every
/// crypto_failure message, because behaviour drifts between 3.0.x updates.
std::string openssl_version();

/// `what` (an OpenSSL call) failed: an error of `code` whose text is `what`, then every
/// reason in this thread's OpenSSL queue (or "OpenSSL queued no error": some 3.0.x
/// releases fail a call without one), then the version; the queue is cleared.
caf::error openssl_failure(ec code, std::string what);

/// Parses the names to_string gives; "none" and anything else is ec::invalid_config.
caf::expected<algorithm> algorithm_from_string(std::string_view name);

/// A parsed public key; cheap to copy (shared EVP_PKEY, read-only, safe to share
/// across threads). A default-constructed key is empty: alg() is none, it verifies
/// nothing, pem()/der()/fingerprint() are empty.
class public_key {
public:
  public_key() = default;

  /// SubjectPublicKeyInfo PEM ("-----BEGIN PUBLIC KEY-----"). Keys other than EC
  /// P-256, SM2 and Ed25519 are refused with ec::invalid_config.
  static caf::expected<public_key> from_pem(std::string_view pem);

  /// SubjectPublicKeyInfo DER; same rules as from_pem.
  static caf::expected<public_key> from_der(const uint8_t* data, size_t size);

  /// EC P-256 -> ecdsa_p256_sha256, SM2 curve -> sm2_sm3, Ed25519 -> ed25519.
  algorithm alg() const { return alg_; }

  bool valid() const { return pkey_ != nullptr; }
  explicit operator bool() const { return valid(); }

  /// SubjectPublicKeyInfo PEM (ends with a newline).
  std::string pem() const;

  /// SubjectPublicKeyInfo DER.
  bytes der() const;

  /// Lower-case hex of the first 16 bytes of SHA-256(SPKI DER), 32 characters: the key
  /// id. Computed once at parse time.
  const std::string& fingerprint() const { return fingerprint_; }

  /// The OpenSSL key (shared, treat as read-only); for the crypto module itself.
  evp_pkey_st* native() const { return pkey_.get(); }

private:
  friend class private_key;
  static public_key make(std::shared_ptr<evp_pkey_st> pkey, algorithm alg);

  std::shared_ptr<evp_pkey_st> pkey_;
  algorithm alg_ = algorithm::none;
  std::string fingerprint_;
};

/// A private key (sign only in the process that owns it; never logged).
class private_key {
public:
  private_key() = default;

  /// A fresh key pair of `x` (not algorithm::none).
  static caf::expected<private_key> generate(algorithm x);

  /// PKCS#8 PEM ("-----BEGIN PRIVATE KEY-----"; "BEGIN EC PRIVATE KEY" is accepted
  /// too). Encrypted keys are refused (no passphrase prompt); unsupported algorithms
  /// are ec::invalid_config.
  static caf::expected<private_key> from_pem(std::string_view pem);

  algorithm alg() const { return alg_; }
  bool valid() const { return pkey_ != nullptr; }
  explicit operator bool() const { return valid(); }

  /// The matching public key.
  public_key public_part() const;

  /// Unencrypted PKCS#8 PEM.
  std::string pem() const;

  evp_pkey_st* native() const { return pkey_.get(); }

private:
  std::shared_ptr<evp_pkey_st> pkey_;
  algorithm alg_ = algorithm::none;
};

/// Signs `data` (the whole message, not a digest): ECDSA P-256 with SHA-256 (X9.62
/// DER signature), SM2 with SM3 and the distinguishing id "1234567812345678", Ed25519
/// pure (RFC 8032). ECDSA and SM2 signatures are randomized; Ed25519 is deterministic.
caf::expected<bytes> sign(const private_key& key, const uint8_t* data, size_t size);

/// Verifies `signature` over `data` with `key`: caf::none if valid, ec::bad_signature
/// if not (wrong key, wrong data, malformed signature, key of another algorithm,
/// empty key). ec::crypto_failure only if OpenSSL cannot even set up the check.
caf::error verify(const public_key& key, const uint8_t* data, size_t size,
                  const bytes& signature);

} // namespace hub::crypto
