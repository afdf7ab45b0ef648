// The conformance test of document kinds (issue 17), static half: EVERY kind
// hub::document_types() knows (the core's and each registered module's) must be
// complete, and a new kind that is not fails here naming itself. A kind needs a
// validator and a schema, a unique "<prefix>.<name>", a sample that validates
// (tests/support/samples.cpp, also the fuzz seeds), a role allowed to send it
// (config/roles.toml, SR-23.1) and a row in docs/protocol.md. The other half,
// tests/integration/document_kinds.cpp, sends each sample through the real hub.
// Modular components behind stable schemas: SR-20.2, SR-20.5.

#include <catch2/catch.hpp>

#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "actors/core/error.hpp"
#include "actors/intake/document_types.hpp"
#include "tests/support/samples.hpp"
#include "tests/support/support.hpp"

using namespace hub;
using namespace hub::test;

namespace {

/// One row of a documentType table in docs/protocol.md: its name and the whole line.
struct protocol_row {
  std::string name;
  std::string line;
  std::string table; ///< the table's header line
};

/// Every row of every table whose first column is "documentType".
std::vector<protocol_row> protocol_rows() {
  auto text = read_text(std::string{SWHUB_SOURCE_DIR} + "/docs/protocol.md");
  REQUIRE_FALSE(text.empty());
  std::vector<protocol_row> rows;
  std::istringstream in{text};
  std::string line, header;
  static const std::regex row{R"(^\| `([^`]+)` \|)"};
  while (std::getline(in, line)) {
    if (line.rfind("| documentType |", 0) == 0) {
      header = line;
      continue;
    }
    if (line.rfind("|", 0) != 0) {
      header.clear(); // the table ended
      continue;
    }
    std::smatch m;
    if (!header.empty() && std::regex_search(line, m, row))
      rows.push_back({m[1], line, header});
  }
  return rows;
}

/// The schema's file as docs name it ("schemas/declaration.capnp").
std::string schema_file(const capnp::StructSchema& s) {
  std::string display = s.getProto().getDisplayName();
  auto file = display.substr(0, display.find(':'));
  auto at = file.rfind("schemas/");
  return at == std::string::npos ? file : file.substr(at);
}

} // namespace

TEST_CASE("every document kind has a validator, a schema and a unique <prefix>.<name>",
          "[intake][conformance][SR-20.5]") {
  auto kinds = document_types();
  REQUIRE(kinds.size() >= 2 + modules().size()); // the core's two, and the modules'
  static const std::regex name{R"(^[a-z][a-z0-9]*(-[a-z0-9]+)*\.[a-z][a-z0-9]*(-[a-z0-9]+)*$)"};
  std::set<std::string> seen;
  for (auto* k : kinds) {
    if (!std::regex_match(k->name, name))
      FAIL_CHECK(k->name << ": a kind is named <prefix>.<name> in lower case");
    if (!seen.insert(k->name).second)
      FAIL_CHECK(k->name << ": registered twice");
    if (!k->validate)
      FAIL_CHECK(k->name << ": no validator");
    if (k->schema == capnp::StructSchema{} || k->schema.getProto().getId() == 0)
      FAIL_CHECK(k->name << ": no payload schema");
    if (k->description.empty())
      FAIL_CHECK(k->name << ": no description");
    if (find_document_type(k->name) != k)
      FAIL_CHECK(k->name << ": find_document_type finds another row");
  }
  // A module's kinds are its own; the core's belong to none.
  for (auto& m : modules())
    for (auto& k : m.documents)
      if (module_of_document(k.name) != &m)
        FAIL_CHECK(k.name << ": module_of_document does not name module " << m.name);
  CHECK(module_of_document(doc::trade_message) == nullptr);
  CHECK(module_of_document(doc::key_rotation) == nullptr);
}

TEST_CASE("every document kind has a sample, and the sample is valid",
          "[intake][conformance][validation]") {
  for (auto* k : document_types()) {
    auto sample = sample_payload(k->name);
    if (!sample) {
      FAIL_CHECK(k->name << ": no sample payload (add one to sample_payload in "
                            "tests/support/samples.cpp)");
      continue;
    }
    auto err = validate_payload(*k, sample->data(), sample->size(), validation_limits{});
    if (err)
      FAIL_CHECK(k->name << ": its sample does not validate: " << context_text(err));
  }
  CHECK_FALSE(sample_payload("no.such-kind"));
}

TEST_CASE("SR-23.1 every document kind may be sent by some role of config/roles.toml, which "
          "names no unknown kind",
          "[intake][conformance][config]") {
  auto roles = shipped_roles();
  REQUIRE_FALSE(roles.empty());
  for (auto* k : document_types())
    if (roles_that(roles, &role_config::send, k->name).empty())
      FAIL_CHECK(k->name << ": no role in config/roles.toml may send it");
  for (auto& [role, r] : roles)
    for (auto* list : {&r.send, &r.read, &r.receive})
      for (auto& type : *list)
        if (find_document_type(type) == nullptr)
          FAIL_CHECK("config/roles.toml: role " << role << " names " << type
                                                 << ", which no module registers");
}

TEST_CASE("a kind a desk decides is addressed to the hub: no role may receive it",
          "[intake][conformance][config]") {
  // Intake hands a hub_desk kind to its desk only when it is addressed to "hub"; one
  // addressed to a party would be stored and delivered without a decision, so the
  // shipped permission table lets no role receive one (intake then refuses it with
  // role_not_allowed; tests/integration/document_kinds.cpp).
  auto roles = shipped_roles();
  for (auto* k : document_types())
    if (k->hub_desk)
      for (auto& role : roles_that(roles, &role_config::receive, k->name))
        FAIL_CHECK(k->name << ": decided by a desk, but role " << role << " may receive it");
  // The core's own kinds have no desk: intake commits them itself.
  CHECK_FALSE(find_document_type(doc::trade_message)->hub_desk);
  CHECK_FALSE(find_document_type(doc::key_rotation)->hub_desk);
}

TEST_CASE("docs/protocol.md has a row for every document kind and names no other",
          "[intake][conformance][docs]") {
  auto rows = protocol_rows();
  REQUIRE_FALSE(rows.empty());
  // The envelope's table ("| documentType | payload schema | notes |") has one row per
  // kind, naming its schema and file.
  std::map<std::string, std::string> schema_rows;
  for (auto& r : rows)
    if (r.table.rfind("| documentType | payload schema |", 0) == 0)
      schema_rows[r.name] = r.line;
  for (auto* k : document_types()) {
    auto row = schema_rows.find(k->name);
    if (row == schema_rows.end()) {
      FAIL_CHECK(k->name << ": no row in docs/protocol.md's documentType / payload schema table");
      continue;
    }
    std::string short_name = k->schema.getShortDisplayName().cStr();
    if (row->second.find("`" + short_name + "`") == std::string::npos)
      FAIL_CHECK(k->name << ": its docs/protocol.md row does not name its schema `" << short_name
                         << "`");
    if (row->second.find(schema_file(k->schema)) == std::string::npos)
      FAIL_CHECK(k->name << ": its docs/protocol.md row does not name " << schema_file(k->schema));
  }
  for (auto& r : rows)
    if (find_document_type(r.name) == nullptr)
      FAIL_CHECK("docs/protocol.md names " << r.name << ", which no module registers");
}
