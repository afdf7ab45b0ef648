#include "adapters/ceb/ceb_validate.hpp"

#include "adapters/ceb/ceb_decimal.hpp"
#include "adapters/ceb/ceb_schema.hpp"
#include "adapters/ceb/xml_safety.hpp"

#include <libxml/xmlerror.h>
#include <libxml/xmlschemas.h>

#include <algorithm>
#include <cstring>
#include <set>

namespace hub::ceb::detail {

namespace {

// SAMPLE: mandatory elements of the 2022-05 heads that the 2016-08 / 2018 layouts still
// produced by vendors' systems are believed to lack (added with the 2018 revision, GACC
// announcement 2018 No. 194, and 2022-05). A head lacking at least two of them is read as
// an older layout rather than a careless omission. To be confirmed against real messages
// of those layouts; the official samples are all 2022-05-valid.
const std::map<std::string, std::set<std::string>> older_layout_lacks = {
  {"OrderHead", {"ebcName", "buyerTelephone", "consigneeTelephone", "consigneeAddress"}},
  {"PaymentHead", {"payTime", "payerIdType", "payerIdNumber", "payerName", "telephone"}},
  {"LogisticsHead", {"consignee", "consigneeAddress", "consigneeTelephone", "goodsInfo"}},
  {"InventoryHead", {"ebpName", "ebcName", "logisticsName", "assureCode", "buyerTelephone",
                     "consigneeAddress", "agentName", "areaName"}},
  {"InvtCancel", {"ebpName", "ebcName", "logisticsName", "buyerTelephone", "agentName"}},
  {"InvtRefundHead", {"ebpName", "ebcName", "logisticsName", "buyerTelephone", "agentName"}},
};

struct xsd_error {
  xmlNode* node;
  int code;
  std::string message;
};

void collect(void* ctx, xmlErrorPtr e) {
  auto* out = static_cast<std::vector<xsd_error>*>(ctx);
  if (e == nullptr || out->size() >= 10000)
    return;
  std::string msg = e->message ? e->message : "";
  while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' '))
    msg.pop_back();
  out->push_back({static_cast<xmlNode*>(e->node), e->code, std::move(msg)});
}

std::vector<xsd_error> run_schema(xmlSchemaPtr schema, xmlDoc* doc) {
  std::vector<xsd_error> errors;
  auto* v = xmlSchemaNewValidCtxt(schema);
  if (v == nullptr) {
    errors.push_back({nullptr, 0, "libxml2 could not create a validation context"});
    return errors;
  }
  xmlSchemaSetValidStructuredErrors(v, collect, &errors);
  loader_scope refuse{loader_mode::refuse_all};
  int rc = xmlSchemaValidateDoc(v, doc);
  xmlSchemaFreeValidCtxt(v);
  if (rc != 0 && errors.empty())
    errors.push_back({nullptr, rc, "not valid"});
  return errors;
}

std::vector<xmlNode*> element_children(const xmlNode* n) {
  std::vector<xmlNode*> out;
  for (auto* c = n->children; c != nullptr; c = c->next)
    if (c->type == XML_ELEMENT_NODE)
      out.push_back(c);
  return out;
}

bool matches(const xmlNode* n, const particle& p) {
  return is_element(n, p.name == "Signature" ? dsig_ns : ceb_ns, p.name.c_str());
}

std::string quoted(const std::string& v) {
  constexpr size_t shown = 40;
  if (utf8_length(v) <= shown)
    return "'" + v + "'";
  size_t bytes = 0, chars = 0;
  while (bytes < v.size() && chars < shown) {
    ++bytes;
    while (bytes < v.size() && (static_cast<unsigned char>(v[bytes]) & 0xC0) == 0x80)
      ++bytes;
    ++chars;
  }
  return "'" + v.substr(0, bytes) + "...'";
}

std::string qualified(const xmlNode* n) {
  std::string s = name_of(n);
  if (n->ns == nullptr)
    s += " (in no namespace)";
  else if (!xmlStrEqual(n->ns->href, BAD_CAST ceb_ns) && !xmlStrEqual(n->ns->href, BAD_CAST dsig_ns))
    s += std::string(" (in namespace ") + reinterpret_cast<const char*>(n->ns->href) + ")";
  return s;
}

// Checks the children of `parent` against the sequence `seq` and names the first fault.
problem match_sequence(const xmlNode* parent, const std::vector<particle>& seq,
                       const std::string& path) {
  auto kids = element_children(parent);
  size_t i = 0;
  auto later_has = [&seq](size_t from, const xmlNode* n) {
    for (size_t k = from; k < seq.size(); ++k)
      if (matches(n, seq[k]))
        return true;
    return false;
  };
  for (size_t k = 0; k < seq.size(); ++k) {
    auto& p = seq[k];
    size_t count = 0;
    while (i < kids.size() && matches(kids[i], p)) {
      if (++count > p.max_occurs)
        return {fault::unexpected_element, path,
                path + ": more than " + std::to_string(p.max_occurs) + " " + p.name};
      ++i;
    }
    if (count >= p.min_occurs)
      continue;
    if (i < kids.size() && !later_has(k + 1, kids[i]))
      return {fault::unexpected_element, path,
              path + ": unexpected " + qualified(kids[i]) + " where " + p.name
                + " is required"};
    // Missing. An older layout lacks several of the elements added since.
    std::vector<std::string> absent;
    for (size_t m = k; m < seq.size(); ++m) {
      if (seq[m].min_occurs == 0)
        continue;
      bool present = std::any_of(kids.begin(), kids.end(),
                                 [&](const xmlNode* c) { return matches(c, seq[m]); });
      if (!present)
        absent.push_back(seq[m].name);
    }
    if (auto t = older_layout_lacks.find(name_of(parent)); t != older_layout_lacks.end()) {
      size_t newer = std::count_if(absent.begin(), absent.end(),
                                   [&](const std::string& a) { return t->second.count(a) > 0; });
      if (newer >= 2) {
        std::string list;
        for (auto& a : absent)
          list += (list.empty() ? "" : ", ") + a;
        return {fault::older_layout, path,
                path + ": missing " + p.name + " (absent: " + list
                  + "); this looks like a 2016/2018 layout, the 2022-05 layout is required"};
      }
    }
    return {fault::missing_element, path, path + ": missing " + p.name};
  }
  if (i < kids.size())
    return {fault::unexpected_element, path,
            path + ": unexpected " + qualified(kids[i])
              + (later_has(0, kids[i]) ? " (out of order or repeated)" : "")};
  return {};
}

const char* date_hint(const std::string& name, size_t length) {
  auto ends_with = [&name](const char* s) {
    auto n = std::strlen(s);
    return name.size() >= n && name.compare(name.size() - n, n, s) == 0;
  };
  if (!ends_with("Time") && !ends_with("Date"))
    return "";
  switch (length) {
    case 8: return " (YYYYMMDD)";
    case 14: return " (YYYYMMDDhhmmss)";
    case 17: return " (YYYYMMDDhhmmssSSS)";
    default: return "";
  }
}

size_t significant_digits(std::string_view v) {
  while (!v.empty() && (v.front() == ' ' || v.front() == '+' || v.front() == '-'))
    v.remove_prefix(1);
  auto dot = v.find('.');
  auto ip = v.substr(0, dot);
  auto fp = dot == std::string_view::npos ? std::string_view{} : v.substr(dot + 1);
  while (!ip.empty() && ip.front() == '0')
    ip.remove_prefix(1);
  while (!fp.empty() && (fp.back() == '0' || fp.back() == ' '))
    fp.remove_suffix(1);
  return ip.size() + fp.size();
}

size_t fraction_digits(std::string_view v) {
  auto dot = v.find('.');
  if (dot == std::string_view::npos)
    return 0;
  auto fp = v.substr(dot + 1);
  while (!fp.empty() && (fp.back() == '0' || fp.back() == ' ' || fp.back() == '\n'))
    fp.remove_suffix(1);
  return fp.size();
}

// Describes what is wrong with the value of a leaf element, from its declaration.
std::optional<problem> describe_value(const xmlNode* n, const std::string& path) {
  if (n->parent == nullptr || n->parent->type != XML_ELEMENT_NODE)
    return std::nullopt;
  auto* p = find_particle(name_of(n->parent), name_of(n));
  if (p == nullptr || p->type.base.empty())
    return std::nullopt;
  auto v = text_of(n);
  auto& t = p->type;
  if (t.base == "xs:decimal") {
    auto r = parse_decimal(v);
    switch (r.status) {
      case decimal_status::empty:
        return problem{fault::bad_decimal, path, path + ": empty, a decimal is required"};
      case decimal_status::not_decimal:
        return problem{fault::bad_decimal, path, path + ": " + quoted(v) + " is not a decimal"};
      default:
        break;
    }
    if (t.fraction_digits && fraction_digits(v) > *t.fraction_digits)
      return problem{fault::bad_decimal, path,
                     path + ": " + quoted(v) + " has " + std::to_string(fraction_digits(v))
                       + " fraction digits, at most " + std::to_string(*t.fraction_digits)};
    if (t.total_digits && significant_digits(v) > *t.total_digits)
      return problem{fault::bad_decimal, path,
                     path + ": " + quoted(v) + " has " + std::to_string(significant_digits(v))
                       + " digits, at most " + std::to_string(*t.total_digits)};
    return std::nullopt;
  }
  if (t.base == "xs:int") {
    auto r = parse_integer(v);
    if (r.status == decimal_status::empty)
      return problem{fault::bad_value, path, path + ": empty, an integer is required"};
    if (r.status != decimal_status::ok || r.units > INT32_MAX || r.units < INT32_MIN)
      return problem{fault::bad_value, path,
                     path + ": " + quoted(v) + " is not an integer (xs:int)"};
    if (t.total_digits && significant_digits(v) > *t.total_digits)
      return problem{fault::bad_value, path,
                     path + ": " + quoted(v) + " has more than " + std::to_string(*t.total_digits)
                       + " digits"};
    return std::nullopt;
  }
  auto len = utf8_length(v);
  auto name = name_of(n);
  if (t.length && len != *t.length)
    return problem{fault::bad_length, path,
                   path + ": " + (v.empty() ? std::string("empty") : quoted(v) + " has "
                                  + std::to_string(len) + " characters")
                     + ", the schema requires " + std::to_string(*t.length)
                     + date_hint(name, *t.length)};
  if (t.min_length && len < *t.min_length)
    return problem{fault::bad_length, path,
                   path + ": " + (v.empty() ? std::string("empty") : quoted(v) + " has "
                                  + std::to_string(len) + " characters")
                     + ", at least " + std::to_string(*t.min_length) + " required"};
  if (t.max_length && len > *t.max_length)
    return problem{fault::bad_length, path,
                   path + ": " + quoted(v) + " has " + std::to_string(len)
                     + " characters, at most " + std::to_string(*t.max_length)};
  return std::nullopt;
}

bool content_model_code(int code) {
  switch (code) {
    case XML_SCHEMAV_ELEMENT_CONTENT:
    case XML_SCHEMAV_CVC_COMPLEX_TYPE_2_1:
    case XML_SCHEMAV_CVC_COMPLEX_TYPE_2_3:
    case XML_SCHEMAV_CVC_COMPLEX_TYPE_2_4:
    case XML_SCHEMAV_CVC_ELT_1:
      return true;
    default:
      return false;
  }
}

fault fault_of_code(int code) {
  switch (code) {
    case XML_SCHEMAV_CVC_LENGTH_VALID:
    case XML_SCHEMAV_CVC_MINLENGTH_VALID:
    case XML_SCHEMAV_CVC_MAXLENGTH_VALID:
      return fault::bad_length;
    case XML_SCHEMAV_CVC_TOTALDIGITS_VALID:
    case XML_SCHEMAV_CVC_FRACTIONDIGITS_VALID:
      return fault::bad_decimal;
    case XML_SCHEMAV_CVC_COMPLEX_TYPE_4:
      return fault::missing_element;
    default:
      return content_model_code(code) ? fault::unexpected_element : fault::bad_value;
  }
}

// libxml2's message without its "Element '{ns}x': " prefix (the path says where).
std::string libxml_words(const std::string& msg) {
  auto at = msg.find("': ");
  return at == std::string::npos ? msg : msg.substr(at + 3);
}

problem describe(const xsd_error& e, const xmlNode* top) {
  const xmlNode* n = e.node;
  if (n == nullptr)
    return {fault_of_code(e.code), "", e.message};
  if (n->type == XML_ATTRIBUTE_NODE) {
    auto path = path_below(n->parent, top) + "@" + name_of(n);
    return {fault_of_code(e.code), path, path + ": " + libxml_words(e.message)};
  }
  if (content_model_code(e.code)) {
    // Reported on the parent (child missing) or on the child (not expected there).
    for (const xmlNode* at : std::initializer_list<const xmlNode*>{n, n->parent}) {
      if (at == nullptr || at->type != XML_ELEMENT_NODE)
        continue;
      auto& t = schemas().elements;
      auto it = t.find(name_of(at));
      if (it == t.end())
        continue;
      auto path = path_below(at, top);
      if (auto p = match_sequence(at, it->second, path); p.what != fault::none)
        return p;
    }
  }
  auto path = path_below(n, top);
  if (auto p = describe_value(n, path))
    return *p;
  return {fault_of_code(e.code), path, path + ": " + libxml_words(e.message)};
}

problem check_attribute(const xmlNode* root, const char* name, size_t min, size_t max) {
  auto path = name_of(root) + "@" + name;
  xmlChar* v = xmlGetNoNsProp(root, BAD_CAST name);
  if (v == nullptr)
    return {fault::missing_element, path, name_of(root) + ": missing attribute " + name};
  std::string s = reinterpret_cast<char*>(v);
  xmlFree(v);
  auto len = utf8_length(s);
  if (len < min || len > max)
    return {fault::bad_length, path,
            path + ": " + quoted(s) + " has " + std::to_string(len) + " characters, "
              + (min == max ? "the schema requires " + std::to_string(min)
                            : "the schema allows " + std::to_string(min) + " to "
                                + std::to_string(max))};
  return {};
}

} // namespace

std::string path_below(const xmlNode* n, const xmlNode* top) {
  if (n != nullptr && n == top)
    return name_of(n);
  std::string path;
  for (; n != nullptr && n != top && n->type == XML_ELEMENT_NODE; n = n->parent) {
    std::string step = name_of(n);
    size_t same = 0, index = 0;
    if (n->parent != nullptr)
      for (auto* s = n->parent->children; s != nullptr; s = s->next)
        if (s->type == XML_ELEMENT_NODE && xmlStrEqual(s->name, n->name)) {
          ++same;
          if (s == n)
            index = same;
        }
    if (same > 1)
      step += "[" + std::to_string(index) + "]";
    path = path.empty() ? step : step + "/" + path;
  }
  return path;
}

problem check_skeleton(xmlNode* root, const type_info& type, const limits& lim,
                       std::vector<xmlNode*>& documents) {
  if (auto p = check_attribute(root, "guid", 36, 36); p.what != fault::none)
    return p;
  if (auto p = check_attribute(root, "version", 1, 10); p.what != fault::none)
    return p;
  for (auto* c : element_children(root))
    if (is_element(c, ceb_ns, type.document))
      documents.push_back(c);
  if (documents.size() > lim.max_documents)
    return {fault::too_many, type.root,
            std::string(type.root) + ": " + std::to_string(documents.size()) + " " + type.document
              + " documents, at most " + std::to_string(lim.max_documents)};
  auto& t = schemas().elements;
  auto it = t.find(type.root);
  if (it == t.end())
    return {fault::unknown_root, type.root, std::string(type.root) + " is not in the schema"};
  // The documents' count was checked against the configured limit above.
  auto seq = it->second;
  seq.front().max_occurs = SIZE_MAX;
  return match_sequence(root, seq, type.root);
}

problem validate_message(xmlDoc* doc, const type_info& type, const limits& lim,
                         const std::vector<xmlNode*>& documents,
                         std::vector<std::optional<problem>>& errors) {
  errors.assign(documents.size(), std::nullopt);
  // Lines per document, against the configured limits (the XSD says 99, or unbounded).
  if (type.line != nullptr) {
    size_t max = type.type == message_type::ceb711 ? lim.max_delivery_lines : lim.max_lines;
    for (size_t i = 0; i < documents.size(); ++i) {
      size_t lines = 0;
      for (auto* c : element_children(documents[i]))
        lines += is_element(c, ceb_ns, type.line);
      if (lines > max)
        errors[i] = problem{fault::too_many, type.document,
                            std::string(type.document) + ": " + std::to_string(lines) + " "
                              + type.line + " lines, at most " + std::to_string(max)};
    }
  }
  auto* root = xmlDocGetRootElement(doc);
  for (auto& e : run_schema(schemas().import, doc)) {
    // The document the node is in, if any: the child of the root it descends from.
    const xmlNode* n = e.node;
    if (n != nullptr && n->type == XML_ATTRIBUTE_NODE)
      n = n->parent;
    const xmlNode* below_root = nullptr;
    for (auto* a = n; a != nullptr && a != root; a = a->parent)
      below_root = a;
    auto at = std::find(documents.begin(), documents.end(), below_root);
    if (n == nullptr || at == documents.end())
      return describe(e, root);
    auto i = static_cast<size_t>(at - documents.begin());
    if (errors[i])
      continue;
    // Paths start at the head or line element ("OrderHead/freight"), or at the document
    // itself where it is its own head (InvtCancel, LogisticsStatus).
    errors[i] = describe(e, type.head != nullptr ? *at : root);
  }
  return {};
}

problem validate_envelope(xmlDoc* doc) {
  auto errors = run_schema(schemas().dxp, doc);
  if (errors.empty())
    return {};
  auto& e = errors.front();
  auto path = e.node && e.node->type == XML_ELEMENT_NODE ? path_below(e.node, nullptr) : "DxpMsg";
  return {fault::bad_envelope, path, path + ": " + libxml_words(e.message)};
}

} // namespace hub::ceb::detail
