// Payload decoding limits and business validation of the known document types.

#include <catch2/catch.hpp>

#include "actors/core/error.hpp"
#include "actors/core/frames.hpp"
#include "actors/intake/document_types.hpp"
#include "schemas/declaration.capnp.h"
#include "tests/support/samples.hpp"

using namespace hub;
using namespace hub::test;

namespace {

ec check(const bytes& payload, size_t max_items = 50) {
  auto* t = find_document_type("customs.declaration");
  REQUIRE(t != nullptr);
  return code_of(validate_payload(*t, payload.data(), payload.size(),
                                  validation_limits{max_items}));
}

} // namespace

TEST_CASE("a valid declaration passes", "[intake][validation]") {
  CHECK(check(declaration_payload()) == ec::none);
}

TEST_CASE("each impossible declaration value has its own code", "[intake][validation]") {
  declaration_spec s;
  s.hs_code = "84713000";
  CHECK(check(declaration_payload(s)) == ec::invalid_hs_code);
  s = {};
  s.hs_code = "84713000AB";
  CHECK(check(declaration_payload(s)) == ec::invalid_hs_code);
  s = {};
  s.quantity = 0;
  CHECK(check(declaration_payload(s)) == ec::invalid_quantity);
  s = {};
  s.quantity = std::nan("");
  CHECK(check(declaration_payload(s)) == ec::invalid_quantity);
  s = {};
  s.net_kg = -1;
  CHECK(check(declaration_payload(s)) == ec::invalid_weight);
  s = {};
  s.value = "0.00";
  CHECK(check(declaration_payload(s)) == ec::invalid_amount);
  s = {};
  s.value = "-5";
  CHECK(check(declaration_payload(s)) == ec::invalid_amount);
  s = {};
  s.currency = "usd";
  CHECK(check(declaration_payload(s)) == ec::unknown_currency);
  s = {};
  s.origin = "XX";
  CHECK(check(declaration_payload(s)) == ec::unknown_country);
  s = {};
  s.customs_unit = "22";
  CHECK(check(declaration_payload(s)) == ec::invalid_field);
  s = {};
  s.declaration_id = "";
  CHECK(check(declaration_payload(s)) == ec::missing_field);
  s = {};
  s.items = 0;
  CHECK(check(declaration_payload(s)) == ec::missing_field);
  s = {};
  s.items = 3;
  CHECK(check(declaration_payload(s), 2) == ec::too_many_items);
}

TEST_CASE("payloads that are not the type's Cap'n Proto message are malformed_payload",
          "[intake][validation][codec]") {
  CHECK(check(bytes{}) == ec::empty_payload);
  CHECK(check(bytes(7, 0)) == ec::malformed_payload);     // not whole words
  CHECK(check(bytes(32, 0xff)) == ec::malformed_payload); // impossible segment table
  CHECK(check(bytes(24, 0xff)) == ec::malformed_payload); // segment count wraps to 0
  auto good = declaration_payload();
  bytes truncated(good.begin(), good.begin() + static_cast<long>(good.size() / 2 / 8 * 8));
  CHECK(check(truncated) == ec::malformed_payload);
}

TEST_CASE("a message that points at the same data many times is stopped by the traversal "
          "limit (no amplification)", "[intake][validation][codec]") {
  // Reading a declaration's items over and over: the traversal limit is 4x the
  // message's own size, so the tenth pass over the whole list must fail.
  auto payload = declaration_payload([] {
    declaration_spec s;
    s.items = 40;
    return s;
  }());
  auto msg = aligned_message::copy(payload.data(), payload.size());
  REQUIRE(msg);
  auto err = with_root<wire::Declaration>(*msg, ec::malformed_payload,
                                          [](wire::Declaration::Reader d) {
                                            size_t n = 0;
                                            for (int round = 0; round < 10; ++round)
                                              for (auto it : d.getItems())
                                                n += it.getHsCode().size();
                                            return n > 0 ? caf::error{} : caf::error{};
                                          });
  CHECK(is(err, ec::malformed_payload));
}
