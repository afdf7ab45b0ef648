// hub.toml is read strictly: the shipped default loads, and every mistake names the
// key and the line.

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "actors/core/config.hpp"
#include "actors/core/error.hpp"
#include "tests/support/support.hpp"

using namespace hub;
using namespace hub::test;

namespace {

const char* minimal = R"([roles.enterprise]
send = ["customs.declaration"]

[[party]]
id = "ENT-1"
role = "enterprise"
curve-public-key = "Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID"
)";

/// `minimal` with its permission table in a roles file instead of inline.
const char* minimal_parties = R"(
[[party]]
id = "ENT-1"
role = "enterprise"
curve-public-key = "Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID"
)";

const char* roles_toml = R"(# the permission table
[roles.enterprise]
send = ["customs.declaration"]
read = ["customs.declaration"]
)";

std::string error_of(const std::string& text, const std::string& origin = "test.toml") {
  auto cfg = parse_config(text, origin);
  REQUIRE_FALSE(cfg);
  return context_text(cfg.error());
}

std::string with_roles_file(const std::string& roles_file) {
  return "[hub]\nroles-file = \"" + roles_file + "\"\n" + minimal_parties;
}

} // namespace

TEST_CASE("the shipped config/hub.toml loads once its demo keys exist", "[config]") {
  temp_dir dir;
  auto old = std::filesystem::current_path();
  std::filesystem::current_path(dir.path());
  for (auto id : {"ENT-DEMO-0001", "ENT-DEMO-0002", "BRK-DEMO-0001", "AGY-DEMO-CIQ", "CUS-DEMO-2248",
                  "CUS-DEMO-2201", "RSK-DEMO-0000", "RSK-DEMO-2200", "TAX-DEMO-0001", "PLT-DEMO-0001",
                  "PLT-DEMO-0002", "PAY-DEMO-0001", "LGS-DEMO-0001", "AGT-DEMO-0001", "OPR-DEMO-0001",
                  "FOREIGN-EU"}) {
    auto keys = generate_curve_keypair();
    REQUIRE(keys);
    REQUIRE_FALSE(write_curve_keypair(std::string{"var/keys/"} + id, *keys));
    REQUIRE_FALSE(write_signing_keypair(std::string{"var/keys/"} + id));
  }
  auto cfg = load_config(std::string{SWHUB_SOURCE_DIR} + "/config/hub.toml");
  std::filesystem::current_path(old);
  REQUIRE(cfg);
  CHECK(cfg->parties.size() == 16);
  CHECK(cfg->module_configs.at("customs") == "config/customs.toml");
  CHECK(cfg->module_configs.at("ecommerce") == "config/ecommerce.toml");
  CHECK(cfg->module_configs.at("foreign") == "config/foreign.toml");
  CHECK(cfg->parties[4].attributes.at("customs-unit") == "2248");
  CHECK(cfg->endpoint == "tcp://127.0.0.1:7700");
  CHECK(cfg->data_dir == "var/data");
  CHECK(cfg->roles_file == std::string{SWHUB_SOURCE_DIR} + "/config/roles.toml");
  CHECK(cfg->roles.size() == 13);
  CHECK(cfg->roles.at("agency").send.size() == 4);
  CHECK(cfg->commit_max_batch == 512);
  CHECK(cfg->parties[0].signing_keys.size() == 1);
  CHECK(cfg->signatures_required.at("customs.declaration").size() == 2);
}

TEST_CASE("a missing party key file is an error naming the file and the command to run",
          "[config]") {
  auto text = std::string{minimal} + "\n[[party]]\nid = \"X\"\nrole = \"enterprise\"\n"
                                     "curve-public-key-file = \"/nonexistent/x.curve.pub\"\n";
  auto msg = error_of(text);
  CHECK_THAT(msg, Catch::Contains("party[1].curve-public-key-file"));
  CHECK_THAT(msg, Catch::Contains("swhub keygen"));
}

TEST_CASE("an unknown key is an error naming the key and its line", "[config]") {
  auto msg = error_of(std::string{"[gateway]\nendpiont = \"tcp://127.0.0.1:1\"\n"} + minimal);
  CHECK_THAT(msg, Catch::Contains("gateway.endpiont"));
  CHECK_THAT(msg, Catch::Contains("unknown key"));
  CHECK_THAT(msg, Catch::Contains("line 2"));
}

TEST_CASE("a wrong type is an error naming the key and its line", "[config]") {
  auto msg = error_of(std::string{"[store]\n\ncommit-max-batch = \"512\"\n"} + minimal);
  CHECK_THAT(msg, Catch::Contains("store.commit-max-batch"));
  CHECK_THAT(msg, Catch::Contains("line 3"));
}

TEST_CASE("an out-of-range value is an error", "[config]") {
  CHECK_THAT(error_of(std::string{"[store]\ncommit-max-batch = 0\n"} + minimal),
             Catch::Contains("store.commit-max-batch"));
  CHECK_THAT(error_of(std::string{"[intake]\nworkers = 100000\n"} + minimal),
             Catch::Contains("intake.workers"));
}

TEST_CASE("a party with an undefined role or a reused key is refused", "[config]") {
  CHECK_THAT(error_of(std::string{minimal} + "\n[[party]]\nid = \"ENT-2\"\nrole = \"pirate\"\n"
                                             "curve-public-key = \"rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7\"\n"),
             Catch::Contains("pirate"));
  CHECK_THAT(error_of(std::string{minimal} + "\n[[party]]\nid = \"ENT-2\"\nrole = \"enterprise\"\n"
                                             "curve-public-key = \"Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID\"\n"),
             Catch::Contains("already registered"));
}

TEST_CASE("a TOML syntax error names the line", "[config]") {
  auto msg = error_of("[hub]\nid = \"x\"\ndata-dir = \n");
  CHECK_THAT(msg, Catch::Contains("line 3"));
}

TEST_CASE("a relative roles-file is read from the config file's directory", "[config][SR-23.1]") {
  temp_dir dir;
  std::filesystem::create_directories(dir.file("etc"));
  std::ofstream{dir.file("etc/hub.toml")} << with_roles_file("roles.toml");
  std::ofstream{dir.file("etc/roles.toml")} << roles_toml;
  // The working directory is not the config's: the roles file is found all the same.
  auto cfg = load_config(dir.file("etc/hub.toml"));
  REQUIRE(cfg);
  CHECK(cfg->roles_file == dir.file("etc/roles.toml"));
  REQUIRE(cfg->roles.count("enterprise") == 1);
  CHECK(cfg->roles.at("enterprise").send == std::vector<std::string>{"customs.declaration"});
  CHECK(cfg->roles.at("enterprise").read == std::vector<std::string>{"customs.declaration"});
  CHECK(cfg->roles.at("enterprise").receive.empty());
}

TEST_CASE("an absolute roles-file is read as given", "[config][SR-23.1]") {
  temp_dir dir;
  std::ofstream{dir.file("roles.toml")} << roles_toml;
  auto cfg = parse_config(with_roles_file(dir.file("roles.toml")), "/elsewhere/hub.toml");
  REQUIRE(cfg);
  CHECK(cfg->roles_file == dir.file("roles.toml"));
  CHECK(cfg->roles.count("enterprise") == 1);
}

TEST_CASE("a missing roles-file is an error naming the key, the file and the line", "[config]") {
  temp_dir dir;
  auto msg = error_of(with_roles_file("missing-roles.toml"), dir.file("hub.toml"));
  CHECK_THAT(msg, Catch::Contains("hub.roles-file"));
  CHECK_THAT(msg, Catch::Contains(dir.file("missing-roles.toml")));
  CHECK_THAT(msg, Catch::Contains("line 2"));
}

TEST_CASE("a config with both inline [roles.*] and a roles-file is refused, naming both places",
          "[config]") {
  temp_dir dir;
  std::ofstream{dir.file("roles.toml")} << roles_toml;
  auto msg = error_of(with_roles_file("roles.toml") + "\n[roles.broker]\nsend = []\n",
                      dir.file("hub.toml"));
  CHECK_THAT(msg, Catch::Contains("hub.roles-file"));
  CHECK_THAT(msg, Catch::Contains(dir.file("roles.toml")));
  CHECK_THAT(msg, Catch::Contains("inline in " + dir.file("hub.toml")));
  CHECK_THAT(msg, Catch::Contains("[roles] at line 9"));
  CHECK_THAT(msg, Catch::Contains("keep one"));
}

TEST_CASE("a roles file is read as strictly as hub.toml, its errors naming the file",
          "[config]") {
  temp_dir dir;
  auto origin = dir.file("hub.toml");
  auto roles = dir.file("roles.toml");
  SECTION("an unknown key in a role") {
    std::ofstream{roles} << "[roles.enterprise]\nsend = []\nsned = [\"customs.declaration\"]\n";
    auto msg = error_of(with_roles_file("roles.toml"), origin);
    CHECK_THAT(msg, Catch::StartsWith(roles + ": "));
    CHECK_THAT(msg, Catch::Contains("roles.enterprise.sned: unknown key"));
    CHECK_THAT(msg, Catch::Contains("line 3"));
  }
  SECTION("anything but [roles.*] tables") {
    std::ofstream{roles} << roles_toml << "\n[hub]\nid = \"X\"\n";
    auto msg = error_of(with_roles_file("roles.toml"), origin);
    CHECK_THAT(msg, Catch::StartsWith(roles + ": "));
    CHECK_THAT(msg, Catch::Contains("hub: unknown key"));
  }
  SECTION("a wrong type") {
    std::ofstream{roles} << "[roles.enterprise]\nsend = \"customs.declaration\"\n";
    auto msg = error_of(with_roles_file("roles.toml"), origin);
    CHECK_THAT(msg, Catch::Contains(roles + ": roles.enterprise.send: expected an array"));
  }
  SECTION("a TOML syntax error") {
    std::ofstream{roles} << "[roles.enterprise]\nsend = [\n";
    auto msg = error_of(with_roles_file("roles.toml"), origin);
    CHECK_THAT(msg, Catch::StartsWith(roles + ": "));
  }
  SECTION("a party whose role the file does not define") {
    std::ofstream{roles} << "[roles.broker]\nsend = []\n";
    CHECK_THAT(error_of(with_roles_file("roles.toml"), origin),
               Catch::Contains("role \"enterprise\" is not defined"));
  }
}
