#include "adapters/ceb/ceb_message.hpp"

#include "adapters/ceb/base64.hpp"
#include "adapters/ceb/ceb_records.hpp"
#include "adapters/ceb/ceb_schema.hpp"
#include "adapters/ceb/ceb_types.hpp"
#include "adapters/ceb/ceb_validate.hpp"
#include "adapters/ceb/xml_safety.hpp"

#include <cctype>
#include <cstring>

namespace hub::ceb {

struct message::impl {
  detail::doc_ptr doc; ///< the business XML's tree
};

message::message() : impl_(std::make_unique<impl>()) {
  // nop
}

message::~message() = default;
message::message(message&&) noexcept = default;
message& message::operator=(message&&) noexcept = default;

void* message::xml_doc() const {
  return impl_ ? impl_->doc.get() : nullptr;
}

namespace {

using namespace detail;

bool is_ceb_message_name(const std::string& n) {
  return n.size() == 13 && n.compare(0, 3, "CEB") == 0 && n.compare(6, 7, "Message") == 0
         && std::isdigit(static_cast<unsigned char>(n[3]))
         && std::isdigit(static_cast<unsigned char>(n[4]))
         && std::isdigit(static_cast<unsigned char>(n[5]));
}

std::string accepted_list() {
  std::string s;
  for (size_t i = 0; i < type_count; ++i)
    s += (i ? ", " : "") + std::string(all_types()[i].root);
  return s;
}

// The accepted type of a business root, or why it is not one.
problem classify(const xmlNode* root, std::optional<message_type>& type) {
  auto name = name_of(root);
  auto t = from_root_name(name);
  if (t) {
    if (root->ns == nullptr || !xmlStrEqual(root->ns->href, BAD_CAST ceb_ns))
      return {fault::wrong_namespace, name,
              name + " is in "
                + (root->ns ? "namespace " + std::string(reinterpret_cast<const char*>(root->ns->href))
                            : std::string("no namespace"))
                + "; CEB messages are in " + ceb_ns};
    type = t;
    return {};
  }
  for (size_t i = 0; i < type_count; ++i)
    if (name == all_types()[i].receipt_root)
      return {fault::unknown_root, name,
              name + " is a receipt; send the business message ("
                + all_types()[i].root + ")"};
  if (name == "DxpMsg")
    return {fault::unknown_root, name, "a DxpMsg inside a DxpMsg is not accepted"};
  if (is_ceb_message_name(name))
    return {fault::unknown_root, name,
            name + " is not an import business message the hub accepts (accepted: "
              + accepted_list() + ")"};
  return {fault::unknown_root, name,
          "root element " + (name.empty() ? std::string("(none)") : name)
            + " is not a CEB message (accepted: " + accepted_list() + ")"};
}

const xmlNode* child(const xmlNode* n, const char* ns, const char* name) {
  for (auto* c = n ? n->children : nullptr; c != nullptr; c = c->next)
    if (is_element(c, ns, name))
      return c;
  return nullptr;
}

std::string child_text(const xmlNode* n, const char* name) {
  return text_of(child(n, ceb_ns, name));
}

// Reads a DxpMsg: validates it, returns the decoded Data.
problem open_envelope(xmlDoc* doc, dxp_envelope& env, bytes& data) {
  if (auto p = validate_envelope(doc); p.what != fault::none)
    return p;
  auto* root = xmlDocGetRootElement(doc);
  auto* ti = child(root, dxp_ns, "TransInfo");
  env.cop_msg_id = text_of(child(ti, dxp_ns, "CopMsgId"));
  env.sender_id = text_of(child(ti, dxp_ns, "SenderId"));
  env.create_time = text_of(child(ti, dxp_ns, "CreatTime"));
  env.msg_type = text_of(child(ti, dxp_ns, "MsgType"));
  for (auto* r = child(ti, dxp_ns, "ReceiverIds")->children; r != nullptr; r = r->next)
    if (is_element(r, dxp_ns, "ReceiverId"))
      env.receiver_ids.push_back(text_of(r));
  std::string why;
  auto decoded = decode_base64(text_of(child(root, dxp_ns, "Data")), why);
  if (!decoded)
    return {fault::bad_envelope, "DxpMsg/Data", "DxpMsg/Data: not base64: " + why};
  data = std::move(*decoded);
  return {};
}

problem refuse(fault f, std::string element, std::string detail) {
  return {f, std::move(element), std::move(detail)};
}

} // namespace

parse_result parse(const uint8_t* data, size_t size, const limits& lim) {
  parse_result out;
  auto& s = schemas();
  if (!s.error.empty()) {
    out.refusal = refuse(fault::malformed_xml, "", "the CEB schemas did not load: " + s.error);
    return out;
  }
  auto outer = parse_safely(data, size, lim, "message");
  if (!outer.doc) {
    out.refusal = std::move(outer.error);
    return out;
  }
  message m;
  auto* root = xmlDocGetRootElement(outer.doc.get());
  if (root != nullptr && name_of(root) == "DxpMsg") {
    if (root->ns == nullptr || !xmlStrEqual(root->ns->href, BAD_CAST dxp_ns)) {
      out.refusal = refuse(fault::wrong_namespace, "DxpMsg",
                           std::string("DxpMsg is not in namespace ") + dxp_ns);
      return out;
    }
    dxp_envelope env;
    if (auto p = open_envelope(outer.doc.get(), env, m.business_xml); p.what != fault::none) {
      out.refusal = std::move(p);
      return out;
    }
    outer.doc.reset();
    auto inner = parse_safely(m.business_xml.data(), m.business_xml.size(), lim,
                              "business XML in DxpMsg/Data");
    if (!inner.doc) {
      out.refusal = std::move(inner.error);
      return out;
    }
    m.envelope = std::move(env);
    m.impl_->doc = std::move(inner.doc);
  } else {
    m.business_xml.assign(data, data + size);
    m.impl_->doc = std::move(outer.doc);
  }
  root = xmlDocGetRootElement(m.impl_->doc.get());
  std::optional<message_type> type;
  if (auto p = classify(root, type); p.what != fault::none) {
    out.refusal = std::move(p);
    return out;
  }
  m.type = *type;
  auto& ti = info(*type);
  std::vector<xmlNode*> docs;
  if (auto p = check_skeleton(root, ti, lim, docs); p.what != fault::none) {
    out.refusal = std::move(p);
    return out;
  }
  std::vector<std::optional<problem>> errors;
  if (auto p = validate_message(m.impl_->doc.get(), ti, lim, docs, errors);
      p.what != fault::none) {
    out.refusal = std::move(p);
    return out;
  }
  auto attr = [root](const char* n) {
    xmlChar* v = xmlGetNoNsProp(root, BAD_CAST n);
    std::string s = v ? reinterpret_cast<char*>(v) : "";
    xmlFree(v);
    return s;
  };
  m.guid = attr("guid");
  m.version = attr("version");
  auto* bt = child(root, ceb_ns, "BaseTransfer");
  m.transfer = {child_text(bt, "copCode"), child_text(bt, "copName"), child_text(bt, "dxpMode"),
                child_text(bt, "dxpId"), child_text(bt, "note")};
  for (auto* c = root->children; c != nullptr; c = c->next)
    if (is_element(c, ceb_ns, "BaseSubscribe"))
      m.subscribers.push_back({child_text(c, "status"), child_text(c, "dxpMode"),
                               child_text(c, "dxpAddress"), child_text(c, "note")});
  m.has_signature = child(root, dsig_ns, "Signature") != nullptr;
  m.documents.resize(docs.size());
  for (size_t i = 0; i < docs.size(); ++i) {
    auto& d = m.documents[i];
    d.index = static_cast<uint32_t>(i);
    d.keys = read_keys(ti, docs[i]);
    if (errors[i]) {
      d.error = std::move(errors[i]);
      continue;
    }
    if (auto p = build_record(ti, docs[i], d.index, d.record); p.what != fault::none) {
      d.record.clear();
      d.error = std::move(p);
    }
  }
  out.msg = std::move(m);
  return out;
}

std::string schema_status() {
  return schemas().error;
}

std::optional<message_type> sniff(const uint8_t* data, size_t size) {
  try {
    if (data == nullptr || size == 0)
      return std::nullopt;
    limits lim;
    auto outer = parse_safely(data, size, lim, "message");
    if (!outer.doc)
      return std::nullopt;
    auto* root = xmlDocGetRootElement(outer.doc.get());
    if (is_element(root, dxp_ns, "DxpMsg")) {
      std::string why;
      auto inner_bytes = decode_base64(text_of(child(root, dxp_ns, "Data")), why);
      if (!inner_bytes)
        return std::nullopt;
      auto inner = parse_safely(inner_bytes->data(), inner_bytes->size(), lim, "Data");
      if (!inner.doc)
        return std::nullopt;
      root = xmlDocGetRootElement(inner.doc.get());
      if (root == nullptr || root->ns == nullptr || !xmlStrEqual(root->ns->href, BAD_CAST ceb_ns))
        return std::nullopt;
      return from_root_name(name_of(root));
    }
    if (root == nullptr || root->ns == nullptr || !xmlStrEqual(root->ns->href, BAD_CAST ceb_ns))
      return std::nullopt;
    return from_root_name(name_of(root));
  } catch (...) {
    return std::nullopt;
  }
}

} // namespace hub::ceb
