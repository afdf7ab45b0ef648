#include "adapters/ceb/xml_signer.hpp"

#include <algorithm>
#include <memory>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlsave.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include "adapters/ceb/xml_dsig_detail.hpp"

namespace hub::ceb {

namespace {

using detail::openssl_errors;
using bio_ptr = std::unique_ptr<BIO, decltype(&BIO_free)>;
using pkey_ptr = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using x509_ptr = std::unique_ptr<X509, decltype(&X509_free)>;
using md_ctx_ptr = std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)>;
using doc_ptr = std::unique_ptr<xmlDoc, decltype(&xmlFreeDoc)>;

struct method_info {
  const char* signature_uri;
  const char* digest_uri;
  signer_key key;
  const EVP_MD* (*reference_md)();
  const char* signature_md;
};

method_info info(dsig_method m) {
  switch (m) {
    case dsig_method::sm2_sm3:
      return {dsig_uri::chinaport_sm2_sm3, dsig_uri::chinaport_sm3, signer_key::sm2,
              &detail::sm3, "SM3"};
    case dsig_method::sm2_sm3_w3_sha1:
      return {dsig_uri::w3_sm2_sm3, dsig_uri::sha1, signer_key::sm2, &detail::sha1, "SM3"};
    case dsig_method::rsa_sha1:
      return {dsig_uri::rsa_sha1, dsig_uri::sha1, signer_key::rsa, &detail::sha1, "SHA1"};
    case dsig_method::ecdsa_p256_sha256:
      return {dsig_uri::ecdsa_sha256, dsig_uri::sha256, signer_key::ec_p256,
              &detail::sha256, "SHA256"};
  }
  return info(dsig_method::sm2_sm3);
}

bio_ptr memory_bio(std::string_view text) {
  return bio_ptr{BIO_new_mem_buf(text.data(), static_cast<int>(text.size())), &BIO_free};
}

int no_password(char*, int, int, void*) {
  return -1;
}

/// Appends "\n<ds:name>text</ds:name>" to `parent`.
xmlNodePtr add(xmlNodePtr parent, xmlNsPtr ns, const char* name, const std::string& text = {}) {
  xmlAddChild(parent, xmlNewDocText(parent->doc, BAD_CAST "\n"));
  auto* e = xmlNewDocNode(parent->doc, ns, BAD_CAST name, nullptr);
  if (!text.empty())
    xmlAddChild(e, xmlNewDocText(parent->doc, BAD_CAST text.c_str()));
  return xmlAddChild(parent, e);
}

/// Closes the pretty-printed content of `e` with a newline.
void close(xmlNodePtr e) {
  xmlAddChild(e, xmlNewDocText(e->doc, BAD_CAST "\n"));
}

xmlNodePtr add_with_algorithm(xmlNodePtr parent, xmlNsPtr ns, const char* name,
                              const char* uri) {
  auto* e = add(parent, ns, name);
  xmlNewProp(e, BAD_CAST "Algorithm", BAD_CAST uri);
  return e;
}

bool has_declaration(const bytes& xml) {
  size_t i = 0;
  if (xml.size() >= 3 && xml[0] == 0xEF && xml[1] == 0xBB && xml[2] == 0xBF)
    i = 3; // UTF-8 byte-order mark
  static constexpr char decl[] = "<?xml";
  return xml.size() >= i + 5 && std::equal(decl, decl + 5, xml.begin() + i);
}

std::string serial_hex(X509* cert) {
  std::string out;
  if (auto* bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), nullptr)) {
    if (auto* hex = BN_bn2hex(bn)) {
      out = hex;
      OPENSSL_free(hex);
    }
    BN_free(bn);
  }
  return out;
}

/// Signs `data` under `m`; raw r||s for EC keys.
std::optional<bytes> sign_value(const method_info& m, EVP_PKEY* key, const std::string& data,
                                std::string& error) {
  md_ctx_ptr ctx{EVP_MD_CTX_new(), &EVP_MD_CTX_free};
  if (!ctx
      || EVP_DigestSignInit_ex(ctx.get(), nullptr, m.signature_md, nullptr, nullptr, key,
                               nullptr)
           != 1) {
    error = "EVP_DigestSignInit_ex: " + openssl_errors();
    return std::nullopt;
  }
  if (m.key == signer_key::sm2
      && EVP_PKEY_CTX_set1_id(EVP_MD_CTX_get_pkey_ctx(ctx.get()), detail::sm2_id,
                              detail::sm2_id_len)
           != 1) {
    error = "setting the SM2 id: " + openssl_errors();
    return std::nullopt;
  }
  size_t len = 0;
  auto* in = reinterpret_cast<const unsigned char*>(data.data());
  if (EVP_DigestSign(ctx.get(), nullptr, &len, in, data.size()) != 1) {
    error = "EVP_DigestSign: " + openssl_errors();
    return std::nullopt;
  }
  bytes sig(len);
  if (EVP_DigestSign(ctx.get(), sig.data(), &len, in, data.size()) != 1) {
    error = "EVP_DigestSign: " + openssl_errors();
    return std::nullopt;
  }
  sig.resize(len);
  if (m.key == signer_key::rsa)
    return sig;
  auto raw = detail::der_to_raw(sig.data(), sig.size(), 32);
  if (!raw)
    error = "the EC signature is not DER r,s of 32 bytes each";
  return raw;
}

} // namespace

sign_result sign_enveloped(const bytes& xml, std::string_view key_pem,
                           std::string_view cert_pem, dsig_method method, dsig_style style,
                           bool with_comments) {
  sign_result out;
  ERR_clear_error();
  auto m = info(method);
  auto kb = memory_bio(key_pem);
  pkey_ptr key{kb ? PEM_read_bio_PrivateKey(kb.get(), nullptr, &no_password, nullptr)
                  : nullptr,
               &EVP_PKEY_free};
  if (!key) {
    out.error = "not an unencrypted private key PEM: " + openssl_errors();
    return out;
  }
  auto cb = memory_bio(cert_pem);
  x509_ptr cert{cb ? PEM_read_bio_X509(cb.get(), nullptr, &no_password, nullptr) : nullptr,
                &X509_free};
  if (!cert) {
    out.error = "not a certificate PEM: " + openssl_errors();
    return out;
  }
  if (X509_check_private_key(cert.get(), key.get()) != 1) {
    out.error = "the private key is not the certificate's: " + openssl_errors();
    return out;
  }
  auto id = signer_identity::from_pem(cert_pem);
  if (!id) {
    out.error = id.error;
    return out;
  }
  if (id.identity->key() != m.key) {
    out.error = std::string{"a "} + to_string(id.identity->key()) + " key cannot sign "
                + m.signature_uri;
    return out;
  }

  doc_ptr doc{xmlReadMemory(reinterpret_cast<const char*>(xml.data()),
                            static_cast<int>(xml.size()), nullptr, nullptr,
                            XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING),
              &xmlFreeDoc};
  auto* root = doc ? xmlDocGetRootElement(doc.get()) : nullptr;
  if (root == nullptr) {
    out.error = "not well-formed XML";
    return out;
  }
  auto* last = root->last;
  while (last != nullptr && last->type != XML_ELEMENT_NODE)
    last = last->prev;

  // Real signers digest the document before they insert anything.
  bytes digest;
  if (style == dsig_style::real_signer) {
    auto d = detail::digest_document(doc.get(), nullptr, nullptr, m.reference_md(),
                                     with_comments, with_comments);
    if (!d.error.empty()) {
      out.error = d.error;
      return out;
    }
    digest = std::move(d.spec);
  }

  auto* sig = xmlNewDocNode(doc.get(), nullptr, BAD_CAST "Signature", nullptr);
  auto* ds = xmlNewNs(sig, BAD_CAST dsig_uri::ds_namespace, BAD_CAST "ds");
  xmlSetNs(sig, ds);
  auto* si = add(sig, ds, "SignedInfo");
  add_with_algorithm(si, ds, "CanonicalizationMethod",
                     with_comments ? dsig_uri::c14n_with_comments : dsig_uri::c14n);
  add_with_algorithm(si, ds, "SignatureMethod", m.signature_uri);
  auto* ref = add(si, ds, "Reference");
  xmlNewProp(ref, BAD_CAST "URI", BAD_CAST "");
  auto* transforms = add(ref, ds, "Transforms");
  add_with_algorithm(transforms, ds, "Transform", dsig_uri::enveloped);
  close(transforms);
  add_with_algorithm(ref, ds, "DigestMethod", m.digest_uri);
  auto* digest_value = add(ref, ds, "DigestValue");
  close(ref);
  close(si);
  auto* signature_value = add(sig, ds, "SignatureValue");
  auto* key_info = add(sig, ds, "KeyInfo");
  add(key_info, ds, "KeyName", serial_hex(cert.get()));
  auto* x509_data = add(key_info, ds, "X509Data");
  auto& der = id.identity->certificate_der();
  add(x509_data, ds, "X509Certificate",
      "\n" + detail::base64_encode(der.data(), der.size(), 76) + "\n");
  close(x509_data);
  close(key_info);
  close(sig);

  // Insert the element first, then the whitespace before it: adding a text node next
  // to another text node would merge them.
  if (last != nullptr)
    xmlAddNextSibling(last, sig);
  else
    xmlAddChild(root, sig);
  std::string indent = "\n";
  if (last != nullptr && last->prev != nullptr && last->prev->type == XML_TEXT_NODE
      && detail::whitespace_before(last) != nullptr) {
    // The indentation of the root's children ("\n\t" in the official samples).
    std::string prev = reinterpret_cast<const char*>(last->prev->content);
    auto nl = prev.rfind('\n');
    indent = nl == std::string::npos ? "\n" + prev : prev.substr(nl);
  }
  auto* ws = xmlNewDocText(doc.get(), BAD_CAST indent.c_str());
  xmlAddPrevSibling(sig, ws);

  if (style == dsig_style::specification) {
    // W3C: URI="" drops comments; the enveloped transform removes the element only.
    auto d = detail::digest_document(doc.get(), sig, ws, m.reference_md(), false, false);
    if (!d.error.empty()) {
      out.error = d.error;
      return out;
    }
    digest = std::move(d.spec);
  }
  auto digest_text = detail::base64_encode(digest.data(), digest.size());
  xmlAddChild(digest_value, xmlNewDocText(doc.get(), BAD_CAST digest_text.c_str()));

  std::string canonical;
  if (!detail::canonical_subtree(si, style == dsig_style::real_signer, with_comments,
                                 canonical, out.error))
    return out;
  auto value = sign_value(m, key.get(), canonical, out.error);
  if (!value)
    return out;
  auto value_text = "\n" + detail::base64_encode(value->data(), value->size(), 76) + "\n";
  xmlAddChild(signature_value, xmlNewDocText(doc.get(), BAD_CAST value_text.c_str()));

  auto* buf = xmlBufferCreate();
  int options = XML_SAVE_NO_EMPTY | (has_declaration(xml) ? 0 : XML_SAVE_NO_DECL);
  auto* save = xmlSaveToBuffer(buf, "UTF-8", options);
  if (save == nullptr || xmlSaveDoc(save, doc.get()) < 0) {
    if (save != nullptr)
      xmlSaveClose(save);
    xmlBufferFree(buf);
    out.error = "serialising the signed message failed";
    return out;
  }
  xmlSaveClose(save);
  auto* content = xmlBufferContent(buf);
  out.xml.assign(content, content + xmlBufferLength(buf));
  xmlBufferFree(buf);
  return out;
}

test_identity_result make_test_identity(signer_key kind, std::string_view common_name,
                                        int rsa_bits) {
  test_identity_result out;
  ERR_clear_error();
  EVP_PKEY* raw = nullptr;
  const char* md = "SHA256";
  switch (kind) {
    case signer_key::sm2:
      raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "SM2");
      md = "SM3";
      break;
    case signer_key::ec_p256: raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"); break;
    case signer_key::rsa:
      raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(rsa_bits));
      break;
  }
  pkey_ptr key{raw, &EVP_PKEY_free};
  if (!key) {
    out.error = "EVP_PKEY_Q_keygen: " + openssl_errors();
    return out;
  }
  x509_ptr cert{X509_new(), &X509_free};
  std::string cn{common_name};
  unsigned char serial[8];
  bool ok = cert && X509_set_version(cert.get(), 2) == 1
            && RAND_bytes(serial, sizeof(serial)) == 1;
  if (ok) {
    serial[0] &= 0x7f; // positive
    auto* bn = BN_bin2bn(serial, sizeof(serial), nullptr);
    ok = bn != nullptr && BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get())) != nullptr;
    BN_free(bn);
  }
  auto* name = ok ? X509_get_subject_name(cert.get()) : nullptr;
  ok = ok && name != nullptr
       && X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8,
                                     reinterpret_cast<const unsigned char*>("swhub test"), -1,
                                     -1, 0)
            == 1
       && X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                     reinterpret_cast<const unsigned char*>(cn.c_str()), -1,
                                     -1, 0)
            == 1
       && X509_set_issuer_name(cert.get(), name) == 1
       && X509_gmtime_adj(X509_getm_notBefore(cert.get()), 0) != nullptr
       && X509_gmtime_adj(X509_getm_notAfter(cert.get()), 10L * 365 * 24 * 3600) != nullptr
       && X509_set_pubkey(cert.get(), key.get()) == 1;
  if (!ok) {
    out.error = "building the certificate: " + openssl_errors();
    return out;
  }
  md_ctx_ptr ctx{EVP_MD_CTX_new(), &EVP_MD_CTX_free};
  if (!ctx
      || EVP_DigestSignInit_ex(ctx.get(), nullptr, md, nullptr, nullptr, key.get(), nullptr)
           != 1
      || (kind == signer_key::sm2
          && EVP_PKEY_CTX_set1_id(EVP_MD_CTX_get_pkey_ctx(ctx.get()), detail::sm2_id,
                                  detail::sm2_id_len)
               != 1)
      || X509_sign_ctx(cert.get(), ctx.get()) <= 0) {
    out.error = "signing the certificate: " + openssl_errors();
    return out;
  }
  bio_ptr kb{BIO_new(BIO_s_mem()), &BIO_free};
  bio_ptr cbio{BIO_new(BIO_s_mem()), &BIO_free};
  if (!kb || !cbio
      || PEM_write_bio_PrivateKey(kb.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr)
           != 1
      || PEM_write_bio_X509(cbio.get(), cert.get()) != 1) {
    out.error = "writing PEM: " + openssl_errors();
    return out;
  }
  auto text = [](BIO* b) {
    char* data = nullptr;
    auto len = BIO_get_mem_data(b, &data);
    return std::string{data, static_cast<size_t>(len > 0 ? len : 0)};
  };
  out.identity = test_identity{text(kb.get()), text(cbio.get())};
  return out;
}

} // namespace hub::ceb
