// The exchange itself over the real swhubd: receipts after commit, the same receipt
// for a re-send, status queries limited to the caller's own messages, and documents
// routed to a recipient through the durable outbox until acknowledged.

#include <catch2/catch.hpp>

#include <algorithm>
#include <thread>

#include <capnp/message.h>

#include "actors/core/error.hpp"
#include "actors/core/frames.hpp"
#include "schemas/frame.capnp.h"
#include "tests/support/hub_process.hpp"
#include "tests/support/samples.hpp"

using namespace hub;
using namespace hub::test;

namespace {

outgoing declaration(const std::string& id = "DECL-1") {
  return declaration_doc(id);
}

outgoing message_to(const std::string& recipient, const std::string& subject) {
  outgoing doc;
  doc.document_type = "trade.message";
  doc.payload = trade_message_payload(subject, "body of " + subject);
  doc.recipient = recipient;
  doc.message_id = random_message_id();
  return doc;
}

} // namespace

TEST_CASE("a re-sent document gets the original receipt and is stored once",
          "[integration][dedupe]") {
  temp_dir dir;
  auto ent = make_party("ENT-A", "enterprise");
  hub_process hubd{dir, write_hub_config(dir, {ent})};
  zmq::context_t ctx;
  auto c = hubd.connect(ctx, ent);
  auto doc = declaration();
  auto first = c->submit(doc);
  if (!first)
    FAIL(error_name(first.error()) << ": " << context_text(first.error()) << hubd.log());
  REQUIRE(first->status == receipt::accepted);
  CHECK(first->sequence == 1);
  CHECK(first->digest.size() == 32);
  doc.created_at = 0; // a retry with a fresh clock is still the same document
  auto again = c->submit(doc);
  REQUIRE(again);
  CHECK(again->status == receipt::duplicate);
  CHECK(again->sequence == first->sequence);
  CHECK(again->digest == first->digest);
  CHECK(again->hub_time == first->hub_time);
  // The next new document gets the next sequence: the duplicate consumed none.
  auto next = c->submit(declaration("DECL-2"));
  REQUIRE(next);
  CHECK(next->sequence == 2);
}

TEST_CASE("identical copies sent back to back are committed once and all answered",
          "[integration][dedupe]") {
  temp_dir dir;
  auto ent = make_party("ENT-A", "enterprise");
  hub_process hubd{dir, write_hub_config(dir, {ent})};
  zmq::context_t ctx;
  auto c = hubd.connect(ctx, ent);
  auto doc = declaration();
  for (int i = 0; i < 5; ++i)
    REQUIRE_FALSE(c->send_envelope(doc));
  int accepted = 0, duplicates = 0;
  uint64_t seq = 0;
  for (int i = 0; i < 5; ++i) {
    auto r = c->next_receipt(std::chrono::seconds{5});
    REQUIRE(r);
    if (r->status == receipt::accepted)
      ++accepted;
    if (r->status == receipt::duplicate)
      ++duplicates;
    if (seq == 0)
      seq = r->sequence;
    CHECK(r->sequence == seq);
  }
  CHECK(accepted == 1);
  CHECK(duplicates == 4);
}

TEST_CASE("a party sees the status of its own messages only", "[integration][status]") {
  temp_dir dir;
  auto a = make_party("ENT-A", "enterprise");
  auto b = make_party("ENT-B", "enterprise");
  hub_process hubd{dir, write_hub_config(dir, {a, b})};
  zmq::context_t ctx;
  auto ca = hubd.connect(ctx, a);
  auto cb = hubd.connect(ctx, b);
  auto doc = declaration();
  auto r = ca->submit(doc);
  REQUIRE(r);
  auto mine = ca->query_status(doc.message_id);
  REQUIRE(mine);
  CHECK(mine->status == "accepted");
  CHECK(mine->sequence == r->sequence);
  CHECK(mine->document_type == "customs.declaration");
  auto theirs = cb->query_status(doc.message_id);
  REQUIRE(theirs);
  CHECK(theirs->status == "unknown");
  CHECK(theirs->sequence == 0);
}

TEST_CASE("a routed document is re-sent with the same id until acknowledged, also "
          "across a restart, and then shows as delivered",
          "[integration][outbox]") {
  temp_dir dir;
  auto a = make_party("ENT-A", "enterprise");
  auto b = make_party("ENT-B", "enterprise");
  hub_settings s;
  s.resend_interval_ms = 300;
  auto cfg = write_hub_config(dir, {a, b}, s);
  auto doc = message_to("ENT-B", "licence question");
  uint64_t nid = 0;
  {
    hub_process hubd{dir, cfg};
    zmq::context_t ctx;
    auto ca = hubd.connect(ctx, a);
    auto cb = hubd.connect(ctx, b);
    auto r = ca->submit(doc);
    REQUIRE(r);
    REQUIRE(r->status == receipt::accepted);
    auto n1 = cb->next_notification(std::chrono::seconds{5});
    REQUIRE(n1);
    CHECK(n1->is_delivery);
    CHECK(n1->sender == "ENT-A");
    CHECK(n1->message_id == doc.message_id);
    CHECK(n1->payload == doc.payload);
    CHECK(n1->sequence == r->sequence);
    nid = n1->id;
    // Not acknowledged: it comes again, with the same id.
    auto n2 = cb->next_notification(std::chrono::seconds{5});
    REQUIRE(n2);
    CHECK(n2->id == nid);
    REQUIRE(hubd.terminate() == 0);
  }
  hub_process hubd{dir, cfg};
  zmq::context_t ctx;
  auto cb = hubd.connect(ctx, b);
  CHECK(cb->pending_notifications() == 1);
  auto n3 = cb->next_notification(std::chrono::seconds{5});
  REQUIRE(n3);
  CHECK(n3->id == nid);
  REQUIRE_FALSE(cb->ack(nid));
  auto ca = hubd.connect(ctx, a);
  // The ack is committed asynchronously; the sender's status turns to delivered.
  std::string status;
  for (int i = 0; i < 100 && status != "delivered"; ++i) {
    auto st = ca->query_status(doc.message_id);
    REQUIRE(st);
    status = st->status;
    if (status != "delivered")
      std::this_thread::sleep_for(std::chrono::milliseconds{20});
  }
  CHECK(status == "delivered");
  // After the ack nothing is re-sent.
  auto none = cb->next_notification(std::chrono::milliseconds{800});
  CHECK_FALSE(none);
  // And a fresh connection has nothing pending.
  auto cb2 = hubd.connect(ctx, b);
  CHECK(cb2->pending_notifications() == 0);
}


namespace {

/// The distinct notification ids `c` receives until it has `n` (re-sends come with
/// the same id).
std::vector<uint64_t> distinct_notifications(partner_client& c, size_t n) {
  std::vector<uint64_t> ids;
  while (ids.size() < n) {
    auto x = c.next_notification(std::chrono::seconds{5});
    REQUIRE(x);
    if (std::find(ids.begin(), ids.end(), x->id) == ids.end())
      ids.push_back(x->id);
  }
  return ids;
}

/// Waits until every message in `ids` shows as delivered to its sender `c`.
bool all_delivered(partner_client& c, const std::vector<bytes>& ids) {
  for (int i = 0; i < 200; ++i) {
    bool all = true;
    for (auto& id : ids) {
      auto st = c.query_status(id);
      REQUIRE(st);
      all = all && st->status == "delivered";
    }
    if (all)
      return true;
    std::this_thread::sleep_for(std::chrono::milliseconds{20});
  }
  return false;
}

} // namespace

TEST_CASE("one ack frame acknowledges up to 1000 notifications: each unknown id in it is "
          "refused on its own, the client splits a longer list, and a frame over 1000 ids is "
          "refused whole and acknowledges nothing",
          "[integration][outbox]") {
  temp_dir dir;
  auto a = make_party("ENT-A", "enterprise");
  auto b = make_party("ENT-B", "enterprise");
  hub_settings s;
  s.resend_interval_ms = 300;
  hub_process hubd{dir, write_hub_config(dir, {a, b}, s)};
  zmq::context_t ctx;
  auto ca = hubd.connect(ctx, a);
  auto cb = hubd.connect(ctx, b);
  std::vector<bytes> sent;
  for (int i = 0; i < 5; ++i) {
    auto doc = message_to("ENT-B", "batch " + std::to_string(i));
    auto r = ca->submit(doc);
    REQUIRE(r);
    REQUIRE(r->status == receipt::accepted);
    sent.push_back(doc.message_id);
  }
  auto ids = distinct_notifications(*cb, 5);

  // Over the limit: 1,001 ids (the five real ones among them) in one frame.
  capnp::MallocMessageBuilder mb;
  auto ack = mb.initRoot<wire::Frame>().initAck();
  ack.setNotificationId(ids[0]);
  auto more = ack.initMore(max_ack_ids);
  for (unsigned i = 0; i < max_ack_ids; ++i)
    more.set(i, i < 4 ? ids[i + 1] : 900000000u + i);
  REQUIRE_FALSE(cb->send_raw(to_bytes(mb)));
  auto refused = cb->next_receipt(std::chrono::seconds{5});
  REQUIRE(refused);
  CHECK(refused->error_name == "malformed_frame");
  CHECK(refused->reason.find("at most 1000") != std::string::npos);
  std::this_thread::sleep_for(std::chrono::milliseconds{300});
  for (auto& id : sent) { // nothing of it was acknowledged
    auto st = ca->query_status(id);
    REQUIRE(st);
    CHECK(st->status != "delivered");
  }

  // ack() splits 1,001 ids into a frame of exactly 1,000 and one of 1: four real ids
  // and 996 that were never sent in the first, the fifth real one in the second. Each
  // unknown id is refused on its own; the five are acknowledged.
  std::vector<uint64_t> list(ids.begin(), ids.begin() + 4);
  for (uint64_t i = 0; i < 996; ++i)
    list.push_back(900000000u + i);
  list.push_back(ids[4]);
  REQUIRE(list.size() == max_ack_ids + 1);
  REQUIRE_FALSE(cb->ack(list));
  size_t unknown = 0;
  while (unknown < 996) {
    auto r = cb->next_receipt(std::chrono::seconds{5});
    if (!r)
      break;
    CHECK(r->error_name == "unknown_notification");
    ++unknown;
  }
  CHECK(unknown == 996);
  CHECK(all_delivered(*ca, sent));
  // The outbox forgets an entry when the store's answer comes back, just after the
  // commit the status query sees.
  size_t pending = 1;
  for (int i = 0; i < 100 && pending != 0; ++i) {
    pending = hubd.connect(ctx, b)->pending_notifications();
    if (pending != 0)
      std::this_thread::sleep_for(std::chrono::milliseconds{20});
  }
  CHECK(pending == 0);
  auto more_receipts = cb->next_receipt(std::chrono::milliseconds{300});
  CHECK_FALSE(more_receipts); // no malformed_frame for the split list, nothing for the five
}

TEST_CASE("beyond intake.max-in-flight the hub answers hub_busy at once, and the same "
          "messages sent again later are accepted", "[integration][overload]") {
  temp_dir dir;
  auto ent = make_party("ENT-A", "enterprise");
  hub_settings s;
  s.max_in_flight = 2;
  hub_process hubd{dir, write_hub_config(dir, {ent}, s)};
  zmq::context_t ctx;
  auto c = hubd.connect(ctx, ent);
  std::map<bytes, outgoing> sent;
  for (int i = 0; i < 200; ++i) {
    auto doc = declaration("BURST-" + std::to_string(i));
    REQUIRE_FALSE(c->send_envelope(doc));
    sent.emplace(doc.message_id, doc);
  }
  std::vector<outgoing> busy;
  size_t accepted = 0;
  for (int i = 0; i < 200; ++i) {
    auto r = c->next_receipt(std::chrono::seconds{5});
    REQUIRE(r);
    if (r->status == receipt::accepted) {
      ++accepted;
    } else {
      REQUIRE(r->error_name == "hub_busy");
      CHECK(r->retryable);
      busy.push_back(sent.at(r->message_id));
    }
  }
  CHECK(accepted >= 2);
  CHECK_FALSE(busy.empty()); // 200 at once cannot all fit in 2 slots
  for (auto& doc : busy) {   // one at a time fits
    auto r = c->submit(doc);
    REQUIRE(r);
    CHECK(r->status == receipt::accepted);
  }
}
