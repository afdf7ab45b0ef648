// The MRA descriptors of config/foreign.toml (SR-18.1) and the identifier schemes of
// partner operator ids (aeo-and-3m.md section 4): one below, at and above each length.

#include <catch2/catch.hpp>

#include "actors/core/error.hpp"
#include "actors/foreign/foreign_config.hpp"

using namespace hub;
using namespace hub::foreign;

TEST_CASE("SR-18.1 the shipped foreign.toml describes its arrangements", "[foreign][config]") {
  auto cfg = load_foreign_config(std::string{SWHUB_SOURCE_DIR} + "/config/foreign.toml");
  REQUIRE(cfg);
  REQUIRE(cfg->mras.size() == 2);
  auto* eu = cfg->mra_of_party("FOREIGN-EU");
  REQUIRE(eu != nullptr);
  CHECK(eu->id == "EU-CN");
  CHECK(eu->scheme == id_scheme::eori);
  CHECK(eu->consent_required);
  CHECK(eu->they_recognise == std::vector<std::string>{"advanced-certified"});
  CHECK(eu->legal_basis.find("2014/772/EU") != std::string::npos);
  CHECK(cfg->mra_of_party("ENT-A") == nullptr);
}

TEST_CASE("SR-18.1 a descriptor without its partner, basis or data set, with an unknown tier or scheme, or a "
          "partner named twice is refused naming the key",
          "[foreign][config]") {
  auto base = std::string{R"([[mra]]
id = "X-CN"
partner = "P"
legal-basis = "basis"
data-set = "aeo-7/1"
)"};
  CHECK(parse_foreign_config(base, "f.toml"));
  auto refused = [](const std::string& text, const std::string& key) {
    auto r = parse_foreign_config(text, "f.toml");
    REQUIRE_FALSE(r);
    CHECK(r.error() == ec::invalid_config);
    CHECK_THAT(context_text(r.error()), Catch::Contains(key));
  };
  refused(R"([[mra]]
id = "X-CN"
legal-basis = "basis"
data-set = "aeo-7/1"
)", "mra[0].partner");
  refused(base + "identifier-scheme = \"ssn\"\n", "identifier-scheme");
  refused(base + "they-recognise = [\"gold\"]\n", "they-recognise");
  refused(base + "colour = \"red\"\n", "colour");
  refused(base + "[[mra]]\nid = \"Y-CN\"\npartner = \"P\"\nlegal-basis = \"b\"\ndata-set = \"d\"\n", "partner");
  refused(base + "[[mra]]\nid = \"X-CN\"\npartner = \"Q\"\nlegal-basis = \"b\"\ndata-set = \"d\"\n", "mra[1].id");
  refused("max-records-per-batch = 0\n", "max-records-per-batch");
  refused("max-records-per-batch = 20001\n", "max-records-per-batch");
}

TEST_CASE("SR-18.2 operator ids are checked against the arrangement's scheme", "[foreign]") {
  CHECK(id_problem(id_scheme::eori, "DE1").empty());
  CHECK(id_problem(id_scheme::eori, "DE123456789012345").empty()); // 17: the longest
  CHECK_FALSE(id_problem(id_scheme::eori, "DE1234567890123456").empty()); // 18
  CHECK_FALSE(id_problem(id_scheme::eori, "DE").empty());
  CHECK_FALSE(id_problem(id_scheme::eori, "de123").empty());
  CHECK_FALSE(id_problem(id_scheme::eori, "DE12-34").empty());
  CHECK(id_problem(id_scheme::uen, "201912345K").empty());
  CHECK(id_problem(id_scheme::uen, "53312345D").empty());
  CHECK_FALSE(id_problem(id_scheme::uen, "5331234D").empty());     // 8
  CHECK_FALSE(id_problem(id_scheme::uen, "2019123456").empty());   // no check letter
  CHECK(id_problem(id_scheme::ctpat, "12345678901234567890").empty());
  CHECK_FALSE(id_problem(id_scheme::ctpat, "123456789012345678901").empty());
  CHECK(id_problem(id_scheme::mid, "CNAMAPLA1234SHA").empty());
  CHECK_FALSE(id_problem(id_scheme::mid, "CNAMAPLA1234SHAX").empty());
}
