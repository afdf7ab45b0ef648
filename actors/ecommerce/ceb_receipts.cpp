#include "actors/ecommerce/ceb_receipts.hpp"

#include <algorithm>

#include <capnp/message.h>

#include "actors/core/frames.hpp"
#include "adapters/ceb/ceb_receipt.hpp"
#include "schemas/notification.capnp.h"

namespace hub::ecommerce {

std::string code_info(const std::string& code, const std::string& desc) {
  return "[Code:" + code + ";Desc:" + desc + "]";
}

namespace {

wire::DocumentStatus wire_status(const std::string& s) {
  if (s == "accepted")
    return wire::DocumentStatus::ACCEPTED;
  if (s == "rejected")
    return wire::DocumentStatus::REJECTED;
  if (s == "released")
    return wire::DocumentStatus::RELEASED;
  if (s == "forExamination")
    return wire::DocumentStatus::FOR_EXAMINATION;
  if (s == "closed")
    return wire::DocumentStatus::CLOSED;
  return wire::DocumentStatus::RECEIVED;
}

/// The value of `name` in `f`, or "".
std::string field(const return_fields& f, const std::string& name) {
  for (auto& [k, v] : f)
    if (k == name && !v.empty())
      return v;
  return {};
}

/// A document the adapter could not read may lack keys its receipt must carry: guid
/// (36 characters) falls back to a fresh one, copNo to the pre-entry number.
return_fields with_mandatory(return_fields f) {
  if (field(f, "guid").size() != 36) {
    f.erase(std::remove_if(f.begin(), f.end(), [](auto& kv) { return kv.first == "guid"; }), f.end());
    f.emplace_back("guid", ceb::new_guid());
  }
  if (field(f, "copNo").empty() && !field(f, "preNo").empty())
    f.emplace_back("copNo", field(f, "preNo"));
  return f;
}

/// returnInfo is at most 1000 characters (XSD): longer texts are cut at a character.
std::string within_1000(const std::string& s) {
  size_t chars = 0, i = 0;
  while (i < s.size()) {
    if (chars == 997)
      return s.substr(0, i) + "...";
    auto c = static_cast<unsigned char>(s[i]);
    i += c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
    ++chars;
  }
  return s;
}

} // namespace

std::vector<notice> receipt_set::notices(int64_t now_ms) const {
  // Group consecutive receipts of one recipient, subject, type and hub status: a batch
  // of 100 orders answered alike becomes one CEB312Message with 100 OrderReturn.
  std::vector<notice> out;
  auto time = ceb::return_time(now_ms);
  size_t i = 0;
  while (i < items_.size()) {
    auto& first = items_[i];
    std::vector<return_fields> returns;
    std::string reason = first.reason;
    size_t j = i;
    while (j < items_.size() && returns.size() < 100 && items_[j].recipient == first.recipient
           && items_[j].subject == first.subject && items_[j].answers == first.answers
           && items_[j].hub_status == first.hub_status) {
      auto f = with_mandatory(items_[j].fields);
      f.emplace_back("returnTime", time);
      f.emplace_back("returnInfo", within_1000(items_[j].reason));
      returns.push_back(std::move(f));
      ++j;
    }
    auto xml = ceb::write_receipt(first.answers, returns);
    capnp::MallocMessageBuilder mb;
    auto n = mb.initRoot<wire::Notification>();
    n.setCreatedAt(now_ms);
    auto d = n.initDocument();
    d.setSubjectMessageId(kj::arrayPtr(first.subject.data(), first.subject.size()));
    d.setFormat("ceb-xml");
    d.setName(ceb::receipt_root_name(first.answers));
    d.setContent(kj::arrayPtr(xml.data(), xml.size()));
    d.setStatus(wire_status(first.hub_status));
    d.setReason(valid_utf8(returns.size() == 1 ? reason
                                               : std::to_string(returns.size()) + " documents: "
                                                   + reason));
    out.push_back(notice{first.recipient, to_bytes(mb)});
    i = j;
  }
  return out;
}

} // namespace hub::ecommerce
