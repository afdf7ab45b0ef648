// customs.toml: the shipped sample loads; mistakes name the key and line (SR-04.1,
// SR-06.1, SR-14.1).

#include <catch2/catch.hpp>

#include "actors/core/error.hpp"
#include "actors/customs/customs_config.hpp"

using namespace hub;
using namespace hub::customs;

namespace {

const char* base = R"(
[organisation]
unit = [
  { code = "2200", name = "Shanghai", kind = "direct" },
  { code = "2201", name = "Pujiang", kind = "inland" },
  { code = "2248", name = "Yangshan", kind = "port" },
]
[[tax-centre]]
id = "a"
chapters = ["01-50"]
[[tax-centre]]
id = "b"
chapters = ["51-97"]
)";

std::string error_of(const std::string& text) {
  auto cfg = parse_customs_config(text, "customs.toml", ".");
  REQUIRE_FALSE(cfg);
  CHECK(code_of(cfg.error()) == ec::invalid_config);
  return context_text(cfg.error());
}

} // namespace

TEST_CASE("SR-04.1 the shipped customs.toml loads with its organisation, centres and enterprises", "[customs][config]") {
  auto cfg = load_customs_config(std::string{SWHUB_SOURCE_DIR} + "/config/customs.toml");
  if (!cfg)
    FAIL(context_text(cfg.error()));
  CHECK(cfg->unit("0000")->kind == customs_unit::gacc);
  CHECK(cfg->unit("2200")->kind == customs_unit::direct);
  CHECK(cfg->unit("2248")->kind == customs_unit::port);
  CHECK(cfg->direct_of("2248") == "2200");
  CHECK(cfg->direct_of("2200") == "2200");
  CHECK(cfg->direct_of("9999").empty());
  CHECK(cfg->centre_for("8471300000")->id == "shanghai-machinery-electronics");
  CHECK(cfg->centre_for("3304990000")->id == "guangzhou-chemicals");
  CHECK(cfg->centre_for("0810100000")->id == "tianjin-other-goods");
  CHECK(cfg->rules.parameters.size() >= 5);
  CHECK(cfg->rules.selectivity.size() == 4);
}

TEST_CASE("SR-14.1 the tier valid at declaration time applies, from the enterprise's tier history", "[customs][config]") {
  auto cfg = parse_customs_config(std::string{base} + R"(
[[enterprise]]
code = "E1"
tier-history = [["2019-01-01", "general-credit"], ["2024-06-01", "advanced-certified"]]
guarantee = "1000.50"
inland-customs = "2201"
)", "customs.toml", ".");
  REQUIRE(cfg);
  auto* e = cfg->enterprise("E1");
  REQUIRE(e != nullptr);
  CHECK(e->guarantee == 100050);
  CHECK(e->tier_at(*parse_date_ms("2020-05-05")) == tier::general_credit);
  CHECK(e->tier_at(*parse_date_ms("2024-06-01")) == tier::advanced_certified);
  CHECK(e->tier_at(*parse_date_ms("2018-01-01")) == tier::general_credit);
  CHECK(*parse_date_ms("1970-01-02") == 86400000);
}

TEST_CASE("customs.toml mistakes are errors naming the key", "[customs][config]") {
  CHECK_THAT(error_of(std::string{base} + "colour = 1\n"), Catch::Contains("colour: unknown key"));
  CHECK_THAT(error_of(std::string{base} + "[[tax-centre]]\nid = \"c\"\nchapters = [\"40-60\"]\n"),
             Catch::Contains("overlaps tax centre"));
  CHECK_THAT(error_of(std::string{base} + "[[enterprise]]\ncode = \"E\"\ninland-customs = \"2248\"\n"),
             Catch::Contains("not an inland customs unit"));
  CHECK_THAT(error_of(std::string{base} + "[[enterprise]]\ncode = \"E\"\ntier = \"gold\"\n"),
             Catch::Contains("unknown tier"));
  CHECK_THAT(error_of(std::string{base} + "[[enterprise]]\ncode = \"E\"\nguarantee = \"-5\"\n"),
             Catch::Contains("guarantee"));
  CHECK_THAT(error_of(R"([organisation]
unit = [{ code = "2248", kind = "direct" }]
)"), Catch::Contains("ends in 00"));
  CHECK_THAT(error_of(R"([organisation]
unit = [{ code = "2248", kind = "port", parent = "5100" }]
)"), Catch::Contains("must be the direct customs 2200"));
  CHECK_THAT(error_of("[organisation]\n"), Catch::Contains("at least one tax centre"));
  CHECK_THAT(error_of(std::string{base} + "[release]\npayment-deadline-days = 0\n"), Catch::Contains("must be > 0"));
  // [credit] violations-per-downgrade: 0 (never) to 1000; one below and one above refused.
  for (auto bad : {"-1", "1001", "\"2\"", "1.5"})
    CHECK_THAT(error_of(std::string{base} + "[credit]\nviolations-per-downgrade = " + bad + "\n"),
               Catch::Contains("credit.violations-per-downgrade"));
  CHECK_THAT(error_of(std::string{base} + "[credit]\nper = 1\n"), Catch::Contains("per: unknown key"));
  for (auto [text, n] : {std::pair{"0", 0u}, std::pair{"1000", 1000u}}) {
    auto cfg = parse_customs_config(std::string{base} + "[credit]\nviolations-per-downgrade = " + text + "\n",
                                    "customs.toml", ".");
    REQUIRE(cfg);
    CHECK(cfg->credit.violations_per_downgrade == n);
  }
  auto dflt = parse_customs_config(base, "customs.toml", ".");
  REQUIRE(dflt);
  CHECK(dflt->credit.violations_per_downgrade == 1);
  // [disclosure]: days 0..3650 with the small-amount window not below the other,
  // a share 0..100, an amount.
  for (auto bad : {"penalty-free-days = -1", "penalty-free-days = 3651", "penalty-free-days-if-small = 100",
                   "small-share-percent = 101", "small-share-percent = -1", "small-amount = \"lots\""})
    CHECK_THAT(error_of(std::string{base} + "[disclosure]\n" + bad + "\n"), Catch::Contains("disclosure."));
  auto d = parse_customs_config(std::string{base} + "[disclosure]\npenalty-free-days = 30\n"
                                  "penalty-free-days-if-small = 30\nsmall-share-percent = 0\nsmall-amount = \"0.00\"\n",
                                "customs.toml", ".");
  REQUIRE(d);
  CHECK(d->disclosure.free_days == 30);
  CHECK(d->disclosure.free_days_if_small == 30);
  CHECK(d->disclosure.small_share_percent == 0);
  CHECK(d->disclosure.small_amount == 0);
  CHECK(dflt->disclosure.free_days == 365);
  CHECK(dflt->disclosure.small_amount == 100000000);
}
