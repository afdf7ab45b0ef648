#include "actors/crypto/signature.hpp"

#include <cstring>
#include <mutex>

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/pem.h>
#include <openssl/crypto.h>
#include <openssl/x509.h>

#include "actors/core/error.hpp"
#include "actors/crypto/digest.hpp"
#include "schemas/envelope.capnp.h"

namespace hub::crypto {

// The enum is the wire enum: a renumbering on either side must not compile.
static_assert(static_cast<uint16_t>(algorithm::none)
              == static_cast<uint16_t>(swhub::wire::SignatureAlgorithm::NONE));
static_assert(static_cast<uint16_t>(algorithm::ecdsa_p256_sha256)
              == static_cast<uint16_t>(swhub::wire::SignatureAlgorithm::ECDSA_P256_SHA256));
static_assert(static_cast<uint16_t>(algorithm::sm2_sm3)
              == static_cast<uint16_t>(swhub::wire::SignatureAlgorithm::SM2_SM3));
static_assert(static_cast<uint16_t>(algorithm::ed25519)
              == static_cast<uint16_t>(swhub::wire::SignatureAlgorithm::ED25519));

namespace {

using md_ctx_ptr = std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)>;
using bio_ptr = std::unique_ptr<BIO, decltype(&BIO_free)>;

/// GB/T 32918.2 / GM/T 0009 default distinguishing id (16 bytes, no terminator).
constexpr char sm2_default_id[] = "1234567812345678";
constexpr size_t sm2_default_id_len = sizeof(sm2_default_id) - 1;

/// A valid pointer for empty input (OpenSSL may reject nullptr even with size 0).
const uint8_t empty_input[1] = {0};

std::shared_ptr<EVP_PKEY> share(EVP_PKEY* k) {
  return std::shared_ptr<EVP_PKEY>{k, &EVP_PKEY_free};
}

/// Every error in the thread's OpenSSL queue as text, oldest first, joined by "; "
/// ("" if none). Clears the queue so that later calls do not report stale errors.
std::string take_openssl_error() {
  std::string text;
  const char* file = nullptr;
  const char* func = nullptr;
  int line = 0;
  while (auto e = ERR_get_error_all(&file, &line, &func, nullptr, nullptr)) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof(buf));
    if (!text.empty())
      text += "; ";
    text += buf;
    if (func != nullptr && *func != '\0') {
      text += " in ";
      text += func;
    }
  }
  return text;
}

/// No passphrase prompt, ever: encrypted PEM simply fails to load.
int no_password(char*, int, int, void*) {
  return -1;
}

bio_ptr memory_bio(std::string_view text) {
  return bio_ptr{BIO_new_mem_buf(text.data(), static_cast<int>(text.size())), &BIO_free};
}

std::string bio_text(BIO* bio) {
  char* data = nullptr;
  auto len = BIO_get_mem_data(bio, &data);
  if (len <= 0 || data == nullptr)
    return {};
  return std::string{data, static_cast<size_t>(len)};
}

/// The hub algorithm of `k`, or none with `why` saying what the key is instead.
algorithm classify(EVP_PKEY* k, std::string& why) {
  if (EVP_PKEY_is_a(k, "ED25519"))
    return algorithm::ed25519;
  if (EVP_PKEY_is_a(k, "SM2"))
    return algorithm::sm2_sm3;
  if (EVP_PKEY_is_a(k, "EC")) {
    char group[80] = {0};
    size_t len = 0;
    if (EVP_PKEY_get_utf8_string_param(k, OSSL_PKEY_PARAM_GROUP_NAME, group,
                                       sizeof(group), &len)
        != 1) {
      ERR_clear_error();
      why = "EC key without a named curve (only P-256 is accepted)";
      return algorithm::none;
    }
    std::string_view g{group, len};
    if (g == "prime256v1" || g == "P-256")
      return algorithm::ecdsa_p256_sha256;
    why = "EC key on curve " + std::string{g} + " (only P-256 is accepted)";
    return algorithm::none;
  }
  auto name = EVP_PKEY_get0_type_name(k);
  why = std::string{"unsupported key type "} + (name != nullptr ? name : "(unknown)")
        + " (accepted: EC P-256, SM2, Ed25519)";
  return algorithm::none;
}

std::string hex(const uint8_t* data, size_t size) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(size * 2);
  for (size_t i = 0; i < size; ++i) {
    out.push_back(digits[data[i] >> 4]);
    out.push_back(digits[data[i] & 0x0f]);
  }
  return out;
}

bytes spki_der(EVP_PKEY* k) {
  unsigned char* buf = nullptr;
  int len = i2d_PUBKEY(k, &buf);
  if (len <= 0 || buf == nullptr) {
    ERR_clear_error();
    return {};
  }
  bytes out(buf, buf + len);
  OPENSSL_free(buf);
  return out;
}

/// The digest name of `x` for EVP_Digest{Sign,Verify}Init_ex (nullptr: pure Ed25519).
const char* digest_name(algorithm x) {
  switch (x) {
    case algorithm::ecdsa_p256_sha256: return "SHA256";
    case algorithm::sm2_sm3: return "SM3";
    case algorithm::ed25519:
    case algorithm::none: break;
  }
  return nullptr;
}

/// Sets the SM2 distinguishing id on an initialised sign or verify context, before its
/// first update (where SM2 hashes the id into Z). Not passed as an init parameter:
/// EVP_Digest{Sign,Verify}Init_ex with OSSL_PKEY_PARAM_DIST_ID in its params fails,
/// queueing nothing, on OpenSSL 3.0.19 (Debian 12's update of 2026); setting it on the
/// operation's key context works on every 3.0.x.
caf::error set_sm2_id(EVP_MD_CTX* ctx, const char* operation) {
  auto* pctx = EVP_MD_CTX_get_pkey_ctx(ctx);
  if (pctx == nullptr
      || EVP_PKEY_CTX_set1_id(pctx, sm2_default_id, sm2_default_id_len) != 1)
    return openssl_failure(ec::crypto_failure,
                           std::string{operation} + ": setting the SM2 distinguishing id");
  return caf::none;
}

/// Initialises `ctx` to sign (or verify) with `key` of algorithm `x`.
template <class Init>
caf::error init_digest(Init init, const char* operation, EVP_MD_CTX* ctx, EVP_PKEY* key,
                       algorithm x) {
  if (init(ctx, nullptr, digest_name(x), nullptr, nullptr, key, nullptr) != 1)
    return openssl_failure(ec::crypto_failure,
                           std::string{operation} + " " + to_string(x));
  if (x == algorithm::sm2_sm3)
    return set_sm2_id(ctx, operation);
  return caf::none;
}

} // namespace

// ---- algorithm ------------------------------------------------------------------

std::string openssl_version() {
  return OpenSSL_version(OPENSSL_VERSION);
}

caf::error openssl_failure(ec code, std::string what) {
  auto detail = take_openssl_error();
  what += ": ";
  what += detail.empty() ? std::string{"OpenSSL queued no error"} : detail;
  what += " [" + openssl_version() + "]";
  return caf::make_error(code, std::move(what));
}

const char* to_string(algorithm x) {
  switch (x) {
    case algorithm::none: return "none";
    case algorithm::ecdsa_p256_sha256: return "ecdsa-p256-sha256";
    case algorithm::sm2_sm3: return "sm2-sm3";
    case algorithm::ed25519: return "ed25519";
  }
  return "none";
}

caf::expected<algorithm> algorithm_from_string(std::string_view name) {
  for (auto x : {algorithm::ecdsa_p256_sha256, algorithm::sm2_sm3, algorithm::ed25519})
    if (name == to_string(x))
      return x;
  return caf::make_error(ec::invalid_config,
                         "unknown signature algorithm \"" + std::string{name}
                           + "\" (expected ecdsa-p256-sha256, sm2-sm3 or ed25519)");
}

// ---- public_key -----------------------------------------------------------------

public_key public_key::make(std::shared_ptr<evp_pkey_st> pkey, algorithm alg) {
  public_key result;
  auto der = spki_der(pkey.get());
  auto digest = sha256(der.data(), der.size());
  result.fingerprint_ = hex(digest.data(), 16);
  result.pkey_ = std::move(pkey);
  result.alg_ = alg;
  return result;
}

namespace {

/// A PEM key read with `read` (PEM_read_bio_PUBKEY or PEM_read_bio_PrivateKey) and
/// classified; `not_pem` and `kind` word the errors.
template <class Read>
caf::expected<std::pair<std::shared_ptr<EVP_PKEY>, algorithm>>
read_pem_key(std::string_view pem, Read read, const char* not_pem, const char* kind) {
  auto bio = memory_bio(pem);
  if (!bio)
    return openssl_failure(ec::crypto_failure, "BIO_new_mem_buf");
  auto k = share(read(bio.get(), nullptr, &no_password, nullptr));
  if (!k)
    return openssl_failure(ec::invalid_config, not_pem);
  std::string why;
  auto alg = classify(k.get(), why);
  if (alg == algorithm::none)
    return caf::make_error(ec::invalid_config, std::string{kind} + " key refused: " + why);
  return std::make_pair(std::move(k), alg);
}

} // namespace

caf::expected<public_key> public_key::from_pem(std::string_view pem) {
  auto k = read_pem_key(pem, &PEM_read_bio_PUBKEY,
                        "not a SubjectPublicKeyInfo PEM (\"BEGIN PUBLIC KEY\")", "public");
  if (!k)
    return k.error();
  return make(std::move(k->first), k->second);
}

caf::expected<public_key> public_key::from_der(const uint8_t* data, size_t size) {
  if (data == nullptr || size == 0)
    return caf::make_error(ec::invalid_config, "empty public key DER");
  const unsigned char* p = data;
  auto k = share(d2i_PUBKEY(nullptr, &p, static_cast<long>(size)));
  if (!k)
    return openssl_failure(ec::invalid_config, "not a SubjectPublicKeyInfo DER");
  if (p != data + size)
    return caf::make_error(ec::invalid_config,
                           "trailing bytes after the SubjectPublicKeyInfo DER");
  std::string why;
  auto alg = classify(k.get(), why);
  if (alg == algorithm::none)
    return caf::make_error(ec::invalid_config, "public key refused: " + why);
  return make(std::move(k), alg);
}

std::string public_key::pem() const {
  if (!pkey_)
    return {};
  bio_ptr bio{BIO_new(BIO_s_mem()), &BIO_free};
  if (!bio || PEM_write_bio_PUBKEY(bio.get(), pkey_.get()) != 1) {
    ERR_clear_error();
    return {};
  }
  return bio_text(bio.get());
}

bytes public_key::der() const {
  if (!pkey_)
    return {};
  return spki_der(pkey_.get());
}

// ---- private_key ----------------------------------------------------------------

caf::expected<private_key> private_key::generate(algorithm x) {
  EVP_PKEY* k = nullptr;
  switch (x) {
    case algorithm::ecdsa_p256_sha256:
      k = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
      break;
    case algorithm::sm2_sm3:
      k = EVP_PKEY_Q_keygen(nullptr, nullptr, "SM2");
      break;
    case algorithm::ed25519:
      k = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
      break;
    case algorithm::none:
      return caf::make_error(ec::invalid_config, "cannot generate a key for algorithm none");
  }
  if (k == nullptr)
    return openssl_failure(ec::crypto_failure,
                           std::string{"EVP_PKEY_Q_keygen "} + to_string(x));
  private_key result;
  result.pkey_ = share(k);
  result.alg_ = x;
  return result;
}

caf::expected<private_key> private_key::from_pem(std::string_view pem) {
  auto k = read_pem_key(pem, &PEM_read_bio_PrivateKey,
                        "not an unencrypted PKCS#8 PEM (\"BEGIN PRIVATE KEY\")", "private");
  if (!k)
    return k.error();
  private_key result;
  result.pkey_ = std::move(k->first);
  result.alg_ = k->second;
  return result;
}

public_key private_key::public_part() const {
  if (!pkey_)
    return {};
  // Round trip through the SPKI DER: the public object then holds no secret.
  auto der = spki_der(pkey_.get());
  const unsigned char* p = der.data();
  auto k = share(d2i_PUBKEY(nullptr, &p, static_cast<long>(der.size())));
  if (!k) {
    ERR_clear_error();
    return {};
  }
  return public_key::make(std::move(k), alg_);
}

std::string private_key::pem() const {
  if (!pkey_)
    return {};
  bio_ptr bio{BIO_new(BIO_s_mem()), &BIO_free};
  if (!bio
      || PEM_write_bio_PrivateKey(bio.get(), pkey_.get(), nullptr, nullptr, 0, nullptr,
                                  nullptr)
           != 1) {
    ERR_clear_error();
    return {};
  }
  return bio_text(bio.get());
}

// ---- sign / verify --------------------------------------------------------------

caf::expected<bytes> sign(const private_key& key, const uint8_t* data, size_t size) {
  if (!key)
    return caf::make_error(ec::crypto_failure, "sign: empty private key");
  ERR_clear_error(); // a failure below reports its own reasons, not another call's
  if (data == nullptr)
    data = empty_input;
  md_ctx_ptr ctx{EVP_MD_CTX_new(), &EVP_MD_CTX_free};
  if (!ctx)
    return openssl_failure(ec::crypto_failure, "EVP_MD_CTX_new");
  if (auto err = init_digest(&EVP_DigestSignInit_ex, "EVP_DigestSignInit_ex", ctx.get(),
                             key.native(), key.alg()))
    return err;
  auto max = EVP_PKEY_get_size(key.native());
  if (max <= 0)
    return openssl_failure(ec::crypto_failure, "EVP_PKEY_get_size");
  bytes sig(static_cast<size_t>(max));
  size_t len = sig.size();
  if (EVP_DigestSign(ctx.get(), sig.data(), &len, data, size) != 1)
    return openssl_failure(ec::crypto_failure,
                           std::string{"EVP_DigestSign "} + to_string(key.alg()));
  sig.resize(len);
  return sig;
}

caf::error verify(const public_key& key, const uint8_t* data, size_t size,
                  const bytes& signature) {
  if (!key)
    return caf::make_error(ec::bad_signature, "no public key to verify with");
  if (signature.empty())
    return caf::make_error(ec::bad_signature, "empty signature");
  ERR_clear_error(); // a failure below reports its own reasons, not another call's
  if (data == nullptr)
    data = empty_input;
  md_ctx_ptr ctx{EVP_MD_CTX_new(), &EVP_MD_CTX_free};
  if (!ctx)
    return openssl_failure(ec::crypto_failure, "EVP_MD_CTX_new");
  if (auto err = init_digest(&EVP_DigestVerifyInit_ex, "EVP_DigestVerifyInit_ex",
                             ctx.get(), key.native(), key.alg()))
    return err;
  // 1: valid; 0: wrong signature; < 0: malformed (not DER, wrong length...).
  auto rc = EVP_DigestVerify(ctx.get(), signature.data(), signature.size(), data, size);
  if (rc == 1)
    return caf::none;
  // A partner's bad signature is not a library failure: the queue only says which
  // check refused it ("wrong signature length", "bad signature"...).
  auto detail = take_openssl_error();
  return caf::make_error(ec::bad_signature,
                         std::string{to_string(key.alg())} + " signature "
                           + (rc == 0 ? "does not match" : "is malformed")
                           + " (key " + key.fingerprint()
                           + (detail.empty() ? "" : "; " + detail) + ")");
}


} // namespace hub::crypto
