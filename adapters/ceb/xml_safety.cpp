#include "adapters/ceb/xml_safety.hpp"

#include "adapters/ceb/ceb_schema.hpp"

#include <libxml/parser.h>
#include <libxml/globals.h>
#include <libxml/parserInternals.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlIO.h>

#include <cstring>
#include <mutex>

namespace hub::ceb::detail {

namespace {

thread_local loader_mode current_mode = loader_mode::none;
xmlExternalEntityLoader previous_loader = nullptr;

// Serves only the compiled-in schemas, by file name, and only while a schema is being
// compiled; refuses everything while untrusted input is parsed.
xmlParserInputPtr entity_loader(const char* url, const char* id, xmlParserCtxtPtr ctxt) {
  if (current_mode == loader_mode::none)
    return previous_loader ? previous_loader(url, id, ctxt) : nullptr;
  if (current_mode == loader_mode::embedded_schemas && url != nullptr) {
    std::string_view u{url};
    auto slash = u.find_last_of('/');
    auto base = slash == std::string_view::npos ? u : u.substr(slash + 1);
    for (auto* f = embedded_schemas; f->name != nullptr; ++f) {
      if (base != f->name)
        continue;
      auto* buf = xmlParserInputBufferCreateMem(f->data, static_cast<int>(f->size),
                                                XML_CHAR_ENCODING_NONE);
      if (buf == nullptr)
        return nullptr;
      auto* in = xmlNewIOInputStream(ctxt, buf, XML_CHAR_ENCODING_NONE);
      if (in == nullptr)
        xmlFreeParserInputBuffer(buf);
      else
        in->filename = reinterpret_cast<char*>(xmlStrdup(BAD_CAST f->name));
      return in;
    }
  }
  return nullptr;
}

// Parser state shared with the SAX hooks below (ctxt->_private).
struct guard {
  const limits* lim = nullptr;
  size_t depth = 0;
  size_t elements = 0;
  problem stop; ///< why the hooks stopped the parser
  startElementNsSAX2Func start = nullptr;
  endElementNsSAX2Func end = nullptr;
};

void stop_with(xmlParserCtxtPtr ctxt, fault f, std::string detail) {
  auto* g = static_cast<guard*>(ctxt->_private);
  if (g->stop.what == fault::none)
    g->stop = problem{f, "", std::move(detail)};
  xmlStopParser(ctxt);
}

// A DOCTYPE stops the parser before its internal subset (entities) is even read:
// billion laughs and XXE are refused, never expanded.
void on_internal_subset(void* c, const xmlChar* name, const xmlChar*, const xmlChar*) {
  stop_with(static_cast<xmlParserCtxtPtr>(c), fault::forbidden_markup,
            std::string("a document type declaration (<!DOCTYPE ")
              + (name ? reinterpret_cast<const char*>(name) : "") + ">) is not allowed");
}

void on_pi(void* c, const xmlChar* target, const xmlChar*) {
  stop_with(static_cast<xmlParserCtxtPtr>(c), fault::forbidden_markup,
            std::string("a processing instruction (<?")
              + (target ? reinterpret_cast<const char*>(target) : "") + " ...?>) is not allowed");
}

void on_entity_decl(void* c, const xmlChar* name, int, const xmlChar*, const xmlChar*,
                    xmlChar*) {
  stop_with(static_cast<xmlParserCtxtPtr>(c), fault::forbidden_markup,
            std::string("an entity declaration (") + reinterpret_cast<const char*>(name)
              + ") is not allowed");
}

xmlEntityPtr on_get_entity(void* c, const xmlChar* name) {
  // Only the five predefined entities reach the tree; they are resolved by the parser
  // before this hook. Anything else is a reference to a declared or undeclared entity.
  if (auto* e = xmlGetPredefinedEntity(name))
    return e;
  stop_with(static_cast<xmlParserCtxtPtr>(c), fault::forbidden_markup,
            std::string("an entity reference (&") + reinterpret_cast<const char*>(name)
              + ";) is not allowed");
  return nullptr;
}

void on_start(void* c, const xmlChar* localname, const xmlChar* prefix, const xmlChar* uri,
              int nb_ns, const xmlChar** ns, int nb_attr, int nb_def, const xmlChar** attrs) {
  auto* ctxt = static_cast<xmlParserCtxtPtr>(c);
  auto* g = static_cast<guard*>(ctxt->_private);
  if (++g->depth > g->lim->max_depth) {
    stop_with(ctxt, fault::too_deep,
              "elements nested deeper than " + std::to_string(g->lim->max_depth) + " levels (at "
                + reinterpret_cast<const char*>(localname) + ")");
    return;
  }
  if (++g->elements > g->lim->max_nodes) {
    stop_with(ctxt, fault::too_many,
              "more than " + std::to_string(g->lim->max_nodes) + " XML elements");
    return;
  }
  g->start(c, localname, prefix, uri, nb_ns, ns, nb_attr, nb_def, attrs);
}

void on_end(void* c, const xmlChar* localname, const xmlChar* prefix, const xmlChar* uri) {
  auto* ctxt = static_cast<xmlParserCtxtPtr>(c);
  auto* g = static_cast<guard*>(ctxt->_private);
  if (g->depth > 0)
    --g->depth;
  g->end(c, localname, prefix, uri);
}

// Strict UTF-8 (no overlong forms, no surrogates, nothing above U+10FFFF).
// Returns the offset of the first bad byte, or npos.
size_t first_bad_utf8(const uint8_t* p, size_t n) {
  size_t i = 0;
  while (i < n) {
    uint8_t c = p[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len;
    uint32_t cp;
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
      cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      cp = c & 0x07;
    } else {
      return i;
    }
    if (i + len > n)
      return i;
    for (size_t k = 1; k < len; ++k) {
      if ((p[i + k] & 0xC0) != 0x80)
        return i;
      cp = (cp << 6) | (p[i + k] & 0x3F);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF))
        || (cp >= 0xD800 && cp <= 0xDFFF))
      return i;
    i += len;
  }
  return std::string::npos;
}

problem check_tree(xmlNode* n, const limits& lim, size_t& nodes) {
  for (; n != nullptr; n = n->next) {
    if (++nodes > lim.max_nodes)
      return {fault::too_many, "", "more than " + std::to_string(lim.max_nodes) + " XML nodes"};
    switch (n->type) {
      case XML_ENTITY_REF_NODE:
      case XML_ENTITY_NODE:
      case XML_ENTITY_DECL:
        return {fault::forbidden_markup, "", "an entity reference is not allowed"};
      case XML_PI_NODE:
        return {fault::forbidden_markup, "", "a processing instruction is not allowed"};
      case XML_DTD_NODE:
      case XML_DOCUMENT_TYPE_NODE:
        return {fault::forbidden_markup, "", "a document type declaration is not allowed"};
      default:
        break;
    }
    if (n->type == XML_ELEMENT_NODE && n->children != nullptr) {
      auto p = check_tree(n->children, lim, nodes);
      if (p.what != fault::none)
        return p;
    }
  }
  return {};
}

// libxml2 reports some errors (encoding conversion, I/O) to its per-thread handler
// whatever the parser options say; the adapter reports them itself.
class quiet_errors {
public:
  quiet_errors() : handler_(xmlStructuredError), context_(xmlStructuredErrorContext) {
    xmlSetStructuredErrorFunc(nullptr, [](void*, xmlErrorPtr) {});
  }
  ~quiet_errors() { xmlSetStructuredErrorFunc(context_, handler_); }
  quiet_errors(const quiet_errors&) = delete;
  quiet_errors& operator=(const quiet_errors&) = delete;

private:
  xmlStructuredErrorFunc handler_;
  void* context_;
};

} // namespace

loader_scope::loader_scope(loader_mode m) : saved_(current_mode) {
  current_mode = m;
}

loader_scope::~loader_scope() {
  current_mode = saved_;
}

void init_libxml() {
  static std::once_flag once;
  std::call_once(once, [] {
    xmlInitParser();
    previous_loader = xmlGetExternalEntityLoader();
    xmlSetExternalEntityLoader(entity_loader);
  });
}

safe_doc parse_safely(const uint8_t* data, size_t size, const limits& lim, const char* what) {
  init_libxml();
  safe_doc out;
  if (data == nullptr || size == 0) {
    out.error = {fault::malformed_xml, "", std::string("the ") + what + " is empty"};
    return out;
  }
  if (size > lim.max_bytes) {
    out.error = {fault::too_large, "",
                 std::string("the ") + what + " has " + std::to_string(size)
                   + " bytes, the limit is " + std::to_string(lim.max_bytes)};
    return out;
  }
  if (size > static_cast<size_t>(INT32_MAX)) {
    out.error = {fault::too_large, "", "more than 2 GiB"};
    return out;
  }
  if (auto bad = first_bad_utf8(data, size); bad != std::string::npos) {
    out.error = {fault::malformed_xml, "",
                 std::string("the ") + what + " is not UTF-8 (invalid byte at offset "
                   + std::to_string(bad) + ")"};
    return out;
  }
  std::unique_ptr<xmlParserCtxt, decltype(&xmlFreeParserCtxt)> ctxt{xmlNewParserCtxt(),
                                                                     &xmlFreeParserCtxt};
  if (!ctxt) {
    out.error = {fault::malformed_xml, "", "libxml2 could not allocate a parser"};
    return out;
  }
  guard g;
  g.lim = &lim;
  g.start = ctxt->sax->startElementNs;
  g.end = ctxt->sax->endElementNs;
  ctxt->_private = &g;
  ctxt->sax->internalSubset = on_internal_subset;
  ctxt->sax->externalSubset = on_internal_subset;
  ctxt->sax->processingInstruction = on_pi;
  ctxt->sax->entityDecl = on_entity_decl;
  ctxt->sax->getEntity = on_get_entity;
  ctxt->sax->getParameterEntity = on_get_entity;
  ctxt->sax->startElementNs = on_start;
  ctxt->sax->endElementNs = on_end;
  // No NOENT, DTDLOAD, DTDATTR or HUGE: entities are never substituted, nothing external
  // is read, libxml2's own depth and size limits stay on. Whitespace is kept as sent.
  constexpr int options = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING;
  loader_scope refuse{loader_mode::refuse_all};
  quiet_errors quiet;
  doc_ptr doc{xmlCtxtReadMemory(ctxt.get(), reinterpret_cast<const char*>(data),
                                static_cast<int>(size), nullptr, nullptr, options)};
  if (g.stop.what != fault::none) {
    out.error = std::move(g.stop);
    return out;
  }
  if (!doc || !ctxt->wellFormed) {
    auto* e = xmlCtxtGetLastError(ctxt.get());
    std::string msg = e && e->message ? e->message : "not well-formed";
    while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' '))
      msg.pop_back();
    out.error = {fault::malformed_xml, "",
                 std::string("the ") + what + " is not well-formed XML: line "
                   + std::to_string(e ? e->line : 0) + ": " + msg};
    return out;
  }
  if (doc->intSubset != nullptr || doc->extSubset != nullptr) {
    out.error = {fault::forbidden_markup, "", "a document type declaration is not allowed"};
    return out;
  }
  if (doc->encoding != nullptr && xmlStrcasecmp(doc->encoding, BAD_CAST "UTF-8") != 0) {
    out.error = {fault::malformed_xml, "",
                 std::string("the ") + what + " declares encoding "
                   + reinterpret_cast<const char*>(doc->encoding) + "; CEB messages are UTF-8"};
    return out;
  }
  size_t nodes = 0;
  if (auto p = check_tree(doc->children, lim, nodes); p.what != fault::none) {
    out.error = std::move(p);
    return out;
  }
  out.doc = std::move(doc);
  return out;
}

std::string text_of(const xmlNode* n) {
  std::string s;
  if (n == nullptr)
    return s;
  for (auto* c = n->children; c != nullptr; c = c->next)
    if ((c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) && c->content)
      s += reinterpret_cast<const char*>(c->content);
  return s;
}

bool is_element(const xmlNode* n, const char* ns, const char* name) {
  return n != nullptr && n->type == XML_ELEMENT_NODE && n->ns != nullptr
         && xmlStrEqual(n->ns->href, BAD_CAST ns) && xmlStrEqual(n->name, BAD_CAST name);
}

std::string name_of(const xmlNode* n) {
  return n && n->name ? reinterpret_cast<const char*>(n->name) : "";
}

size_t utf8_length(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s)
    n += (c & 0xC0) != 0x80;
  return n;
}

} // namespace hub::ceb::detail
