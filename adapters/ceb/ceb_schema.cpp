#include "adapters/ceb/ceb_schema.hpp"

#include "adapters/ceb/xml_safety.hpp"

#include <libxml/parser.h>

#include <cstdint>
#include <cstring>
#include <mutex>

namespace hub::ceb::detail {

namespace {

constexpr const char* xs_ns = "http://www.w3.org/2001/XMLSchema";

const embedded_file* find_embedded(const char* name) {
  for (auto* f = embedded_schemas; f->name != nullptr; ++f)
    if (std::strcmp(f->name, name) == 0)
      return f;
  return nullptr;
}

void collect_errors(void* ctx, xmlErrorPtr e) {
  auto* out = static_cast<std::string*>(ctx);
  if (out->empty() && e && e->message)
    *out = e->message;
}

xmlSchemaPtr compile(const char* name, std::string& error) {
  auto* f = find_embedded(name);
  if (f == nullptr) {
    error = std::string(name) + " is not compiled in";
    return nullptr;
  }
  loader_scope only_ours{loader_mode::embedded_schemas};
  auto* pctxt = xmlSchemaNewMemParserCtxt(f->data, static_cast<int>(f->size));
  if (pctxt == nullptr) {
    error = std::string(name) + ": libxml2 could not create a schema parser";
    return nullptr;
  }
  std::string why;
  xmlSchemaSetParserStructuredErrors(pctxt, collect_errors, &why);
  auto* s = xmlSchemaParse(pctxt);
  xmlSchemaFreeParserCtxt(pctxt);
  if (s == nullptr)
    error = std::string(name) + ": " + (why.empty() ? "does not compile" : why);
  return s;
}

std::optional<size_t> facet(const xmlNode* restriction, const char* name) {
  for (auto* c = restriction->children; c != nullptr; c = c->next)
    if (is_element(c, xs_ns, name)) {
      xmlChar* v = xmlGetNoNsProp(c, BAD_CAST "value");
      std::optional<size_t> r;
      if (v != nullptr)
        r = static_cast<size_t>(std::strtoull(reinterpret_cast<char*>(v), nullptr, 10));
      xmlFree(v);
      return r;
    }
  return std::nullopt;
}

std::string attr(const xmlNode* n, const char* name) {
  xmlChar* v = xmlGetNoNsProp(n, BAD_CAST name);
  std::string s = v ? reinterpret_cast<char*>(v) : "";
  xmlFree(v);
  return s;
}

const xmlNode* child(const xmlNode* n, const char* name) {
  for (auto* c = n ? n->children : nullptr; c != nullptr; c = c->next)
    if (is_element(c, xs_ns, name))
      return c;
  return nullptr;
}

void read_element(const xmlNode* el, element_table& table);

particle read_particle(const xmlNode* el, element_table& table) {
  particle p;
  p.name = attr(el, "name");
  if (p.name.empty()) {
    p.name = attr(el, "ref");
    if (auto colon = p.name.find(':'); colon != std::string::npos)
      p.name = p.name.substr(colon + 1);
  }
  auto min = attr(el, "minOccurs");
  auto max = attr(el, "maxOccurs");
  if (!min.empty())
    p.min_occurs = std::strtoull(min.c_str(), nullptr, 10);
  if (max == "unbounded")
    p.max_occurs = SIZE_MAX;
  else if (!max.empty())
    p.max_occurs = std::strtoull(max.c_str(), nullptr, 10);
  p.type.base = attr(el, "type");
  if (auto* r = child(child(el, "simpleType"), "restriction")) {
    p.type.base = attr(r, "base");
    p.type.length = facet(r, "length");
    p.type.min_length = facet(r, "minLength");
    p.type.max_length = facet(r, "maxLength");
    p.type.total_digits = facet(r, "totalDigits");
    p.type.fraction_digits = facet(r, "fractionDigits");
  }
  read_element(el, table);
  return p;
}

void read_element(const xmlNode* el, element_table& table) {
  auto* seq = child(child(el, "complexType"), "sequence");
  if (seq == nullptr)
    return;
  std::vector<particle> children;
  for (auto* c = seq->children; c != nullptr; c = c->next)
    if (is_element(c, xs_ns, "element"))
      children.push_back(read_particle(c, table));
  auto name = attr(el, "name");
  if (!name.empty())
    table.emplace(name, std::move(children));
}

element_table read_table(const embedded_file& f, std::string& error) {
  element_table table;
  loader_scope refuse{loader_mode::refuse_all};
  doc_ptr doc{xmlReadMemory(f.data, static_cast<int>(f.size), f.name, nullptr,
                            XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING)};
  if (!doc) {
    error = std::string(f.name) + " is not well-formed";
    return table;
  }
  for (auto* c = xmlDocGetRootElement(doc.get())->children; c != nullptr; c = c->next)
    if (is_element(c, xs_ns, "element"))
      read_element(c, table);
  return table;
}

} // namespace

const compiled_schemas& schemas() {
  static compiled_schemas s;
  static std::once_flag once;
  std::call_once(once, [] {
    init_libxml();
    std::string error;
    s.import = compile("ceb-import.xsd", error);
    if (error.empty())
      s.dxp = compile("dxp-terminal.xsd", error);
    if (error.empty())
      s.elements = read_table(*find_embedded("ceb-import.xsd"), error);
    s.error = error;
  });
  return s;
}

const particle* find_particle(const std::string& parent, const std::string& child_name) {
  auto& t = schemas().elements;
  auto it = t.find(parent);
  if (it == t.end())
    return nullptr;
  for (auto& p : it->second)
    if (p.name == child_name)
      return &p;
  return nullptr;
}

} // namespace hub::ceb::detail
