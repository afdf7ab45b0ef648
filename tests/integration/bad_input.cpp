// Bad input against the real swhubd over loopback: every malformed or forbidden
// frame gets its own error code and changes nothing, and the hub keeps serving
// the other partners throughout (docs/protocol.md lists the codes).

#include <catch2/catch.hpp>

#include <limits>

#include <cstring>

#include "actors/core/error.hpp"
#include "actors/core/frames.hpp"
#include "actors/store/lmdb_storage.hpp"
#include "schemas/frame.capnp.h"
#include "tests/support/hub_process.hpp"
#include "tests/support/samples.hpp"

using namespace hub;
using namespace hub::test;

namespace {

/// The hub under test, so that a failure can show its log.
const hub_process* current_hub = nullptr;
std::string current_step;

std::string hub_log() {
  std::string out = " at " + current_step;
  if (current_hub == nullptr)
    return out;
  auto* h = const_cast<hub_process*>(current_hub);
  out += "\nswhubd exit status after SIGTERM: " + std::to_string(h->terminate());
  return out + "\nswhubd log:\n" + h->log();
}

outgoing declaration(const declaration_spec& spec = {}) {
  outgoing doc;
  doc.document_type = "customs.declaration";
  doc.payload = declaration_payload(spec);
  return doc;
}

/// Sends `frame` raw and returns the next receipt.
receipt raw_receipt(partner_client& c, const bytes& frame) {
  REQUIRE_FALSE(c.send_raw(frame));
  auto r = c.next_receipt(std::chrono::seconds{5});
  if (!r)
    FAIL("no receipt for a raw frame of " << frame.size() << " bytes: " << context_text(r.error()) << hub_log());
  return *r;
}

/// Submits and returns the receipt (REQUIREs one).
receipt submit(partner_client& c, const outgoing& doc) {
  auto r = c.submit(doc);
  if (!r)
    FAIL("no receipt for a " << doc.document_type << " to " << doc.recipient << " createdAt " << doc.created_at << " corr " << doc.correlation_id.size() << " id " << doc.message_id.size() << ": "
                             << context_text(r.error()) << hub_log());
  return *r;
}

void check_rejected(const receipt& r, const std::string& name) {
  INFO("reason: " << r.reason);
  CHECK(r.status == receipt::rejected);
  CHECK(r.error_name == name);
  CHECK(wire_code_name(r.error_code) == name); // code and name agree
  CHECK_FALSE(r.reason.empty());
  CHECK(r.sequence == 0);
}

} // namespace

TEST_CASE("every malformed or forbidden input gets its own error code and changes nothing "
          "while other partners are served (SR-17.2)",
          "[integration][bad-input]") {
  temp_dir dir;
  auto ent = make_party("ENT-A", "enterprise");
  auto other = make_party("ENT-B", "enterprise");
  auto agency = make_party("AGY-A", "agency");
  hub_settings s;
  s.max_frame_bytes = 64 * 1024;
  auto cfg = write_hub_config(dir, {ent, other, agency}, s);
  hub_process hubd{dir, cfg};
  current_hub = &hubd;
  zmq::context_t ctx;
  auto a = hubd.connect(ctx, ent);
  auto b = hubd.connect(ctx, other);
  auto g = hubd.connect(ctx, agency);
  size_t accepted = 0;
  // The well-behaved partner B interleaves a valid declaration after every case.
  auto b_still_served = [&] {
    declaration_spec spec;
    spec.declaration_id = "B-" + std::to_string(accepted);
    current_step += " (then B)";
    auto got = b->submit(declaration(spec));
    if (!got)
      FAIL("B: " << context_text(got.error()) << " reconnects A " << a->reconnects()
                 << " B " << b->reconnects() << " queued receipts A " << a->queued_receipts()
                 << " B " << b->queued_receipts() << hub_log());
    auto r = *got;
    REQUIRE(r.status == receipt::accepted);
    ++accepted;
  };

  SECTION("the cases") {
    current_step = "case 1";
    // 1. garbage bytes, not even whole words
    check_rejected(raw_receipt(*a, bytes{'h', 'e', 'l', 'l', 'o', '!', '\n'}), "malformed_frame");
    b_still_served();
    current_step = "case 2";
    // 2. garbage words: an impossible segment table
    check_rejected(raw_receipt(*a, bytes(64, 0xff)), "malformed_frame");
    b_still_served();
    current_step = "case 2b";
    // 2b. a segment count of 0 (first word 0xFFFFFFFF) before a valid frame's words:
    // once read as an empty hello and answered welcome (issue 16)
    auto zero_segments = build_envelope_frame("ENT-A", declaration());
    std::fill(zero_segments.begin(), zero_segments.begin() + 4, uint8_t{0xff});
    check_rejected(raw_receipt(*a, zero_segments), "malformed_frame");
    check_rejected(raw_receipt(*a, bytes{0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0}), "malformed_frame");
    b_still_served();
    current_step = "case 3";
    // 3. a truncated frame: a valid envelope cut in half
    auto full = build_envelope_frame("ENT-A", declaration());
    bytes half(full.begin(), full.begin() + static_cast<long>((full.size() / 2) & ~size_t{7}));
    check_rejected(raw_receipt(*a, half), "malformed_frame");
    b_still_served();
    current_step = "case 4";
    // 4. an oversize frame (limit 64 KiB)
    declaration_spec big;
    big.description = std::string(100 * 1024, 'x');
    current_step = "frame_too_large";
    check_rejected(submit(*a, declaration(big)), "frame_too_large");
    b_still_served();
    current_step = "case 5";
    // 5. unknown document type
    auto unknown = declaration();
    unknown.document_type = "customs.teleport";
    check_rejected(submit(*a, unknown), "unknown_document_type");
    b_still_served();
    current_step = "case 5b";
    // 5b. a documentType that is not UTF-8: the signed receipt's reason stays valid
    // UTF-8 (strict Cap'n Proto readers refuse anything else), the bad bytes escaped
    unknown.document_type = std::string{"customs.\xff\xfe-\xe4\xb8"};
    auto escaped = submit(*a, unknown);
    check_rejected(escaped, "unknown_document_type");
    CHECK(valid_utf8(escaped.reason) == escaped.reason);
    CHECK_THAT(escaped.reason, Catch::Contains("customs.\\xFF\\xFE-\\xE4\\xB8"));
    b_still_served();
    current_step = "case 6";
    // 6. spoofed sender
    auto spoof = declaration();
    spoof.sender = "ENT-B";
    check_rejected(submit(*a, spoof), "spoofed_sender");
    b_still_served();
    current_step = "case 7";
    // 7. a role that may not send this type (agency sending a declaration)
    check_rejected(submit(*g, declaration()), "role_not_allowed");
    b_still_served();
    current_step = "case 8";
    // 8. reused message id with other content
    auto first = declaration();
    first.message_id = random_message_id();
    auto ok = submit(*a, first);
    REQUIRE(ok.status == receipt::accepted);
    ++accepted;
    declaration_spec changed;
    changed.value = "9999.00";
    auto reuse = declaration(changed);
    reuse.message_id = first.message_id;
    check_rejected(submit(*a, reuse), "reused_message_id");
    b_still_served();
    current_step = "case 9";
    // 9. empty payload
    auto empty = declaration();
    empty.payload.clear();
    check_rejected(submit(*a, empty), "empty_payload");
    current_step = "case 10";
    // 10. a message id that is not 16 bytes
    auto short_id = declaration();
    short_id.message_id = bytes(8, 1);
    check_rejected(submit(*a, short_id), "bad_message_id");
    current_step = "case 11";
    // 11. a payload that is not a Cap'n Proto message
    auto junk = declaration();
    junk.payload = bytes(24, 0xff);
    check_rejected(submit(*a, junk), "malformed_payload");
    b_still_served();
    // 12-17. impossible declaration values, each with its own code
    declaration_spec hs;
    hs.hs_code = "847130";
    current_step = "invalid_hs_code";
    check_rejected(submit(*a, declaration(hs)), "invalid_hs_code");
    declaration_spec qty;
    qty.quantity = -3;
    current_step = "invalid_quantity";
    check_rejected(submit(*a, declaration(qty)), "invalid_quantity");
    declaration_spec cur;
    cur.currency = "ABC";
    current_step = "unknown_currency";
    check_rejected(submit(*a, declaration(cur)), "unknown_currency");
    declaration_spec country;
    country.origin = "ZZ";
    current_step = "unknown_country";
    check_rejected(submit(*a, declaration(country)), "unknown_country");
    declaration_spec weight;
    weight.gross_kg = 1.0; // below net 12.5
    current_step = "invalid_weight";
    check_rejected(submit(*a, declaration(weight)), "invalid_weight");
    declaration_spec amount;
    amount.value = "12.345";
    current_step = "invalid_amount";
    check_rejected(submit(*a, declaration(amount)), "invalid_amount");
    declaration_spec items;
    items.items = 51;
    current_step = "too_many_items";
    check_rejected(submit(*a, declaration(items)), "too_many_items");
    b_still_served();
    current_step = "case 18";
    // 18. unknown recipient
    outgoing msg;
    msg.document_type = "trade.message";
    msg.payload = trade_message_payload("hello");
    msg.recipient = "NOBODY";
    check_rejected(submit(*a, msg), "unknown_recipient");
    current_step = "case 19";
    // 19. a recipient whose role may not receive the type (declaration to an agency)
    auto to_agency = declaration();
    to_agency.recipient = "AGY-A";
    check_rejected(submit(*a, to_agency), "role_not_allowed");
    current_step = "case 20";
    // 20. a timestamp from 1970
    auto old = declaration();
    old.created_at = 1000;
    check_rejected(submit(*a, old), "bad_timestamp");
    // ...and timestamps at the ends of the range (the skew must not overflow)
    for (int64_t extreme : {std::numeric_limits<int64_t>::min() + 1, std::numeric_limits<int64_t>::max()}) {
      auto odd = declaration();
      odd.created_at = extreme;
      check_rejected(submit(*a, odd), "bad_timestamp");
    }
    b_still_served();
    current_step = "case 21";
    // 21. a frame kind partners may not send (a receipt)
    capnp::MallocMessageBuilder mb;
    mb.initRoot<wire::Frame>().initReceipt().setReason("I am the hub");
    check_rejected(raw_receipt(*a, to_bytes(mb)), "unexpected_frame");
    current_step = "case 22";
    // 22. two message parts in one ZeroMQ message
    auto& sock = a->socket();
    sock.send(zmq::str_buffer("part-one"), zmq::send_flags::sndmore);
    sock.send(zmq::buffer(full), zmq::send_flags::none);
    auto multi = a->next_receipt(std::chrono::seconds{5});
    REQUIRE(multi);
    check_rejected(*multi, "unexpected_frame");
    current_step = "case 23";
    // 23. an acknowledgement for a notification that does not exist
    REQUIRE_FALSE(a->ack(987654321));
    auto bad_ack = a->next_receipt(std::chrono::seconds{5});
    REQUIRE(bad_ack);
    check_rejected(*bad_ack, "unknown_notification");
    current_step = "case 24";
    // 24. a correlation id of the wrong length
    auto corr = declaration();
    corr.correlation_id = bytes(5, 7);
    check_rejected(submit(*a, corr), "bad_message_id");
    b_still_served();
    // Nothing the rejected inputs carried was stored: exactly the accepted ones are.
    REQUIRE(hubd.terminate() == 0);
    lmdb_options o;
    o.dir = dir.file("data");
    o.read_only = true;
    auto db = lmdb_storage::open(o);
    REQUIRE(db);
    auto counts = (*db)->counts();
    CHECK(counts["documents"] == accepted);
    CHECK(counts["dedupe"] == accepted);
    CHECK(counts["outbox"] == 0);
  }
}

TEST_CASE("a connection with an unregistered CURVE key is refused while registered "
          "partners are served", "[integration][bad-input]") {
  temp_dir dir;
  auto ent = make_party("ENT-A", "enterprise");
  hub_process hubd{dir, write_hub_config(dir, {ent})};
  zmq::context_t ctx;
  auto stranger = make_party("STRANGER", "enterprise");
  auto o = hubd.options_for(stranger);
  o.timeout = std::chrono::milliseconds{1500};
  auto refused = partner_client::connect(ctx, o);
  REQUIRE_FALSE(refused);
  CHECK_THAT(context_text(refused.error()), Catch::Contains("no welcome"));
  zmq::context_t ctx2;
  auto a = hubd.connect(ctx2, ent);
  auto r = a->submit(declaration());
  REQUIRE(r);
  CHECK(r->status == receipt::accepted);
}
