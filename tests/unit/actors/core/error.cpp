// Error codes are part of the partner contract: every partner-facing code has a stable
// name, a retry rule, and a row in docs/protocol.md that says the same thing.

#include <catch2/catch.hpp>

#include <regex>

#include "actors/core/domain_module.hpp"
#include "actors/core/error.hpp"
#include "tests/support/support.hpp"

using namespace hub;

TEST_CASE("docs/protocol.md lists every partner-facing error code, the core's and every "
          "registered module's, with its name and retry rule", "[error][docs]") {
  auto doc = test::read_text(std::string{SWHUB_SOURCE_DIR} + "/docs/protocol.md");
  REQUIRE_FALSE(doc.empty());
  std::regex row{R"(\|\s*(\d+)\s*\|\s*(\w+)\s*\|\s*(yes|no)\s*\|)"};
  std::map<int, std::pair<std::string, bool>> rows;
  for (std::sregex_iterator i{doc.begin(), doc.end(), row}, end; i != end; ++i)
    rows[std::stoi((*i)[1])] = {(*i)[2], (*i)[3] == "yes"};
  int partner_facing = 0;
  REQUIRE_FALSE(modules().empty());
  for (int code = 1; code < 100; ++code) {
    auto name = wire_code_name(static_cast<uint16_t>(code));
    if (name == "unknown")
      continue;
    ++partner_facing;
    INFO("code " << code << " " << name);
    REQUIRE(rows.count(code) == 1);
    CHECK(rows[code].first == name);
    CHECK(rows[code].second == retryable_wire(static_cast<uint16_t>(code)));
  }
  CHECK(partner_facing == static_cast<int>(rows.size()));
  // Module codes keep their numbers: the customs range is 31-45, as before modules.
  CHECK(wire_code_name(34) == "unknown_declaration");
  CHECK(wire_code_name(45) == "not_routed");
}

TEST_CASE("internal failures reach partners as a code that tells them what to do",
          "[error]") {
  CHECK(wire_code(ec::storage_full) == wire_code(ec::hub_not_ready));
  CHECK(wire_code(ec::store_failure) == wire_code(ec::hub_not_ready));
  CHECK(wire_code(ec::shutting_down) == wire_code(ec::hub_busy));
  CHECK(retryable_wire(wire_code(ec::storage_full)));
  CHECK_FALSE(retryable_wire(wire_code(ec::reused_message_id)));
  CHECK(wire_code_name(9999) == "unknown");
}

TEST_CASE("an empty error has no code and no text", "[error]") {
  caf::error none;
  CHECK(code_of(none) == ec::none);
  CHECK_FALSE(is(none, ec::not_found));
  CHECK(context_text(none).empty());
}
