#include "actors/ecommerce/ceb_reader.hpp"

#include <cstring>

#include <caf/all.hpp>

#include "actors/core/error.hpp"
#include "actors/core/frames.hpp"
#include "actors/ecommerce/ceb_batch.hpp"
#include "actors/ecommerce/ceb_receipts.hpp"
#include "adapters/ceb/xml_signature.hpp"
#include "schemas/ecommerce.capnp.h"
#include "schemas/frame.capnp.h"

namespace hub::ecommerce {

struct signer_cache::impl {
  std::map<std::string, ceb::signer_identity> by_code;
};

caf::expected<std::shared_ptr<const signer_cache>> signer_cache::build(const ecommerce_config& cfg) {
  auto p = std::make_shared<impl>();
  for (auto& e : cfg.enterprises) {
    if (e.certificate.empty())
      continue;
    auto id = ceb::signer_identity::from_pem(e.certificate);
    if (!id)
      return caf::make_error(ec::invalid_config, "enterprise " + e.code + " certificate-file "
                                                   + e.certificate_file + ": " + id.error);
    p->by_code.emplace(e.code, std::move(*id.identity));
  }
  auto c = std::make_shared<signer_cache>();
  c->p = p;
  return std::shared_ptr<const signer_cache>{c};
}

namespace {

errc code_of(ceb::fault f) {
  switch (f) {
    case ceb::fault::malformed_xml:
    case ceb::fault::bad_envelope: return errc::ceb_malformed;
    case ceb::fault::forbidden_markup: return errc::ceb_forbidden_markup;
    case ceb::fault::too_large:
    case ceb::fault::too_deep:
    case ceb::fault::too_many: return errc::ceb_too_large;
    case ceb::fault::wrong_namespace:
    case ceb::fault::unknown_root: return errc::ceb_wrong_root;
    case ceb::fault::older_layout: return errc::ceb_older_layout;
    default: return errc::ceb_schema_invalid;
  }
}

const char* fault_name(ceb::fault f) {
  switch (f) {
    case ceb::fault::missing_element: return "missing element";
    case ceb::fault::older_layout: return "older layout";
    case ceb::fault::unexpected_element: return "unexpected element";
    case ceb::fault::bad_length: return "wrong length";
    case ceb::fault::bad_decimal: return "not an N19,5 decimal";
    case ceb::fault::out_of_range: return "out of range";
    default: return "not allowed";
  }
}

/// Elements holding a buyer's or payer's personal data: a refusal names the element
/// and the rule but never quotes the value (it may go to subscribers; SR-15, §6).
bool personal(const std::string& element) {
  for (auto* name : {"buyerIdNumber", "buyerName", "buyerTelephone", "buyerRegNo", "payerIdNumber",
                     "payerName", "telephone", "consignee", "consigneeTelephone",
                     "consigneeAddress"})
    if (element.size() >= std::strlen(name)
        && element.compare(element.size() - std::strlen(name), std::string::npos, name) == 0)
      return true;
  return false;
}

std::string where(const ceb::problem& p) {
  if (personal(p.element))
    return p.element + ": " + fault_name(p.what) + " (personal data: the value is not quoted)";
  if (p.element.empty() || p.detail.compare(0, p.element.size(), p.element) == 0)
    return p.detail; // the adapter's detail names the element already
  return p.element + ": " + p.detail;
}

struct reader_state {
  reader_deps d;
  static inline const char* name = "ceb-reader";
};

using reader_ptr = caf::typed_actor<status_sig, lodge_sig>::stateful_pointer<reader_state>;

/// The checks of the message as a whole; fills `b` or fails with the partner's error.
caf::error read_message(reader_state& st, const document_write& w, ceb_batch& b) {
  auto& cfg = *st.d.cfg;
  // The XML is read where it lies in the frame (intake checked the frame; `w` outlives
  // the parse, which copies what it keeps into its own tree).
  auto frame = aligned_message::view(w.frame.data(), w.frame.size());
  if (!frame)
    return frame.error();
  ceb::parse_result parsed;
  auto err = with_root<wire::Frame>(*frame, ec::malformed_frame, [&](wire::Frame::Reader f) -> caf::error {
    auto p = f.getEnvelope().getPayload();
    auto msg = aligned_message::view(p.begin(), p.size(), ec::malformed_payload);
    if (!msg)
      return msg.error();
    return with_root<wire::CebMessage>(*msg, ec::malformed_payload, [&](wire::CebMessage::Reader m) {
      auto xml = m.getXml();
      parsed = ceb::parse(xml.begin(), xml.size(), cfg.limits);
      return caf::error{};
    });
  });
  if (err)
    return err;
  if (!parsed.msg)
    return caf::make_error(code_of(parsed.refusal.what), where(parsed.refusal));
  auto& m = *parsed.msg;
  // The document type the sender named must be the message's.
  auto expected = std::string{"ecommerce."} + ceb::short_name(m.type);
  if (w.document_type != expected)
    return caf::make_error(errc::ceb_wrong_root, std::string{"the message is a "}
                                                   + ceb::root_name(m.type) + ", sent as "
                                                   + w.document_type + " (send it as " + expected
                                                   + ")");
  b.type = m.type;
  b.party = w.sender;
  // Who may send: an enterprise registered for this party; copCode its own or one it
  // transmits for; a DxpMsg from its DXP account.
  auto mine = cfg.of_party(w.sender);
  if (mine.empty())
    return caf::make_error(errc::ceb_unknown_sender,
                           "party " + w.sender + " has no CEB enterprise ([[enterprise]] party = \""
                             + w.sender + "\" in the e-commerce config)");
  const enterprise* sender = nullptr;
  for (auto* e : mine) {
    b.sender_codes.push_back(e->code);
    for (auto& t : e->transmits_for)
      b.sender_codes.push_back(t);
    if (e->code == m.transfer.cop_code)
      sender = e;
  }
  if (sender == nullptr)
    for (auto* e : mine)
      for (auto& t : e->transmits_for)
        if (t == m.transfer.cop_code && sender == nullptr)
          sender = e;
  if (sender == nullptr)
    return caf::make_error(errc::ceb_not_transmitter,
                           "BaseTransfer/copCode " + m.transfer.cop_code + " is not " + w.sender
                             + "'s code nor one it transmits for");
  b.cop_code = m.transfer.cop_code;
  if (m.envelope && !sender->dxp_id.empty() && m.envelope->sender_id != sender->dxp_id)
    return caf::make_error(errc::ceb_dxp_sender, "DxpMsg/TransInfo/SenderId "
                                                   + m.envelope->sender_id + " is not "
                                                   + sender->code + "'s DXP account "
                                                   + sender->dxp_id);
  // Signature: required per type (default as the XSD) or per enterprise.
  bool required = sender->signature == "required"
                  || (sender->signature.empty()
                      && cfg.signature_required.count(ceb::root_name(m.type)) > 0);
  if (!m.has_signature) {
    if (required)
      return caf::make_error(errc::ceb_signature_missing,
                             std::string{ceb::root_name(m.type)} + " from " + sender->code
                               + " must carry a ds:Signature (the enveloped XML signature of its "
                                 "USB key or signing server)");
  } else {
    auto& signers = st.d.signers->p->by_code;
    auto id = signers.find(sender->code);
    if (id == signers.end())
      return caf::make_error(errc::ceb_foreign_certificate,
                             "the message is signed but " + sender->code
                               + " has no registered certificate to check it against");
    auto c = ceb::verify_enveloped(m.xml_doc(), id->second);
    switch (c.fault) {
      case ceb::signature_fault::none: break;
      case ceb::signature_fault::missing:
        return caf::make_error(errc::ceb_signature_missing, c.detail);
      case ceb::signature_fault::malformed:
      case ceb::signature_fault::unsupported_method:
        return caf::make_error(errc::ceb_signature_method, c.detail);
      case ceb::signature_fault::digest_mismatch:
        return caf::make_error(errc::ceb_digest_mismatch, c.detail);
      case ceb::signature_fault::bad_signature_value:
        return caf::make_error(errc::ceb_bad_signature, c.detail);
      case ceb::signature_fault::foreign_certificate:
        return caf::make_error(errc::ceb_foreign_certificate, c.detail);
    }
    b.signature_way = c.way;
    b.signature_method = c.signature_method;
  }
  // Subscribers named in BaseSubscribe: receipts (RET or ALL) to the party that owns
  // that DXP account.
  for (auto& s : m.subscribers) {
    if (s.status != "RET" && s.status != "ALL")
      continue;
    for (auto& e : cfg.enterprises)
      if (!e.dxp_id.empty() && e.dxp_id == s.dxp_address && !e.party.empty())
        b.subscribers.push_back(e.party);
  }
  for (auto& d : m.documents) {
    ceb_doc cd;
    cd.index = d.index;
    cd.keys = d.keys;
    if (d.error) {
      cd.error = d.error->what == ceb::fault::older_layout ? errc::ceb_older_layout
                                                           : errc::ceb_document_invalid;
      cd.detail = std::string{fault_name(d.error->what)} + ": " + where(*d.error);
    } else {
      cd.record = std::move(d.record);
    }
    b.docs.push_back(std::move(cd));
  }
  return caf::none;
}

} // namespace

lodge_actor spawn_ceb_reader(caf::actor_system& sys, reader_deps deps) {
  auto fn = [](reader_ptr self, reader_deps d) -> caf::typed_actor<status_sig, lodge_sig>::behavior_type {
    self->state.d = std::move(d);
    return {
      [self](atom::status) -> std::string { return "ceb reader"; },
      [self](atom::lodge, document_write& w) -> caf::result<document_commit> {
        auto b = std::make_shared<ceb_batch>();
        if (auto err = read_message(self->state, w, *b))
          return err;
        // The matcher answers intake directly: no promise, no second timeout here.
        return self->delegate(self->state.d.matcher, atom::lodge_v, std::move(w),
                              ceb_batch_ref{std::move(b)});
      },
    };
  };
  return caf::actor_cast<lodge_actor>(sys.spawn(fn, std::move(deps)));
}

} // namespace hub::ecommerce
