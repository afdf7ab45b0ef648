#include "tools/sim/ceb_receipts.hpp"

#include <memory>

#include <libxml/parser.h>
#include <libxml/tree.h>

namespace sim {

namespace {

struct doc_deleter {
  void operator()(xmlDoc* d) const { xmlFreeDoc(d); }
};

std::string name_of(const xmlNode* e) {
  return reinterpret_cast<const char*>(e->name);
}

std::string text_of(xmlNode* e) {
  std::unique_ptr<xmlChar, decltype(xmlFree)> t{xmlNodeGetContent(e), xmlFree};
  return t ? reinterpret_cast<const char*>(t.get()) : "";
}

} // namespace

const std::string& ceb_return::operator[](const std::string& k) const {
  static const std::string none;
  auto i = f.find(k);
  return i == f.end() ? none : i->second;
}

std::vector<ceb_return> read_ceb_returns(const hub::notification& n, std::string& error) {
  std::vector<ceb_return> out;
  if (!n.is_document || n.document_format != "ceb-xml") {
    error = "not a CEB receipt (format \"" + n.document_format + "\")";
    return out;
  }
  std::unique_ptr<xmlDoc, doc_deleter> doc{
    xmlReadMemory(reinterpret_cast<const char*>(n.content.data()),
                  static_cast<int>(n.content.size()), "receipt.xml", nullptr,
                  XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING)};
  if (!doc) {
    const xmlError* e = xmlGetLastError();
    error = n.document_name + " is not well-formed XML"
            + (e != nullptr && e->message != nullptr ? std::string{": "} + e->message : "");
    return out;
  }
  auto* root = xmlDocGetRootElement(doc.get());
  if (root == nullptr) {
    error = n.document_name + " has no root element";
    return out;
  }
  for (auto* r = root->children; r != nullptr; r = r->next) {
    if (r->type != XML_ELEMENT_NODE)
      continue;
    ceb_return x;
    x.receipt = name_of(root);
    x.kind = name_of(r);
    x.hub_status = n.status;
    x.notification = n.id;
    for (auto* e = r->children; e != nullptr; e = e->next)
      if (e->type == XML_ELEMENT_NODE)
        x.f[name_of(e)] = text_of(e);
    out.push_back(std::move(x));
  }
  return out;
}

} // namespace sim
