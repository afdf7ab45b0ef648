#include "tests/support/actor_mocks.hpp"

#include <catch2/catch.hpp>

#include <caf/all.hpp>

#include "actors/crypto/digest.hpp"
#include "adapters/zmq/client.hpp"

namespace hub::test {

outbox_actor::behavior_type recording_outbox(outbox_actor::pointer,
                                             std::shared_ptr<outbox_probe> seen) {
  return {
    [](atom::status) { return std::string{"recording outbox"}; },
    [seen](atom::deliver, uint64_t id, std::string& to, uint64_t sequence) {
      seen->documents.push_back({id, std::move(to), sequence});
    },
    [seen](atom::deliver, uint64_t id, std::string& to, bytes& notification) {
      seen->statuses.push_back({id, std::move(to), std::move(notification)});
    },
    [](atom::ack, std::string&, std::vector<uint64_t>&, bytes&) { FAIL("unexpected ack"); },
    [](atom::flush) { FAIL("unexpected flush"); },
    [](atom::online, std::string&, bytes&) { FAIL("unexpected online"); },
    [](atom::resend) {},
  };
}

bool recording_link::reply(const bytes& route, bytes frame) {
  std::lock_guard<std::mutex> g{m_};
  replies_.emplace_back(route, std::move(frame));
  return true;
}

bool recording_link::receipt(const bytes& route, receipt_info r) {
  std::lock_guard<std::mutex> g{m_};
  receipts_.push_back({route, std::move(r)});
  return true;
}

bool recording_link::to_party(const std::string&, bytes) {
  FAIL("unexpected push to a party");
  return false;
}

std::vector<recording_link::sent_receipt> recording_link::receipts() const {
  std::lock_guard<std::mutex> g{m_};
  return receipts_;
}

size_t recording_link::replies() const {
  std::lock_guard<std::mutex> g{m_};
  return replies_.size();
}

bytes envelope_frame(const envelope_spec& e) {
  outgoing o;
  o.recipient = e.recipient;
  o.document_type = e.document_type;
  o.payload = e.payload;
  o.message_id = e.message_id.empty() ? random_message_id() : e.message_id;
  return build_envelope_frame(e.sender, o);
}

document_write checked_document(const envelope_spec& e) {
  document_write w;
  w.sender = e.sender;
  w.message_id = e.message_id.empty() ? random_message_id() : e.message_id;
  w.document_type = e.document_type;
  w.recipient = e.recipient;
  w.deliver = e.recipient != "hub";
  w.digest = content_digest(e.document_type, e.recipient, {}, e.payload.data(), e.payload.size());
  auto with_id = e;
  with_id.message_id = w.message_id;
  w.frame = envelope_frame(with_id);
  return w;
}

} // namespace hub::test
