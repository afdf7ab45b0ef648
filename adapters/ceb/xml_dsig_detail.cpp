#include "adapters/ceb/xml_dsig_detail.hpp"

#include <cstdlib>
#include <cstring>
#include <memory>

#include <libxml/c14n.h>
#include <libxml/xmlIO.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>

namespace hub::ceb::detail {

namespace {

using md_ctx_ptr = std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)>;

const EVP_MD* fetch(const char* name) {
  auto* md = EVP_MD_fetch(nullptr, name, nullptr);
  // Without these digests (a libcrypto without SM3?) nothing here can work: fail loudly
  // at first use instead of dereferencing null later.
  if (md == nullptr)
    std::abort();
  return md;
}

bool is_blank(xmlChar c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

bool blank_text(xmlNodePtr n) {
  if (n == nullptr || n->type != XML_TEXT_NODE)
    return false;
  for (auto* p = n->content; p != nullptr && *p != 0; ++p)
    if (!is_blank(*p))
      return false;
  return true;
}

/// True if `node` (an element, text, attribute...) lies inside `sig`; stops at `root`.
bool inside(xmlNodePtr node, xmlNodePtr sig, xmlNodePtr root) {
  for (auto* n = node; n != nullptr && n != root; n = n->parent)
    if (n == sig)
      return true;
  return false;
}

/// One C14N pass over the document, feeding digest contexts through a custom output
/// buffer. In "split" mode the bytes of `ws` go to the spec context only: the callback
/// flushes the buffer when C14N reaches `ws` (forking the signer context from the
/// spec context there) and again at the next node, so everything else goes to both.
struct walk {
  xmlNodePtr root = nullptr;
  xmlNodePtr sig = nullptr;
  xmlNodePtr ws = nullptr;
  bool ws_visible = true; ///< when not splitting
  bool split = false;
  xmlOutputBufferPtr buf = nullptr;
  EVP_MD_CTX* spec = nullptr;
  EVP_MD_CTX* signer = nullptr; ///< forked at ws (split mode)
  bool in_ws = false;
  bool failed = false;
};

int write_digest(void* ctx, const char* data, int len) {
  auto* w = static_cast<walk*>(ctx);
  if (len <= 0)
    return len;
  if (EVP_DigestUpdate(w->spec, data, static_cast<size_t>(len)) != 1)
    w->failed = true;
  if (w->signer != nullptr && !w->in_ws
      && EVP_DigestUpdate(w->signer, data, static_cast<size_t>(len)) != 1)
    w->failed = true;
  return len;
}

int visible(void* ctx, xmlNodePtr node, xmlNodePtr parent) {
  auto* w = static_cast<walk*>(ctx);
  if (w->split && w->in_ws) {
    xmlOutputBufferFlush(w->buf); // the bytes of ws: spec only
    w->in_ws = false;
  }
  if (node == w->ws && w->ws != nullptr) {
    if (!w->split)
      return w->ws_visible ? 1 : 0;
    if (w->signer == nullptr) {
      xmlOutputBufferFlush(w->buf); // everything before ws: both (still one context)
      w->signer = EVP_MD_CTX_new();
      if (w->signer == nullptr || EVP_MD_CTX_copy_ex(w->signer, w->spec) != 1)
        w->failed = true;
      w->in_ws = true;
    }
    return 1;
  }
  if (w->sig == nullptr)
    return 1;
  // A namespace node has no parent pointer of its own: the element is `parent`.
  auto* n = node->type == XML_NAMESPACE_DECL ? parent : node;
  return inside(n, w->sig, w->root) ? 0 : 1;
}

bytes finish(EVP_MD_CTX* ctx, bool& ok) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(ctx, out, &len) != 1) {
    ok = false;
    return {};
  }
  return bytes(out, out + len);
}

} // namespace

document_digests digest_document(xmlDocPtr doc, xmlNodePtr sig, xmlNodePtr ws,
                                 const EVP_MD* md, bool spec_comments,
                                 bool signer_comments) {
  document_digests out;
  auto* root = xmlDocGetRootElement(doc);
  auto one = [&](bool split, bool ws_visible, bool comments, bytes& a,
                 bytes* b) -> std::string {
    md_ctx_ptr spec{EVP_MD_CTX_new(), &EVP_MD_CTX_free};
    if (!spec || EVP_DigestInit_ex(spec.get(), md, nullptr) != 1)
      return "EVP_DigestInit_ex: " + openssl_errors();
    walk w;
    w.root = root;
    w.sig = sig;
    w.ws = ws;
    w.split = split;
    w.ws_visible = ws_visible;
    w.spec = spec.get();
    w.buf = xmlOutputBufferCreateIO(&write_digest, nullptr, &w, nullptr);
    if (w.buf == nullptr)
      return "xmlOutputBufferCreateIO failed";
    auto rc = xmlC14NExecute(doc, &visible, &w, XML_C14N_1_0, nullptr, comments ? 1 : 0,
                             w.buf);
    auto closed = xmlOutputBufferClose(w.buf); // flushes into the digests
    md_ctx_ptr signer{w.signer, &EVP_MD_CTX_free};
    if (rc < 0 || closed < 0)
      return "C14N of the document failed (libxml2 xmlC14NExecute)";
    bool ok = !w.failed;
    a = finish(spec.get(), ok);
    if (b != nullptr)
      *b = signer ? finish(signer.get(), ok) : a; // no ws: both ways agree
    if (!ok)
      return "digest failed: " + openssl_errors();
    return {};
  };
  if (ws == nullptr || spec_comments == signer_comments) {
    out.error = one(ws != nullptr, true, spec_comments, out.spec, &out.signer);
    if (ws == nullptr)
      out.signer = out.spec;
  } else {
    out.error = one(false, true, spec_comments, out.spec, nullptr);
    if (out.error.empty())
      out.error = one(false, false, signer_comments, out.signer, nullptr);
  }
  return out;
}

namespace {

using doc_ptr = std::unique_ptr<xmlDoc, decltype(&xmlFreeDoc)>;

/// Removes whitespace-only text nodes that sit between elements, recursively.
void strip_blanks(xmlNodePtr parent) {
  bool has_element = false;
  for (auto* c = parent->children; c != nullptr; c = c->next)
    if (c->type == XML_ELEMENT_NODE)
      has_element = true;
  for (auto* c = parent->children; c != nullptr;) {
    auto* next = c->next;
    if (c->type == XML_ELEMENT_NODE) {
      strip_blanks(c);
    } else if (has_element && blank_text(c)) {
      xmlUnlinkNode(c);
      xmlFreeNode(c);
    }
    c = next;
  }
}

} // namespace

bool canonical_subtree(xmlNodePtr si, bool compact, bool with_comments, std::string& out,
                       std::string& error) {
  // C14N of a subset of a big document would walk every node of it; a copy of the
  // subtree with its in-scope namespaces declared on its top canonicalises the same.
  doc_ptr tmp{xmlNewDoc(BAD_CAST "1.0"), &xmlFreeDoc};
  if (!tmp) {
    error = "xmlNewDoc failed";
    return false;
  }
  auto* copy = xmlDocCopyNode(si, tmp.get(), 1);
  if (copy == nullptr) {
    error = "xmlDocCopyNode failed";
    return false;
  }
  xmlDocSetRootElement(tmp.get(), copy);
  if (auto** list = xmlGetNsList(si->doc, si)) {
    for (auto** ns = list; *ns != nullptr; ++ns) {
      if ((*ns)->href == nullptr || ((*ns)->prefix == nullptr && (*ns)->href[0] == 0))
        continue;
      // Returns null (no change) when the copy already declares this prefix.
      xmlNewNs(copy, (*ns)->href, (*ns)->prefix);
    }
    xmlFree(list);
  }
  // C14N 1.0 renders inherited xml:* attributes (xml:lang, xml:space) on the apex.
  for (auto* a = si->parent; a != nullptr && a->type == XML_ELEMENT_NODE; a = a->parent) {
    for (auto* attr = a->properties; attr != nullptr; attr = attr->next) {
      if (attr->ns == nullptr || !xmlStrEqual(attr->ns->href, XML_XML_NAMESPACE))
        continue;
      if (xmlHasNsProp(copy, attr->name, XML_XML_NAMESPACE) != nullptr)
        continue;
      auto* value = xmlNodeListGetString(si->doc, attr->children, 1);
      auto* xml_ns = xmlSearchNs(tmp.get(), copy, BAD_CAST "xml");
      xmlSetNsProp(copy, xml_ns, attr->name, value);
      xmlFree(value);
    }
  }
  if (compact)
    strip_blanks(copy);
  xmlChar* text = nullptr;
  auto len = xmlC14NDocDumpMemory(tmp.get(), nullptr, XML_C14N_1_0, nullptr,
                                  with_comments ? 1 : 0, &text);
  if (len < 0 || text == nullptr) {
    error = "C14N of SignedInfo failed (libxml2 xmlC14NDocDumpMemory)";
    return false;
  }
  out.assign(reinterpret_cast<const char*>(text), static_cast<size_t>(len));
  xmlFree(text);
  return true;
}

xmlNodePtr whitespace_before(xmlNodePtr sig) {
  auto* prev = sig->prev;
  return blank_text(prev) ? prev : nullptr;
}

const EVP_MD* sha1() {
  static const EVP_MD* md = fetch("SHA1");
  return md;
}

const EVP_MD* sha256() {
  static const EVP_MD* md = fetch("SHA256");
  return md;
}

const EVP_MD* sm3() {
  static const EVP_MD* md = fetch("SM3");
  return md;
}

namespace {

constexpr char b64_digits[] =
  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int b64_value(unsigned char c) {
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

std::string base64_encode(const uint8_t* data, size_t size, size_t line) {
  std::string out;
  out.reserve((size + 2) / 3 * 4 + (line > 0 ? size / line + 1 : 0));
  size_t column = 0;
  auto put = [&](char c) {
    if (line > 0 && column == line) {
      out.push_back('\n');
      column = 0;
    }
    out.push_back(c);
    ++column;
  };
  for (size_t i = 0; i < size; i += 3) {
    uint32_t v = static_cast<uint32_t>(data[i]) << 16;
    if (i + 1 < size)
      v |= static_cast<uint32_t>(data[i + 1]) << 8;
    if (i + 2 < size)
      v |= data[i + 2];
    put(b64_digits[(v >> 18) & 63]);
    put(b64_digits[(v >> 12) & 63]);
    put(i + 1 < size ? b64_digits[(v >> 6) & 63] : '=');
    put(i + 2 < size ? b64_digits[v & 63] : '=');
  }
  return out;
}

std::optional<bytes> base64_decode(const char* text) {
  bytes out;
  if (text == nullptr)
    return out;
  uint32_t acc = 0;
  int bits = 0;
  size_t symbols = 0, pad = 0;
  for (auto* p = reinterpret_cast<const unsigned char*>(text); *p != 0; ++p) {
    if (is_blank(*p))
      continue;
    if (*p == '=') {
      ++pad;
      ++symbols;
      continue;
    }
    if (pad > 0)
      return std::nullopt; // data after padding
    auto v = b64_value(*p);
    if (v < 0)
      return std::nullopt;
    ++symbols;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<uint8_t>((acc >> bits) & 0xff));
    }
  }
  if (symbols % 4 != 0 || pad > 2)
    return std::nullopt;
  // Leftover bits must be zero (canonical encoding) and match the padding.
  if ((pad == 1 && bits != 2) || (pad == 2 && bits != 4) || (pad == 0 && bits != 0))
    return std::nullopt;
  if ((acc & ((1u << bits) - 1)) != 0)
    return std::nullopt;
  return out;
}

std::optional<bytes> raw_to_der(const uint8_t* raw, size_t size) {
  if (size == 0 || size % 2 != 0)
    return std::nullopt;
  auto half = static_cast<int>(size / 2);
  auto* sig = ECDSA_SIG_new();
  auto* r = BN_bin2bn(raw, half, nullptr);
  auto* s = BN_bin2bn(raw + half, half, nullptr);
  if (sig == nullptr || r == nullptr || s == nullptr || ECDSA_SIG_set0(sig, r, s) != 1) {
    BN_free(r);
    BN_free(s);
    ECDSA_SIG_free(sig);
    ERR_clear_error();
    return std::nullopt;
  }
  unsigned char* der = nullptr;
  auto len = i2d_ECDSA_SIG(sig, &der);
  ECDSA_SIG_free(sig);
  if (len <= 0 || der == nullptr) {
    ERR_clear_error();
    return std::nullopt;
  }
  bytes out(der, der + len);
  OPENSSL_free(der);
  return out;
}

std::optional<bytes> der_to_raw(const uint8_t* der, size_t size, size_t half) {
  const unsigned char* p = der;
  auto* sig = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(size));
  if (sig == nullptr) {
    ERR_clear_error();
    return std::nullopt;
  }
  bytes out(half * 2);
  const BIGNUM* r = nullptr;
  const BIGNUM* s = nullptr;
  ECDSA_SIG_get0(sig, &r, &s);
  bool ok = BN_bn2binpad(r, out.data(), static_cast<int>(half)) == static_cast<int>(half)
            && BN_bn2binpad(s, out.data() + half, static_cast<int>(half))
                 == static_cast<int>(half);
  ECDSA_SIG_free(sig);
  if (!ok) {
    ERR_clear_error();
    return std::nullopt;
  }
  return out;
}

std::string openssl_errors() {
  std::string text;
  while (auto e = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof(buf));
    if (!text.empty())
      text += "; ";
    text += buf;
  }
  return text;
}

} // namespace hub::ceb::detail
