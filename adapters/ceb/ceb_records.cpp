#include "adapters/ceb/ceb_records.hpp"

#include "adapters/ceb/ceb_decimal.hpp"
#include "adapters/ceb/ceb_schema.hpp"
#include "adapters/ceb/xml_safety.hpp"

#include "schemas/ceb.capnp.h"

#include <capnp/dynamic.h>
#include <capnp/message.h>
#include <capnp/serialize.h>
#include <kj/exception.h>

#include <cstring>

namespace hub::ceb::detail {

namespace {

const char* const key_names[] = {
  "guid",     "orderNo",    "ebpCode",   "ebcCode", "payCode",   "payTransactionId",
  "logisticsCode", "logisticsNo", "copNo", "preNo", "invtNo", "agentCode", "customsCode",
  "operatorCode", "logisticsStatus"};

const xmlNode* first_child(const xmlNode* n, const char* name) {
  for (auto* c = n ? n->children : nullptr; c != nullptr; c = c->next)
    if (is_element(c, ceb_ns, name))
      return c;
  return nullptr;
}

// Sets each field of `s` from the child element of the same name of `el`.
problem fill(capnp::DynamicStruct::Builder s, const xmlNode* el, const std::string& path) {
  if (el == nullptr)
    return {fault::missing_element, path, path + ": missing"};
  auto schema = s.getSchema();
  auto parent = name_of(el);
  for (auto* c = el->children; c != nullptr; c = c->next) {
    if (c->type != XML_ELEMENT_NODE)
      continue;
    auto name = name_of(c);
    KJ_IF_MAYBE (field, schema.findFieldByName(name)) {
      auto text = text_of(c);
      switch (field->getType().which()) {
        case capnp::schema::Type::TEXT:
          s.set(*field, capnp::Text::Reader(text.data(), text.size()));
          break;
        case capnp::schema::Type::INT64: {
          auto* p = find_particle(parent, name);
          bool decimal = p != nullptr && p->type.base == "xs:decimal";
          auto r = decimal ? parse_decimal(text) : parse_integer(text);
          if (r.status != decimal_status::ok) {
            auto at = path + "/" + name;
            if (r.status == decimal_status::out_of_range)
              return {fault::out_of_range, at,
                      at + ": '" + text
                        + "' is beyond what the hub holds exactly (+-92233720368547.75807)"};
            return {fault::bad_value, at, at + ": '" + text + "' is not a number"};
          }
          s.set(*field, r.units);
          break;
        }
        default:
          break; // the generator writes Text and Int64 fields only
      }
    }
  }
  return {};
}

std::string indexed(const char* name, size_t k, size_t n) {
  return n > 1 ? std::string(name) + "[" + std::to_string(k + 1) + "]" : name;
}

} // namespace

problem build_record(const type_info& type, const xmlNode* document, uint32_t index,
                     bytes& record) {
  try {
    capnp::MallocMessageBuilder mb;
    auto root = mb.initRoot<swhub::ceb::Document>();
    root.setIndex(index);
    capnp::DynamicStruct::Builder d = root;
    auto field = d.getSchema().getFieldByName(type.record_field);
    problem p;
    if (type.head == nullptr) {
      p = fill(d.init(field).as<capnp::DynamicStruct>(), document, type.document);
    } else if (type.line == nullptr) {
      p = fill(d.init(field).as<capnp::DynamicStruct>(), first_child(document, type.head),
               type.head);
    } else {
      auto wrap = d.init(field).as<capnp::DynamicStruct>();
      p = fill(wrap.init("head").as<capnp::DynamicStruct>(), first_child(document, type.head),
               type.head);
      std::vector<const xmlNode*> lines;
      for (auto* c = document->children; c != nullptr; c = c->next)
        if (is_element(c, ceb_ns, type.line))
          lines.push_back(c);
      auto list = wrap.init("lines", static_cast<unsigned>(lines.size())).as<capnp::DynamicList>();
      for (size_t k = 0; k < lines.size() && p.what == fault::none; ++k)
        p = fill(list[static_cast<unsigned>(k)].as<capnp::DynamicStruct>(), lines[k],
                 indexed(type.line, k, lines.size()));
    }
    if (p.what != fault::none)
      return p;
    auto flat = capnp::messageToFlatArray(mb);
    auto b = flat.asBytes();
    record.assign(b.begin(), b.end());
    return {};
  } catch (const kj::Exception& e) {
    return {fault::bad_value, type.document,
            std::string(type.document) + ": the record could not be built: "
              + e.getDescription().cStr()};
  }
}

std::vector<std::pair<std::string, std::string>> read_keys(const type_info& type,
                                                           const xmlNode* document) {
  std::vector<std::pair<std::string, std::string>> keys;
  auto* head = type.head == nullptr ? document : first_child(document, type.head);
  if (head == nullptr)
    return keys;
  for (auto* c = head->children; c != nullptr; c = c->next) {
    if (c->type != XML_ELEMENT_NODE)
      continue;
    for (auto* k : key_names)
      if (xmlStrEqual(c->name, BAD_CAST k)) {
        bool seen = false;
        for (auto& have : keys)
          seen = seen || have.first == k;
        if (!seen)
          keys.emplace_back(k, text_of(c));
      }
  }
  return keys;
}

} // namespace hub::ceb::detail
