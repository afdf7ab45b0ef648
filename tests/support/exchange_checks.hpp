#pragma once
// Checks integration tests share when they exchange documents with the real hub:
// build an outgoing document, submit it and require a receipt of the expected kind,
// and wait for a notification (acknowledging everything seen on the way).

#include <chrono>
#include <string>
#include <thread>

#include <catch2/catch.hpp>

#include "actors/core/error.hpp"
#include "adapters/zmq/client.hpp"

namespace hub::test {

/// A document of `type` with a fresh message id.
inline outgoing doc(const std::string& type, bytes payload) {
  outgoing d;
  d.document_type = type;
  d.payload = std::move(payload);
  d.message_id = random_message_id();
  return d;
}

/// The receipt for `d` (FAILs on a transport error).
inline receipt submit(partner_client& c, const outgoing& d) {
  auto r = c.submit(d);
  if (!r)
    FAIL(error_name(r.error()) << ": " << context_text(r.error()));
  return *r;
}

inline void accepted(partner_client& c, const outgoing& d) {
  auto r = submit(c, d);
  INFO(r.error_name << ": " << r.reason);
  REQUIRE(r.status == receipt::accepted);
}

/// The error name of the rejection `d` must get.
inline std::string refused(partner_client& c, const outgoing& d) {
  auto r = submit(c, d);
  INFO(r.reason);
  REQUIRE(r.status == receipt::rejected);
  return r.error_name;
}

/// The next notification matching `pred`, acknowledging every one seen; FAILs after
/// `limit` naming what was seen instead.
template <class Pred>
notification wait_for(partner_client& c, Pred pred, const std::string& what,
                      std::chrono::milliseconds limit = std::chrono::seconds{10}) {
  std::string seen;
  auto until = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < until) {
    auto n = c.next_notification(std::chrono::milliseconds{200});
    if (!n)
      continue;
    c.ack(n->id);
    seen += " [" + n->declaration_id + ":" + n->status + (n->is_delivery ? " delivery" : "") + "]";
    if (pred(*n))
      return *n;
  }
  FAIL("no " << what << "; seen:" << seen);
  return {};
}

/// The status notification `status` about the declarant's `declaration_id`.
inline notification wait_status(partner_client& c, const std::string& declaration_id, const std::string& status,
                                std::chrono::milliseconds limit = std::chrono::seconds{10}) {
  return wait_for(c, [&](const notification& n) { return n.declaration_id == declaration_id && n.status == status; },
                  status + " for " + declaration_id, limit);
}

/// Polls `c`'s status query about `d` until the case's last event mentions `text`
/// (notifications arriving meanwhile stay queued for the next wait).
inline status_reply wait_reason(partner_client& c, const outgoing& d, const std::string& text,
                                std::chrono::milliseconds limit = std::chrono::seconds{20}) {
  status_reply s;
  for (auto until = std::chrono::steady_clock::now() + limit; std::chrono::steady_clock::now() < until;
       std::this_thread::sleep_for(std::chrono::milliseconds{100})) {
    auto r = c.query_status(d.message_id);
    if (!r)
      FAIL("status query: " << error_name(r.error()) << ": " << context_text(r.error()));
    s = *r;
    if (s.reason.find(text) != std::string::npos)
      return s;
  }
  FAIL("declaration " << s.declaration_id << " never reached \"" << text << "\"; last: " << s.status << ", "
                      << s.reason);
  return s;
}

} // namespace hub::test
