// swhub-foreign (issue 11, SR-18 item 4), the real bridge process in front of a partner
// customs' system, against the real swhubd: AEO records read as JSON lines in WCO Data
// Model naming reach the hub as foreign.aeo-batch (a malformed line is reported and
// skipped), a kill -9 after a batch was recorded loses nothing and applies nothing
// twice, and the simulator sends its SAMPLE list and deltas.

#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>
#include <set>
#include <thread>

#include <nlohmann/json.hpp>

#include "tests/support/agency_process.hpp"
#include "tests/support/hub_process.hpp"
#include "tests/support/samples.hpp"

using namespace hub;
using namespace hub::test;
using namespace std::chrono_literals;

namespace {

/// A hub with the EU-CN arrangement (config/foreign.toml) whose partner customs
/// FOREIGN-EU must sign its batches; its key files for the bridge.
struct bridge_world {
  temp_dir dir;
  test_party eu = make_party("FOREIGN-EU", "foreign-customs", crypto::algorithm::ecdsa_p256_sha256);
  std::string key_stem;
  std::string state;
  std::string config;
  std::unique_ptr<hub_process> hubd;

  bridge_world() {
    hub_settings s;
    s.foreign_config = SWHUB_SOURCE_DIR "/config/foreign.toml";
    s.signatures_required = {{"foreign.aeo-batch", "foreign-customs"}};
    config = write_hub_config(dir, {eu}, s);
    hubd = std::make_unique<hub_process>(dir, config);
    key_stem = write_party_key_files(dir, eu);
    state = dir.file("foreign.state");
  }

  std::unique_ptr<agency_process> start(const std::vector<std::string>& args, const std::string& name = "foreign") {
    return std::make_unique<agency_process>(dir, *hubd, key_stem, state, args, name, SWHUB_FOREIGN_PATH);
  }

  /// What `swhub foreign aeo` shows of one operator (null if the hub holds none).
  nlohmann::json held(const std::string& id) const {
    auto r = run_cli("foreign aeo --data-dir " + dir.file("data") + " --arrangement EU-CN --id " + id);
    if (r.exit_code != 0)
      return nullptr;
    return nlohmann::json::parse(r.out);
  }

  /// Every operator the hub holds under EU-CN.
  std::vector<nlohmann::json> all() const {
    auto r = run_cli("foreign aeo --data-dir " + dir.file("data") + " --arrangement EU-CN");
    REQUIRE(r.exit_code == 0);
    std::vector<nlohmann::json> out;
    std::istringstream in{r.out};
    std::string line;
    while (std::getline(in, line))
      if (!line.empty())
        out.push_back(nlohmann::json::parse(line));
    return out;
  }
};

std::vector<nlohmann::json> of_kind(const std::vector<nlohmann::json>& lines, const std::string& kind) {
  std::vector<nlohmann::json> out;
  for (auto& l : lines)
    if (l.value("kind", "") == kind)
      out.push_back(l);
  return out;
}

std::string record_line(const std::string& id, const std::string& status, uint64_t version,
                        const std::string& extra = "") {
  nlohmann::json j{{"AEOIdentifier", id},
                   {"Name", "Operator " + id + " (TEST SAMPLE)"},
                   {"Address", "1 Sample Street, Sample City (TEST SAMPLE)"},
                   {"AEOStatusCode", status},
                   {"AuthorisationDate", "2019-03-01"},
                   {"AuthorisationType", "AEOF"},
                   {"Version", version},
                   {"ChangeDateTime", "2024-05-01T10:00:00Z"}};
  if (status != "valid")
    j["Reason"] = "security requirements under review";
  if (!extra.empty())
    j["Additional"] = {{"note", extra}};
  return j.dump();
}

} // namespace

TEST_CASE("SR-18.4 swhub-foreign bridges AEO records from JSON lines to the hub, reports a malformed line by its "
          "number and skips it, prints the hub receipt and the foreign.aeo-receipt, and exits 0 at the end of input",
          "[integration][foreign][foreign-bridge]") {
  bridge_world w;
  auto bridge = w.start({"--batch-prefix", "EU"});
  bridge->write_line(record_line("DE1234567890123", "valid", 1, "first"));
  bridge->write_line(R"({"AEOIdentifier": "DE999", "Name": )"); // cut off: not JSON
  bridge->write_line(record_line("FR55512345678", "suspended", 4));
  bridge->close_input();
  int rc = bridge->wait_exit(20s);
  INFO(bridge->log());
  REQUIRE(rc == 0);
  auto out = bridge->output();
  auto errors = of_kind(out, "error");
  REQUIRE(errors.size() == 1);
  CHECK(errors[0]["line"] == 2);
  CHECK(errors[0]["reason"] == "not JSON");
  auto receipts = of_kind(out, "receipt");
  REQUIRE(receipts.size() == 1);
  CHECK(receipts[0]["status"] == "accepted");
  CHECK(receipts[0]["batchId"] == "EU-1");
  CHECK(receipts[0]["records"] == 2);
  auto aeo = of_kind(out, "foreign.aeo-receipt");
  REQUIRE(aeo.size() == 1);
  CHECK(aeo[0]["batchId"] == "EU-1");
  CHECK(aeo[0]["arrangement"] == "EU-CN");
  CHECK(aeo[0]["applied"] == 2);
  CHECK(aeo[0]["notValid"] == 1);

  auto de = w.held("DE1234567890123");
  REQUIRE(de.is_object());
  CHECK(de["status"] == "valid");
  CHECK(de["version"] == 1);
  CHECK(de["programme"] == "AEOF");
  CHECK(de["validatedAt"] == 1551398400000); // 2019-03-01
  CHECK(de["extras"] == nlohmann::json::array({{{"key", "note"}, {"value", "first"}}}));
  auto fr = w.held("FR55512345678");
  REQUIRE(fr.is_object());
  CHECK(fr["status"] == "suspended");
  CHECK(fr["version"] == 4);
  CHECK(fr["reason"] == "security requirements under review");
  CHECK(w.held("DE999").is_null());
  // The state file keeps no receipted batch, only counters.
  auto st = nlohmann::json::parse(read_text(w.state));
  CHECK(st["batches"].empty());
  CHECK(st["batchesReceipted"] == 1);
  CHECK(st["recordsReceipted"] == 2);
}

TEST_CASE("SR-18.4 swhub-foreign killed with -9 after recording a batch re-sends it under the same batch id on "
          "restart, and the hub holds each record once at its version",
          "[integration][foreign][foreign-bridge][crash]") {
  bridge_world w;
  // 1. Killed after the batch is in the state file, before it is sent.
  auto bridge = w.start({"--batch-prefix", "EU", "--test-hold-ms", "60000"});
  bridge->write_line(record_line("DE1000000000001", "valid", 1));
  bridge->write_line(record_line("DE1000000000002", "valid", 1));
  bridge->close_input();
  auto recorded = bridge->wait_event("recorded");
  CHECK(recorded["batchId"] == "EU-1");
  bridge->kill9();
  auto st = nlohmann::json::parse(read_text(w.state));
  REQUIRE(st["batches"].size() == 1);
  CHECK(st["batches"][0]["batchId"] == "EU-1");
  CHECK(st["batches"][0]["state"] == "sent");
  CHECK(st["batches"][0]["records"].size() == 2);
  CHECK(w.all().empty()); // never sent

  bridge = w.start({}, "foreign-2");
  bridge->close_input();
  REQUIRE(bridge->wait_exit(20s) == 0);
  auto out = bridge->output();
  auto receipts = of_kind(out, "receipt");
  REQUIRE(receipts.size() == 1);
  CHECK(receipts[0]["batchId"] == "EU-1");
  CHECK(receipts[0]["status"] == "accepted");
  auto aeo = of_kind(out, "foreign.aeo-receipt");
  REQUIRE(aeo.size() == 1);
  CHECK(aeo[0]["applied"] == 2);

  // 2. Killed right after sending a batch (its receipt may or may not have come): a
  // suspension at version 2 and a new operator.
  bridge = w.start({"--test-hold-ms", "200"}, "foreign-3");
  bridge->write_line(record_line("DE1000000000002", "suspended", 2));
  bridge->write_line(record_line("DE1000000000003", "valid", 1));
  bridge->wait_event("sent");
  bridge->kill9();
  bridge = w.start({}, "foreign-4");
  bridge->close_input();
  REQUIRE(bridge->wait_exit(20s) == 0);
  INFO(bridge->log());
  for (auto& r : of_kind(bridge->output(), "receipt")) {
    CHECK(r["batchId"] == "EU-2");
    CHECK((r["status"] == "accepted" || r["status"] == "duplicate"));
  }
  // Every foreign.aeo-receipt of the whole story: never an error, and EU-2 applied at
  // most once (a resend changes nothing).
  size_t eu2_applied = 0;
  for (auto file : {"foreign-3.out", "foreign-4.out"}) {
    std::ifstream in{w.dir.file(file)};
    std::string line;
    while (std::getline(in, line)) {
      auto j = nlohmann::json::parse(line, nullptr, false);
      if (j.is_discarded())
        continue;
      CHECK(j.value("kind", "") != "error");
      CHECK(j.value("status", "") != "rejected");
      if (j.value("kind", "") == "foreign.aeo-receipt" && j.value("batchId", "") == "EU-2")
        eu2_applied += j.value("applied", 0u);
    }
  }
  CHECK(eu2_applied <= 2);
  auto held = w.all();
  REQUIRE(held.size() == 3);
  std::set<std::string> ids;
  for (auto& h : held)
    ids.insert(h["id"].get<std::string>());
  CHECK(ids == std::set<std::string>{"DE1000000000001", "DE1000000000002", "DE1000000000003"});
  auto two = w.held("DE1000000000002");
  CHECK(two["status"] == "suspended");
  CHECK(two["version"] == 2);
  CHECK(w.held("DE1000000000001")["version"] == 1);
  st = nlohmann::json::parse(read_text(w.state));
  CHECK(st["batches"].empty());
  CHECK(st["batchesReceipted"] == 2);
}

TEST_CASE("SR-18.4 swhub-foreign --simulate sends a SAMPLE list of 20 EORI operators as a snapshot and a delta that "
          "changes versions",
          "[integration][foreign][foreign-bridge]") {
  bridge_world w;
  auto bridge = w.start({"--simulate", "--records", "20", "--deltas", "1", "--delta-every-s", "1"});
  int rc = bridge->wait_exit(30s);
  INFO(bridge->log());
  REQUIRE(rc == 0);
  auto out = bridge->output();
  auto receipts = of_kind(out, "receipt");
  REQUIRE(receipts.size() == 2); // the snapshot, the delta
  for (auto& r : receipts)
    CHECK(r["status"] == "accepted");
  auto aeo = of_kind(out, "foreign.aeo-receipt");
  REQUIRE(aeo.size() == 2);
  CHECK(aeo[0]["applied"] == 20);
  CHECK(aeo[1]["applied"].get<int>() >= 1);
  CHECK(aeo[1]["highestVersion"].get<int>() >= 2);
  auto held = w.all();
  REQUIRE(held.size() == 20);
  size_t changed = 0;
  for (auto& h : held) {
    auto id = h["id"].get<std::string>();
    CHECK(id.size() == 15);
    CHECK(id.rfind("DE", 0) == 0);
    if (h["version"].get<uint64_t>() > 1) {
      ++changed;
      CHECK(h["status"] == "suspended");
    }
  }
  CHECK(changed >= 1);
}

TEST_CASE("SR-18.4 swhub-foreign reports a record the hub would refuse by its input line and sends the good records "
          "of the same input, and a record the hub refuses in a batch by its line while the rest is sent again",
          "[integration][foreign][foreign-bridge]") {
  bridge_world w;
  // --id-scheme ctpat: "123456" passes the bridge's check, and the hub (EU-CN takes
  // EORIs) refuses the batch naming it.
  auto bridge = w.start({"--batch-prefix", "EU", "--id-scheme", "ctpat", "--flush-ms", "2000"});
  bridge->write_line(record_line("DE2000000000001", "valid", 1));
  nlohmann::json long_name = nlohmann::json::parse(record_line("DE2000000000002", "valid", 1));
  long_name["Name"] = std::string(600, 'x');
  bridge->write_line(long_name.dump());                           // line 2: Name over 512
  bridge->write_line(record_line("123456", "valid", 1));          // line 3: not an EORI
  bridge->write_line(record_line("DE2000000000004", "valid", 1, std::string(513, 'n'))); // line 4
  bridge->write_line(record_line("DE2000000000005", "suspended", 3));
  bridge->close_input();
  int rc = bridge->wait_exit(30s);
  INFO(bridge->log());
  REQUIRE(rc == 0);
  auto out = bridge->output();
  auto errors = of_kind(out, "error");
  REQUIRE(errors.size() == 3);
  std::set<int> lines;
  for (auto& e : errors)
    lines.insert(e["line"].get<int>());
  CHECK(lines == std::set<int>{2, 3, 4});
  for (auto& e : errors)
    if (e["line"] == 3) {
      CHECK(e["batchId"] == "EU-1");
      CHECK(e["errorName"] == "invalid_identifier");
    }
  auto held = w.all();
  std::set<std::string> ids;
  for (auto& h : held)
    ids.insert(h["id"].get<std::string>());
  CHECK(ids == std::set<std::string>{"DE2000000000001", "DE2000000000005"});
  auto receipts = of_kind(out, "receipt");
  REQUIRE(receipts.size() == 2);
  CHECK(receipts[0]["status"] == "rejected");
  CHECK(receipts[1]["status"] == "accepted");
  CHECK(receipts[1]["records"] == 2);
}

TEST_CASE("SR-18.4 swhub-foreign stopped with SIGTERM while the hub is unreachable keeps every line it read in its "
          "state file, and a restart against the hub delivers them all",
          "[integration][foreign][foreign-bridge][crash]") {
  bridge_world w;
  REQUIRE(w.hubd->terminate() == 0);
  constexpr int n = 40;
  // One record per batch: more than the 16 batches the bridge keeps pending before it
  // stops reading, so most lines are still queued when it is stopped.
  auto bridge = w.start({"--batch-prefix", "EU", "--batch", "1"});
  for (int i = 1; i <= n; ++i) {
    char id[32];
    std::snprintf(id, sizeof id, "DE3%012d", i);
    bridge->write_line(record_line(id, "valid", 1));
  }
  bridge->wait_event("connect_failed");
  bridge->wait_event("recorded");
  std::this_thread::sleep_for(300ms);
  REQUIRE(bridge->terminate() == 0);
  INFO(bridge->log());
  auto st = nlohmann::json::parse(read_text(w.state));
  CHECK(st["batches"].size() == static_cast<size_t>(n));
  size_t stopping = 0;
  for (auto& e : bridge->events())
    if (e.value("event", "") == "stopping") {
      ++stopping;
      CHECK(e["unsentRecords"] == n);
    }
  CHECK(stopping == 1);

  w.hubd = std::make_unique<hub_process>(w.dir, w.config);
  bridge = w.start({}, "foreign-2");
  bridge->close_input();
  REQUIRE(bridge->wait_exit(60s) == 0);
  CHECK(w.all().size() == static_cast<size_t>(n));
  CHECK(nlohmann::json::parse(read_text(w.state))["batches"].empty());
}

TEST_CASE("SR-18.4 swhub-foreign keeps a batch the hub refuses for a data set not the arrangement's, prints it as "
          "retry, and sends it once restarted with the right --data-set",
          "[integration][foreign][foreign-bridge]") {
  bridge_world w;
  auto bridge = w.start({"--batch-prefix", "EU", "--data-set", "aeo-9/9"});
  bridge->write_line(record_line("DE4000000000001", "valid", 1));
  bridge->close_input();
  nlohmann::json retry;
  auto deadline = std::chrono::steady_clock::now() + 15s;
  while (retry.is_null() && std::chrono::steady_clock::now() < deadline) {
    for (auto& r : of_kind(bridge->output(), "receipt"))
      if (r["status"] == "retry")
        retry = r;
    std::this_thread::sleep_for(50ms);
  }
  INFO(bridge->log());
  REQUIRE(retry.is_object());
  CHECK(retry["errorName"] == "data_set_mismatch");
  CHECK(retry["retryInMs"].get<int>() > 0);
  for (auto& r : of_kind(bridge->output(), "receipt"))
    CHECK(r["status"] != "rejected");
  REQUIRE(bridge->terminate() == 0);
  CHECK(nlohmann::json::parse(read_text(w.state))["batches"].size() == 1);

  bridge = w.start({}, "foreign-2");
  bridge->close_input();
  REQUIRE(bridge->wait_exit(20s) == 0);
  auto receipts = of_kind(bridge->output(), "receipt");
  REQUIRE(receipts.size() == 1);
  CHECK(receipts[0]["status"] == "accepted");
  CHECK(w.held("DE4000000000001").is_object());
}
