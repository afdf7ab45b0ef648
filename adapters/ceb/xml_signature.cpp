#include "adapters/ceb/xml_signature.hpp"

#include <cstring>

#include <libxml/tree.h>
#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "adapters/ceb/xml_dsig_detail.hpp"

namespace hub::ceb {

using detail::openssl_errors;

const char* to_string(signer_key k) {
  switch (k) {
    case signer_key::rsa: return "rsa";
    case signer_key::sm2: return "sm2";
    case signer_key::ec_p256: return "ec-p256";
  }
  return "rsa";
}

const char* to_string(signature_fault f) {
  switch (f) {
    case signature_fault::none: return "none";
    case signature_fault::missing: return "missing";
    case signature_fault::malformed: return "malformed";
    case signature_fault::unsupported_method: return "unsupported_method";
    case signature_fault::foreign_certificate: return "foreign_certificate";
    case signature_fault::digest_mismatch: return "digest_mismatch";
    case signature_fault::bad_signature_value: return "bad_signature_value";
  }
  return "none";
}

// ---- signer_identity --------------------------------------------------------------

struct signer_identity::state {
  signer_key key = signer_key::rsa;
  EVP_PKEY* pkey = nullptr;
  bytes certificate; ///< DER; empty for a bare public key
  bytes spki;
  ~state() { EVP_PKEY_free(pkey); }
};

signer_key signer_identity::key() const {
  return state_->key;
}

bool signer_identity::has_certificate() const {
  return !state_->certificate.empty();
}

const bytes& signer_identity::certificate_der() const {
  return state_->certificate;
}

const bytes& signer_identity::spki_der() const {
  return state_->spki;
}

evp_pkey_st* signer_identity::native() const {
  return state_->pkey;
}

namespace {

using bio_ptr = std::unique_ptr<BIO, decltype(&BIO_free)>;
using x509_ptr = std::unique_ptr<X509, decltype(&X509_free)>;
using md_ctx_ptr = std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)>;

/// The signer_key of `k`, or nullopt with `why`.
std::optional<signer_key> classify(EVP_PKEY* k, std::string& why) {
  // OpenSSL 3 decodes id-ecPublicKey on the SM2 curve as an SM2 key.
  if (EVP_PKEY_is_a(k, "SM2"))
    return signer_key::sm2;
  if (EVP_PKEY_is_a(k, "RSA")) {
    auto bits = EVP_PKEY_get_bits(k);
    if (bits < 1024) {
      why = "RSA key of " + std::to_string(bits) + " bits (at least 1024)";
      return std::nullopt;
    }
    return signer_key::rsa;
  }
  if (EVP_PKEY_is_a(k, "EC")) {
    char group[80] = {0};
    size_t len = 0;
    if (EVP_PKEY_get_utf8_string_param(k, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group),
                                       &len)
        != 1) {
      ERR_clear_error();
      why = "EC key without a named curve (accepted: SM2, P-256)";
      return std::nullopt;
    }
    std::string_view g{group, len};
    if (g == "prime256v1" || g == "P-256")
      return signer_key::ec_p256;
    if (g == "SM2")
      return signer_key::sm2;
    why = "EC key on curve " + std::string{g} + " (accepted: SM2, P-256)";
    return std::nullopt;
  }
  auto* name = EVP_PKEY_get0_type_name(k);
  why = std::string{"key type "} + (name != nullptr ? name : "(unknown)")
        + " (accepted: RSA >= 1024 bits, SM2, EC P-256)";
  return std::nullopt;
}

bytes to_spki(EVP_PKEY* k) {
  unsigned char* buf = nullptr;
  auto len = i2d_PUBKEY(k, &buf);
  if (len <= 0 || buf == nullptr) {
    ERR_clear_error();
    return {};
  }
  bytes out(buf, buf + len);
  OPENSSL_free(buf);
  return out;
}

} // namespace

signer_identity_result signer_identity::from_pem(std::string_view pem) {
  signer_identity_result result;
  ERR_clear_error();
  bio_ptr bio{BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), &BIO_free};
  char* name = nullptr;
  char* header = nullptr;
  unsigned char* data = nullptr;
  long len = 0;
  if (!bio || PEM_read_bio(bio.get(), &name, &header, &data, &len) != 1) {
    result.error = "not PEM (expected \"BEGIN CERTIFICATE\" or \"BEGIN PUBLIC KEY\"): "
                   + openssl_errors();
    return result;
  }
  std::string type{name};
  OPENSSL_free(name);
  OPENSSL_free(header);
  std::unique_ptr<unsigned char, void (*)(unsigned char*)> der{
    data, [](unsigned char* p) { OPENSSL_free(p); }};
  auto st = std::make_shared<state>();
  const unsigned char* p = der.get();
  if (type == "CERTIFICATE") {
    x509_ptr cert{d2i_X509(nullptr, &p, len), &X509_free};
    if (!cert || p != der.get() + len) {
      result.error = "the CERTIFICATE PEM is not one DER X.509 certificate: "
                     + openssl_errors();
      return result;
    }
    st->certificate.assign(der.get(), der.get() + len);
    st->pkey = X509_get_pubkey(cert.get());
    if (st->pkey == nullptr) {
      result.error = "the certificate's public key cannot be read: " + openssl_errors();
      return result;
    }
  } else if (type == "PUBLIC KEY") {
    st->pkey = d2i_PUBKEY(nullptr, &p, len);
    if (st->pkey == nullptr || p != der.get() + len) {
      result.error = "the PUBLIC KEY PEM is not one SubjectPublicKeyInfo: "
                     + openssl_errors();
      return result;
    }
  } else {
    result.error = "the PEM holds a \"" + type
                   + "\"; a signing identity is a CERTIFICATE or a PUBLIC KEY";
    return result;
  }
  std::string why;
  auto key = classify(st->pkey, why);
  if (!key) {
    result.error = "signing key refused: " + why;
    return result;
  }
  st->key = *key;
  st->spki = to_spki(st->pkey);
  signer_identity id;
  id.state_ = std::move(st);
  result.identity = std::move(id);
  return result;
}

// ---- verify_enveloped -------------------------------------------------------------

namespace {

using detail::base64_decode;

bool is_ds(xmlNodePtr n, const char* local) {
  return n != nullptr && n->type == XML_ELEMENT_NODE && n->ns != nullptr
         && xmlStrEqual(n->ns->href, BAD_CAST dsig_uri::ds_namespace)
         && xmlStrEqual(n->name, BAD_CAST local);
}

std::string name_of(xmlNodePtr n) {
  std::string out;
  if (n->ns != nullptr && n->ns->prefix != nullptr) {
    out += reinterpret_cast<const char*>(n->ns->prefix);
    out += ':';
  }
  out += reinterpret_cast<const char*>(n->name);
  return out;
}

/// The text of `n`'s children (an element of simple content) as UTF-8.
std::string text_of(xmlNodePtr n) {
  auto* t = xmlNodeGetContent(n);
  std::string out = t != nullptr ? reinterpret_cast<const char*>(t) : "";
  xmlFree(t);
  return out;
}

bool blank(const xmlChar* p) {
  for (; p != nullptr && *p != 0; ++p)
    if (*p != ' ' && *p != '\t' && *p != '\n' && *p != '\r')
      return false;
  return true;
}

/// Whether `e` or an element below it has whitespace text between child elements (the
/// signers' compact form of SignedInfo then differs from the one sent).
bool blanks_between_elements(xmlNodePtr e) {
  bool element = false, blanks = false;
  for (auto* c = e->children; c != nullptr; c = c->next) {
    if (c->type == XML_ELEMENT_NODE) {
      element = true;
      if (blanks_between_elements(c))
        return true;
    } else if (c->type == XML_TEXT_NODE && blank(c->content)) {
      blanks = true;
    }
  }
  return element && blanks;
}

/// The parts of a ds:Signature, read in one walk.
struct parts {
  xmlNodePtr signed_info = nullptr;
  std::string c14n, signature_method, digest_method;
  std::vector<std::string> transforms;
  xmlNodePtr digest_value = nullptr;
  xmlNodePtr signature_value = nullptr;
  std::vector<xmlNodePtr> certificates;
};

/// The element children of `parent`, in order; "" or what is wrong (text, ...).
std::string children(xmlNodePtr parent, std::vector<xmlNodePtr>& out) {
  out.clear();
  for (auto* c = parent->children; c != nullptr; c = c->next) {
    switch (c->type) {
      case XML_ELEMENT_NODE: out.push_back(c); break;
      case XML_TEXT_NODE:
      case XML_CDATA_SECTION_NODE:
        if (!blank(c->content))
          return "text inside " + name_of(parent) + " where only elements belong";
        break;
      case XML_COMMENT_NODE:
      case XML_PI_NODE: break;
      default: return "unexpected node inside " + name_of(parent);
    }
  }
  return {};
}

/// The Algorithm attribute of `n` ("" if absent).
std::string algorithm_of(xmlNodePtr n) {
  auto* a = xmlGetNoNsProp(n, BAD_CAST "Algorithm");
  std::string out = a != nullptr ? reinterpret_cast<const char*>(a) : "";
  xmlFree(a);
  return out;
}

/// Reads the structure; returns "" or what is malformed.
std::string read_parts(xmlNodePtr sig, parts& p) {
  std::vector<xmlNodePtr> kids;
  if (auto e = children(sig, kids); !e.empty())
    return e;
  size_t i = 0;
  if (i >= kids.size() || !is_ds(kids[i], "SignedInfo"))
    return "ds:Signature must start with ds:SignedInfo";
  p.signed_info = kids[i++];
  if (i >= kids.size() || !is_ds(kids[i], "SignatureValue"))
    return "ds:SignedInfo must be followed by ds:SignatureValue";
  p.signature_value = kids[i++];
  if (i < kids.size() && is_ds(kids[i], "KeyInfo")) {
    auto* key_info = kids[i++];
    std::vector<xmlNodePtr> items;
    if (auto e = children(key_info, items); !e.empty())
      return e;
    for (auto* item : items) {
      if (is_ds(item, "KeyName") || is_ds(item, "KeyValue"))
        continue;
      if (!is_ds(item, "X509Data"))
        return "unexpected element " + name_of(item) + " in ds:KeyInfo";
      std::vector<xmlNodePtr> data;
      if (auto e = children(item, data); !e.empty())
        return e;
      for (auto* d : data) {
        if (is_ds(d, "X509Certificate"))
          p.certificates.push_back(d);
        else if (!is_ds(d, "X509IssuerSerial") && !is_ds(d, "X509SubjectName")
                 && !is_ds(d, "X509SKI"))
          return "unexpected element " + name_of(d) + " in ds:X509Data";
      }
    }
  }
  for (; i < kids.size(); ++i)
    if (!is_ds(kids[i], "Object"))
      return "unexpected element " + name_of(kids[i]) + " in ds:Signature";

  std::vector<xmlNodePtr> si;
  if (auto e = children(p.signed_info, si); !e.empty())
    return e;
  if (si.size() < 3 || !is_ds(si[0], "CanonicalizationMethod")
      || !is_ds(si[1], "SignatureMethod") || !is_ds(si[2], "Reference"))
    return "ds:SignedInfo must hold ds:CanonicalizationMethod, ds:SignatureMethod and "
           "ds:Reference, in that order";
  if (si.size() > 3)
    return is_ds(si[3], "Reference")
             ? "ds:SignedInfo holds more than one ds:Reference (one, URI=\"\", expected)"
             : "unexpected element " + name_of(si[3]) + " in ds:SignedInfo";
  for (auto* m : {si[0], si[1]}) {
    std::vector<xmlNodePtr> none;
    if (auto e = children(m, none); !e.empty())
      return e;
    if (!none.empty())
      return "unexpected element " + name_of(none[0]) + " in " + name_of(m);
  }
  p.c14n = algorithm_of(si[0]);
  p.signature_method = algorithm_of(si[1]);
  auto* ref = si[2];
  auto* uri = xmlGetNoNsProp(ref, BAD_CAST "URI");
  bool empty_uri = uri != nullptr && uri[0] == 0;
  std::string uri_text = uri != nullptr ? reinterpret_cast<const char*>(uri) : "";
  xmlFree(uri);
  if (!empty_uri)
    return uri_text.empty() && !xmlHasProp(ref, BAD_CAST "URI")
             ? "ds:Reference without URI (URI=\"\" expected: the whole message)"
             : "ds:Reference URI=\"" + uri_text + "\" (URI=\"\" expected: the whole message)";
  std::vector<xmlNodePtr> rk;
  if (auto e = children(ref, rk); !e.empty())
    return e;
  size_t j = 0;
  if (j < rk.size() && is_ds(rk[j], "Transforms")) {
    std::vector<xmlNodePtr> ts;
    if (auto e = children(rk[j], ts); !e.empty())
      return e;
    for (auto* t : ts) {
      if (!is_ds(t, "Transform"))
        return "unexpected element " + name_of(t) + " in ds:Transforms";
      std::vector<xmlNodePtr> params;
      if (auto e = children(t, params); !e.empty())
        return e;
      if (!params.empty())
        return "ds:Transform with parameters (" + name_of(params[0]) + ") is not accepted";
      p.transforms.push_back(algorithm_of(t));
    }
    ++j;
  }
  if (j + 2 != rk.size() || !is_ds(rk[j], "DigestMethod") || !is_ds(rk[j + 1], "DigestValue"))
    return "ds:Reference must hold ds:Transforms, ds:DigestMethod and ds:DigestValue, in "
           "that order";
  p.digest_method = algorithm_of(rk[j]);
  p.digest_value = rk[j + 1];
  return {};
}

/// One accepted (SignatureMethod, DigestMethod) pair.
struct method {
  const char* signature;
  const char* digest;
  signer_key key;
  const EVP_MD* (*reference_md)();
  const char* signature_md; ///< for EVP_DigestVerifyInit_ex
};

const method methods[] = {
  {dsig_uri::chinaport_sm2_sm3, dsig_uri::chinaport_sm3, signer_key::sm2, &detail::sm3,
   "SM3"},
  {dsig_uri::rsa_sha1, dsig_uri::sha1, signer_key::rsa, &detail::sha1, "SHA1"},
  {dsig_uri::w3_sm2_sm3, dsig_uri::sha1, signer_key::sm2, &detail::sha1, "SM3"},
  {dsig_uri::ecdsa_sha256, dsig_uri::sha256, signer_key::ec_p256, &detail::sha256,
   "SHA256"},
};

const method* find_method(const std::string& sig, const std::string& digest) {
  for (auto& m : methods)
    if (sig == m.signature && digest == m.digest)
      return &m;
  return nullptr;
}

/// Whether `value` (DER for EC keys) signs `data` under `m` with `key`.
bool verify_value(const method& m, EVP_PKEY* key, const bytes& value,
                  const std::string& data) {
  md_ctx_ptr ctx{EVP_MD_CTX_new(), &EVP_MD_CTX_free};
  if (!ctx
      || EVP_DigestVerifyInit_ex(ctx.get(), nullptr, m.signature_md, nullptr, nullptr, key,
                                 nullptr)
           != 1) {
    ERR_clear_error();
    return false;
  }
  if (m.key == signer_key::sm2) {
    // After init, never as an init parameter (fails on OpenSSL 3.0.19).
    auto* pctx = EVP_MD_CTX_get_pkey_ctx(ctx.get());
    if (pctx == nullptr
        || EVP_PKEY_CTX_set1_id(pctx, detail::sm2_id, detail::sm2_id_len) != 1) {
      ERR_clear_error();
      return false;
    }
  }
  auto rc = EVP_DigestVerify(ctx.get(), value.data(), value.size(),
                             reinterpret_cast<const unsigned char*>(data.data()), data.size());
  if (rc != 1)
    ERR_clear_error();
  return rc == 1;
}

/// "serial 0A1B, subject CN=..." of a DER certificate, for messages.
std::string describe_certificate(const bytes& der) {
  const unsigned char* p = der.data();
  x509_ptr cert{d2i_X509(nullptr, &p, static_cast<long>(der.size())), &X509_free};
  if (!cert) {
    ERR_clear_error();
    return "a certificate that does not parse";
  }
  std::string out = "serial ";
  if (auto* bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert.get()), nullptr)) {
    if (auto* hex = BN_bn2hex(bn)) {
      out += hex;
      OPENSSL_free(hex);
    }
    BN_free(bn);
  }
  char subject[256] = {0};
  X509_NAME_oneline(X509_get_subject_name(cert.get()), subject, sizeof(subject));
  out += ", subject ";
  out += subject;
  ERR_clear_error();
  return out;
}

signature_check fail(signature_check r, signature_fault f, std::string detail) {
  r.fault = f;
  r.detail = std::move(detail);
  return r;
}

std::string hex(const bytes& b) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  for (auto c : b) {
    out.push_back(digits[c >> 4]);
    out.push_back(digits[c & 15]);
  }
  return out;
}

} // namespace

signature_check verify_enveloped(void* xml_doc, const signer_identity& id) {
  using f = signature_fault;
  signature_check r;
  auto* doc = static_cast<xmlDocPtr>(xml_doc);
  auto* root = doc != nullptr ? xmlDocGetRootElement(doc) : nullptr;
  if (root == nullptr)
    return fail(r, f::missing, "no document (no root element)");
  xmlNodePtr sig = root->last;
  while (sig != nullptr && sig->type != XML_ELEMENT_NODE)
    sig = sig->prev;
  if (!is_ds(sig, "Signature")) {
    for (auto* c = root->children; c != nullptr; c = c->next)
      if (is_ds(c, "Signature"))
        return fail(r, f::malformed,
                    "ds:Signature must be the last element of " + name_of(root)
                      + "; it is followed by " + name_of(sig));
    return fail(r, f::missing, "no ds:Signature in " + name_of(root));
  }
  for (auto* c = root->children; c != sig; c = c->next)
    if (is_ds(c, "Signature"))
      return fail(r, f::malformed, name_of(root) + " holds more than one ds:Signature");

  parts p;
  if (auto e = read_parts(sig, p); !e.empty())
    return fail(r, f::malformed, e);
  r.signature_method = p.signature_method;
  r.digest_method = p.digest_method;
  r.c14n_method = p.c14n;

  bool si_comments = false;
  if (p.c14n == dsig_uri::c14n_with_comments)
    si_comments = true;
  else if (p.c14n != dsig_uri::c14n)
    return fail(r, f::unsupported_method,
                "CanonicalizationMethod \"" + p.c14n + "\" (accepted: " + dsig_uri::c14n
                  + " and its #WithComments)");
  auto* m = find_method(p.signature_method, p.digest_method);
  if (m == nullptr)
    return fail(r, f::unsupported_method,
                "SignatureMethod \"" + p.signature_method + "\" with DigestMethod \""
                  + p.digest_method
                  + "\" (accepted: chinaport sm2-sm3 with chinaport sm3, rsa-sha1 with sha1, "
                    "w3 sm2-sm3 with sha1, ecdsa-sha256 with xmlenc sha256)");
  // Transforms: the enveloped-signature transform, optionally then inclusive C14N.
  for (auto& t : p.transforms)
    if (t != dsig_uri::enveloped && t != dsig_uri::c14n && t != dsig_uri::c14n_with_comments)
      return fail(r, f::unsupported_method, "Transform \"" + t + "\"");
  auto& ts = p.transforms;
  if (ts.empty() || ts[0] != dsig_uri::enveloped || ts.size() > 2
      || (ts.size() == 2 && ts[1] == dsig_uri::enveloped))
    return fail(r, f::malformed,
                "ds:Transforms must be the enveloped-signature transform, optionally "
                "followed by inclusive C14N");
  std::optional<bool> ref_comments;
  if (ts.size() == 2)
    ref_comments = ts[1] == dsig_uri::c14n_with_comments;

  auto digest_value = base64_decode(text_of(p.digest_value).c_str());
  if (!digest_value)
    return fail(r, f::malformed, "ds:DigestValue is not base64");
  auto value = base64_decode(text_of(p.signature_value).c_str());
  if (!value)
    return fail(r, f::malformed, "ds:SignatureValue is not base64");

  // The certificate in KeyInfo must be the registered one (when it carries any).
  if (!p.certificates.empty()) {
    bool match = false;
    bytes first;
    for (auto* c : p.certificates) {
      auto der = base64_decode(text_of(c).c_str());
      if (!der || der->empty())
        return fail(r, f::malformed, "ds:X509Certificate is not base64");
      if (id.has_certificate()) {
        match = *der == id.certificate_der();
      } else {
        const unsigned char* q = der->data();
        x509_ptr cert{d2i_X509(nullptr, &q, static_cast<long>(der->size())), &X509_free};
        if (!cert) {
          ERR_clear_error();
          return fail(r, f::malformed, "ds:X509Certificate is not a DER certificate");
        }
        auto* pub = X509_get0_pubkey(cert.get());
        match = pub != nullptr && to_spki(pub) == id.spki_der();
        ERR_clear_error();
      }
      if (match)
        break;
      if (first.empty())
        first = std::move(*der);
    }
    if (!match)
      return fail(r, f::foreign_certificate,
                  "ds:KeyInfo carries " + describe_certificate(first)
                    + (id.has_certificate()
                         ? ", not the certificate registered for this party ("
                             + describe_certificate(id.certificate_der()) + ")"
                         : ", whose key is not the key registered for this party"));
  }

  // The digest: as the specification says (URI="" drops comments), else as signers do
  // (without the whitespace inserted with the signature; the comment mode of the
  // Reference's C14N transform, else of CanonicalizationMethod).
  auto* ws = detail::whitespace_before(sig);
  bool signer_comments = ref_comments.value_or(si_comments);
  auto digests = detail::digest_document(doc, sig, ws, m->reference_md(), false,
                                         signer_comments);
  if (!digests.error.empty())
    return fail(r, f::malformed, digests.error);
  auto md_size = static_cast<size_t>(EVP_MD_get_size(m->reference_md()));
  if (digest_value->size() != md_size)
    return fail(r, f::digest_mismatch,
                "ds:DigestValue has " + std::to_string(digest_value->size())
                  + " bytes; DigestMethod " + p.digest_method + " gives "
                  + std::to_string(md_size));
  auto equal = [&](const bytes& d) {
    return d.size() == digest_value->size()
           && CRYPTO_memcmp(d.data(), digest_value->data(), d.size()) == 0;
  };
  bool spec_digest = equal(digests.spec);
  if (!spec_digest && !equal(digests.signer))
    return fail(r, f::digest_mismatch,
                "ds:DigestValue does not match the message (" + p.digest_method
                  + ": sent " + hex(*digest_value) + ", computed " + hex(digests.spec)
                  + (digests.signer != digests.spec
                       ? " as specified or " + hex(digests.signer) + " as signers sign"
                       : std::string{})
                  + ")");

  if (m->key != id.key())
    return fail(r, f::bad_signature_value,
                std::string{"the key registered for this party is "} + to_string(id.key())
                  + "; SignatureMethod " + p.signature_method + " needs "
                  + to_string(m->key));
  if (m->key != signer_key::rsa) {
    if (value->size() != 64)
      return fail(r, f::bad_signature_value,
                  "ds:SignatureValue has " + std::to_string(value->size()) + " bytes; "
                    + p.signature_method + " is raw r||s of 64 bytes");
    auto der = detail::raw_to_der(value->data(), value->size());
    if (!der)
      return fail(r, f::bad_signature_value, "ds:SignatureValue is not r||s");
    value = std::move(der);
  }
  // Only one of the two forms can verify, so the order changes no result: try first the
  // form the digest suggests (a signer who digests the signers' way signs compact).
  bool differ = blanks_between_elements(p.signed_info);
  bool compact_first = !spec_digest && differ;
  bool ok = false;
  bool used_compact = false;
  for (int attempt = 0; attempt < 2 && !ok; ++attempt) {
    bool try_compact = (attempt == 0) == compact_first;
    if (try_compact && !differ)
      continue;
    std::string canonical, error;
    if (!detail::canonical_subtree(p.signed_info, try_compact, si_comments, canonical, error))
      return fail(r, f::malformed, error);
    ok = verify_value(*m, id.native(), *value, canonical);
    used_compact = try_compact;
  }
  if (!ok)
    return fail(r, f::bad_signature_value,
                "ds:SignatureValue does not verify with the registered "
                  + std::string{to_string(id.key())} + " key over ds:SignedInfo, as sent"
                  + (differ ? " or without its whitespace" : "")
                  + " (the digest matches: the message is intact, the signer is not "
                    "this party or the value is damaged)");
  r.way = spec_digest ? (used_compact ? "signer-signedinfo" : "specification")
                      : (used_compact ? "signer-both" : "signer-digest");
  return r;
}

} // namespace hub::ceb
