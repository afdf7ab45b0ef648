// Reference data (SR-08.5): the shipped SAMPLE files load, are consistent with the
// tariff, answer the lookups, and are read strictly (every mistake names the file,
// the key and the line).

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "actors/core/error.hpp"
#include "actors/customs/reference_data.hpp"
#include "tests/support/support.hpp"

using namespace hub;
using namespace hub::customs;

namespace {

const std::string shipped = std::string{SWHUB_SOURCE_DIR} + "/config/reference";

const reference_data& sample() {
  static const reference_data ref = [] {
    auto r = load_reference_data(shipped);
    if (!r)
      FAIL(context_text(r.error()));
    return std::move(*r);
  }();
  return ref;
}

/// A copy of the shipped folder with `file` replaced by `text`; returns the error text.
std::string error_with(const std::string& file, const std::string& text) {
  test::temp_dir dir;
  for (auto& e : std::filesystem::directory_iterator(shipped))
    std::filesystem::copy_file(e.path(), dir.file(e.path().filename().string()));
  std::ofstream{dir.file(file), std::ios::trunc} << text;
  auto r = load_reference_data(dir.path());
  REQUIRE_FALSE(r);
  CHECK(is(r.error(), ec::invalid_config));
  return context_text(r.error());
}

std::string read_shipped(const std::string& file) {
  std::ifstream in{shipped + "/" + file};
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool has(const std::string& text, const std::string& part) {
  INFO(text);
  return text.find(part) != std::string::npos;
}

} // namespace

TEST_CASE("SR-08.5 the shipped SAMPLE reference data loads", "[reference]") {
  auto& ref = sample();
  CHECK(ref.tariff.size() >= 300);
  std::set<std::string> chapters;
  for (auto& [hs, line] : ref.tariff) {
    CHECK(hs.size() == 10);
    CHECK(line.hs == hs);
    CHECK((line.vat == 130'000 || line.vat == 90'000));
    CHECK_FALSE(line.description.empty());
    chapters.insert(hs.substr(0, 2));
  }
  CHECK(chapters.size() >= 40);
  for (auto c : {"USD", "EUR", "JPY", "GBP", "HKD", "KRW", "AUD", "CAD", "CHF", "SGD"})
    CHECK(ref.cny_micro.count(c) == 1);
  CHECK(ref.cny_micro.at("CNY") == 1'000'000);
  CHECK(ref.cny_micro.at("USD") == 7'100'000);
  CHECK(ref.restrictions.size() >= 10);
  CHECK(ref.prices.size() >= 30);
  CHECK(ref.precedents.size() >= 10);
  CHECK(ref.certificates.size() >= 6);
}

TEST_CASE("SR-08.5 the tariff holds the lines other tests rely on", "[reference]") {
  auto& ref = sample();
  struct want {
    const char* hs;
    const char* unit;
    ppm mfn, vat, ct;
  };
  for (auto w :
       {want{"8471300000", "PCE", 0, 130'000, 0}, want{"0810100000", "KGM", 140'000, 90'000, 0},
        want{"3304990000", "KGM", 10'000, 130'000, 150'000},
        want{"8517130000", "PCE", 0, 130'000, 0}, want{"6403990000", "PR", 100'000, 130'000, 0},
        want{"2204210000", "LTR", 140'000, 130'000, 100'000},
        want{"9503008900", "PCE", 0, 130'000, 0}, want{"0306170000", "KGM", 50'000, 90'000, 0},
        want{"8703231900", "PCE", 150'000, 130'000, 50'000},
        want{"6109100000", "PCE", 80'000, 130'000, 0},
        want{"7113191900", "GRM", 100'000, 130'000, 100'000}}) {
    INFO(w.hs);
    auto* l = ref.line(w.hs);
    REQUIRE(l != nullptr);
    CHECK(l->unit == w.unit);
    CHECK(l->mfn_duty == w.mfn);
    CHECK(l->vat == w.vat);
    CHECK(l->consumption_tax == w.ct);
  }
  CHECK(ref.line("0810100000")->preferential.at("RCEP") == 100'000);
  CHECK(ref.line("0810100") == nullptr);
}

TEST_CASE("SR-08.5 every full HS code in the other files is a tariff line", "[reference]") {
  auto& ref = sample();
  auto in_tariff = [&](const std::string& hs) {
    INFO(hs);
    CHECK(hs.size() >= 2);
    CHECK(hs.size() <= 10);
    if (hs.size() == 10)
      CHECK(ref.line(hs) != nullptr);
  };
  for (auto& p : ref.prices) {
    in_tariff(p.hs_prefix);
    // a unit value range is only comparable in the unit of every line it covers
    size_t covered = 0;
    for (auto& [hs, line] : ref.tariff)
      if (hs.rfind(p.hs_prefix, 0) == 0) {
        ++covered;
        INFO(p.hs_prefix << " covers " << hs);
        CHECK(line.unit == p.unit);
      }
    CHECK(covered >= 1);
    CHECK(p.min_per_unit > 0);
    CHECK(p.min_per_unit <= p.max_per_unit);
  }
  for (auto& p : ref.precedents) {
    CHECK(p.hs.size() == 10);
    in_tariff(p.hs);
  }
  for (auto& r : ref.restrictions)
    in_tariff(r.hs_prefix);
  for (auto& [number, c] : ref.certificates) {
    CHECK(c.number == number);
    for (auto& p : c.hs_prefixes)
      in_tariff(p);
    // every certificate supports an agreement some tariff line has a rate for
    bool used = false;
    for (auto& [hs, line] : ref.tariff)
      used = used || line.preferential.count(c.agreement) == 1;
    CHECK(used);
  }
}

TEST_CASE("SR-08.5 lookups: longest prefix, keywords, currencies", "[reference]") {
  auto& ref = sample();
  // prices: the 10-digit row wins over the heading row
  REQUIRE(ref.price_for("6403990000") != nullptr);
  CHECK(ref.price_for("6403990000")->hs_prefix == "6403990000");
  CHECK(ref.price_for("6403510000")->hs_prefix == "6403");
  CHECK(ref.price_for("8471300000")->min_per_unit == 150'000);
  CHECK(ref.price_for("8471300000")->max_per_unit == 2'000'000);
  CHECK(ref.price_for("0101210000") == nullptr);
  // restrictions
  REQUIRE(ref.restriction_for("3915100000") != nullptr);
  CHECK(ref.restriction_for("3915100000")->prohibited);
  REQUIRE(ref.restriction_for("0202300000") != nullptr);
  CHECK_FALSE(ref.restriction_for("0202300000")->prohibited);
  CHECK(ref.restriction_for("0202300000")->licence_type == "automatic-import-licence");
  CHECK(ref.restriction_for("8471300000") == nullptr);
  // precedents: case-insensitive substring, first hit
  REQUIRE(ref.precedent_for("ACME Smart Watch series 9") != nullptr);
  CHECK(ref.precedent_for("ACME Smart Watch series 9")->hs == "8517629900");
  CHECK(ref.precedent_for("10000 mAh POWER BANK")->hs == "8507600090");
  CHECK(ref.precedent_for("wooden chair") == nullptr);
  // certificates
  auto& c = ref.certificates.at("AU-2024-112233");
  CHECK(c.agreement == "CN-AU");
  CHECK(c.country == "AU");
  CHECK(c.valid_until_ms == 1'751'328'000'000); // through 2025-06-30 UTC = 2025-07-01T00:00Z
  CHECK(ref.certificates.at("RCEP-JP-2025-000456").hs_prefixes.empty());
  // currencies
  CHECK(ref.to_cny(10'000, "USD").value() == 71'000);
  CHECK(ref.to_cny(10'000, "CNY").value() == 10'000);
  auto bad = ref.to_cny(10'000, "XAU");
  REQUIRE_FALSE(bad);
  CHECK(is(bad.error(), ec::unknown_currency));
  CHECK(has(context_text(bad.error()), "currency \"XAU\" has no exchange rate to CNY"));
  CHECK(contains_ci("Apple iPad (tablet)", "IPAD"));
  CHECK_FALSE(contains_ci("pad", "ipad"));
  CHECK_FALSE(contains_ci("anything", ""));
}

TEST_CASE("SR-17.2 reference files are read strictly: file, key and line named", "[reference]") {
  auto tariff = read_shipped("tariff.toml");
  SECTION("unknown key in a tariff line") {
    auto msg =
        error_with("tariff.toml", "line = [\n { hs = \"0810100000\", unit = \"KGM\", mfn = 14, "
                                  "vat = 9, description = \"x\", colour = \"red\" },\n]\n");
    CHECK(has(msg, "tariff.toml: line[0] (HS 0810100000).colour: unknown key (line 2)"));
  }
  SECTION("unknown top-level key") {
    auto msg = error_with("tariff.toml", tariff + "\n[extra]\n");
    CHECK(has(msg, "tariff.toml: extra: unknown key"));
  }
  SECTION("bad HS code") {
    auto msg = error_with("tariff.toml", "[[line]]\nhs = \"08101000\"\nunit = \"KGM\"\nmfn = 14\n"
                                         "vat = 9\ndescription = \"x\"\n");
    CHECK(has(msg, "tariff.toml: line[0].hs: \"08101000\" is not a 10-digit HS code (line 2)"));
  }
  SECTION("rate out of range") {
    auto msg = error_with("tariff.toml", "[[line]]\nhs = \"0810100000\"\nunit = \"KGM\"\n"
                                         "mfn = 140\nvat = 9\ndescription = \"x\"\n");
    CHECK(has(msg, "line[0] (HS 0810100000).mfn"));
    CHECK(has(msg, "(line 4)"));
  }
  SECTION("consumption tax of 100 % is impossible") {
    auto msg = error_with("tariff.toml", "[[line]]\nhs = \"0810100000\"\nunit = \"KGM\"\n"
                                         "mfn = 14\nvat = 9\nct = 100\ndescription = \"x\"\n");
    CHECK(has(msg, "ct: must be below 100% (line 6)"));
  }
  SECTION("a rate given as text") {
    auto msg = error_with("tariff.toml", "[[line]]\nhs = \"0810100000\"\nunit = \"KGM\"\n"
                                         "mfn = \"14\"\nvat = 9\ndescription = \"x\"\n");
    CHECK(has(msg, "mfn: expected a percentage such as 13 or 0.5 (line 4)"));
  }
  SECTION("a missing required key") {
    auto msg = error_with("tariff.toml", "[[line]]\nhs = \"0810100000\"\nunit = \"KGM\"\nmfn = 14\n"
                                         "description = \"x\"\n");
    CHECK(has(msg, "line[0] (HS 0810100000).vat: missing"));
  }
  SECTION("a duplicated tariff line") {
    auto msg = error_with(
        "tariff.toml",
        "line = [\n"
        "{ hs = \"0810100000\", unit = \"KGM\", mfn = 14, vat = 9, description = \"x\" },\n"
        "{ hs = \"0810100000\", unit = \"KGM\", mfn = 14, vat = 9, description = \"y\" },\n]\n");
    CHECK(has(msg, "HS 0810100000 is listed twice (line 3)"));
  }
  SECTION("TOML syntax error") {
    auto msg = error_with("rates.toml", "[cny-per-unit]\nUSD = \n");
    CHECK(has(msg, "rates.toml"));
    CHECK(has(msg, "line 2"));
  }
  SECTION("bad currency code") {
    auto msg = error_with("rates.toml", "[cny-per-unit]\nUSD = 7.1\nusd = 7.1\n");
    CHECK(has(msg,
              "rates.toml: cny-per-unit.usd: \"usd\" is not an ISO 4217 currency code (line 3)"));
  }
  SECTION("non-positive exchange rate") {
    auto msg = error_with("rates.toml", "[cny-per-unit]\nUSD = 0\n");
    CHECK(has(msg, "cny-per-unit.USD: must be a positive number of CNY per unit (line 2)"));
  }
  SECTION("a price in a unit the tariff does not use for the goods") {
    auto msg = error_with(
        "prices.toml",
        "price = [\n"
        "{ hs-prefix = \"8471300000\", unit = \"KGM\", min = \"1\", max = \"2\" },\n]\n");
    CHECK(
        has(msg,
            "prices.toml: price[0].unit: \"KGM\" is not the tariff unit \"PCE\" of HS 8471300000"));
  }
  SECTION("a price given as a float") {
    auto msg =
        error_with("prices.toml",
                   "price = [\n"
                   "{ hs-prefix = \"8471300000\", unit = \"PCE\", min = 1.5, max = \"2\" },\n]\n");
    CHECK(has(msg, "price[0].min: expected an amount as a string"));
  }
  SECTION("min above max") {
    auto msg = error_with(
        "prices.toml",
        "price = [\n"
        "{ hs-prefix = \"8471300000\", unit = \"PCE\", min = \"3\", max = \"2\" },\n]\n");
    CHECK(has(msg, "price[0]: needs 0 < min <= max"));
  }
  SECTION("a precedent pointing outside the tariff") {
    auto msg = error_with("precedents.toml", "[[precedent]]\nid = \"P1\"\nkeyword = \"gizmo\"\n"
                                             "hs = \"8517629901\"\n");
    CHECK(has(
        msg,
        "precedents.toml: precedent[0].hs: HS 8517629901 is not a line of tariff.toml (line 4)"));
  }
  SECTION("a restriction without its licence") {
    auto msg = error_with("restricted.toml",
                          "restricted = [ { hs-prefix = \"7208\", reason = \"x\" } ]\n");
    CHECK(has(msg, "restricted.toml: restricted[0].licence: missing (line 1)"));
  }
  SECTION("a prohibited row with a licence key") {
    auto msg =
        error_with("restricted.toml",
                   "prohibited = [ { hs-prefix = \"3915\", reason = \"x\", licence = \"y\" } ]\n");
    CHECK(has(msg, "prohibited[0].licence: unknown key"));
  }
  SECTION("a certificate validity that is not a date") {
    auto msg =
        error_with("certificates.toml",
                   "[[certificate]]\nnumber = \"C1\"\nagreement = \"RCEP\"\ncountry = \"VN\"\n"
                   "valid-until = \"2027-12-31\"\n");
    CHECK(has(
        msg,
        "certificates.toml: certificate[0].valid-until: expected a date such as 2027-12-31 (line 5)"));
  }
  SECTION("a certificate country that is not alpha-2") {
    auto msg =
        error_with("certificates.toml",
                   "[[certificate]]\nnumber = \"C1\"\nagreement = \"RCEP\"\ncountry = \"VNM\"\n");
    CHECK(has(msg, "certificate[0].country: \"VNM\" is not an ISO 3166-1 alpha-2 code (line 4)"));
  }
  SECTION("a missing file") {
    test::temp_dir dir;
    auto r = load_reference_data(dir.path());
    REQUIRE_FALSE(r);
    CHECK(is(r.error(), ec::invalid_config));
    CHECK(has(context_text(r.error()), dir.path() + "/tariff.toml: cannot read file"));
  }
}
