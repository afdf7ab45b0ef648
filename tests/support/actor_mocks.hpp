#pragma once
// Mocks for actor-level tests on the deterministic scheduler (caf-0.17-guide.md §11.5):
// each implements a real interface and records what it was given into a probe the
// test keeps, and helpers that build documents the way a partner and intake do.

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <caf/typed_event_based_actor.hpp>

#include "actors/actors.hpp"
#include "actors/core/frames.hpp"
#include "actors/core/partner_link.hpp"

namespace hub::test {

/// What a recording outbox was asked to deliver; outlives the mock.
struct outbox_probe {
  struct document { uint64_t id; std::string to; uint64_t sequence; };
  struct status { uint64_t id; std::string to; bytes notification; };
  std::vector<document> documents; ///< committed routed documents (from intake)
  std::vector<status> statuses;    ///< committed status notifications (from the desks)
};

/// Mock OUTBOX: records deliveries; acks and hellos are not expected.
outbox_actor::behavior_type recording_outbox(outbox_actor::pointer self,
                                             std::shared_ptr<outbox_probe> seen);

/// A partner_link that records every receipt, reply and push instead of sending it.
/// Thread-safe like the real one (it only takes a lock).
class recording_link : public partner_link {
public:
  struct sent_receipt { bytes route; receipt_info r; };
  bool reply(const bytes& route, bytes frame) override;
  bool receipt(const bytes& route, receipt_info r) override;
  bool to_party(const std::string& party, bytes frame) override;
  /// Copies of what was recorded so far.
  std::vector<sent_receipt> receipts() const;
  size_t replies() const;

private:
  mutable std::mutex m_;
  std::vector<sent_receipt> receipts_;
  std::vector<std::pair<bytes, bytes>> replies_;
};

/// The envelope fields a test chooses; the rest are what a partner client sets.
struct envelope_spec {
  std::string sender;
  std::string recipient = "hub";
  std::string document_type;
  bytes payload;
  bytes message_id; ///< empty: a fresh random id
};

/// A partner frame (a Frame holding an unsigned Envelope, created now).
bytes envelope_frame(const envelope_spec& e);

/// A document as intake hands it to a desk once it checked and de-duplicated it: the
/// frame, the content digest, sender, type and recipient.
document_write checked_document(const envelope_spec& e);

} // namespace hub::test
