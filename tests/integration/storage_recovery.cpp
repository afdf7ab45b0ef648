// Recovery from a full disk without a restart (issue 16): the data directory on a small
// tmpfs, filled under load until the hub refuses with hub_not_ready; reads keep working
// and nothing new is accepted; once the filler is deleted the same message ids are
// accepted within seconds, each exactly once, sequences stay contiguous, the evidence
// log verifies, and the log names the full disk on the way in and readiness on the way
// out. A customs declaration refused while full is decided exactly once after.

#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <mutex>
#include <regex>
#include <set>
#include <thread>

#include <nlohmann/json.hpp>

#include "actors/core/error.hpp"
#include "actors/store/evidence.hpp"
#include "actors/store/lmdb_storage.hpp"
#include "tests/support/exchange_checks.hpp"
#include "tests/support/hub_process.hpp"
#include "tests/support/samples.hpp"
#include "tests/support/tmpfs.hpp"
#include "actors/customs/customs_tables.hpp"

using namespace hub;
using namespace hub::test;
using namespace std::chrono_literals;

namespace {

using steady = std::chrono::steady_clock;

outgoing big_document(const std::string& party, int n) {
  declaration_spec spec;
  spec.declaration_id = party + "-BIG-" + std::to_string(n);
  spec.description = std::string(30 * 1024, 'd'); // ~30 KB per document
  return doc("customs.declaration", declaration_payload(spec));
}

struct sent {
  outgoing doc;
  receipt rec;
};

/// One partner under load: sends ~30 KB documents until it has been refused
/// `refusals` times; every document sent after its first refusal must be refused too.
struct loader {
  std::vector<sent> accepted;
  std::vector<outgoing> refused;
  std::vector<std::string> problems;

  void run(const hub_process& hubd, const test_party& party, std::atomic<bool>& full,
           size_t refusals) {
    zmq::context_t ctx;
    auto c = partner_client::connect(ctx, hubd.options_for(party));
    if (!c) {
      problems.push_back(party.id + ": cannot connect: " + context_text(c.error()));
      return;
    }
    for (int n = 0; n < 2000 && refused.size() < refusals; ++n) {
      auto d = big_document(party.id, n);
      auto r = (*c)->submit(d);
      if (!r) {
        problems.push_back(party.id + ": " + context_text(r.error()));
        return;
      }
      if (r->status == receipt::accepted) {
        if (!refused.empty())
          problems.push_back(party.id + ": accepted a document after a refusal (sequence "
                             + std::to_string(r->sequence) + ")");
        accepted.push_back({d, *r});
      } else if (r->error_name == "hub_not_ready" && r->retryable) {
        full = true;
        refused.push_back(d);
      } else {
        problems.push_back(party.id + ": unexpected " + r->error_name + ": " + r->reason);
        return;
      }
    }
  }
};

/// Re-sends `d` until it is accepted (or `limit` passes); the receipt.
receipt resend_until_accepted(partner_client& c, const outgoing& d, std::chrono::milliseconds limit) {
  auto until = steady::now() + limit;
  receipt last;
  while (steady::now() < until) {
    last = submit(c, d);
    if (last.status != receipt::rejected)
      return last;
    INFO(last.reason);
    REQUIRE(last.error_name == "hub_not_ready");
    std::this_thread::sleep_for(50ms);
  }
  FAIL("still refused after " << limit.count() << " ms: " << last.reason);
  return last;
}

lmdb_options read_only(const temp_dir& dir) {
  lmdb_options o;
  o.dir = dir.file("data");
  o.read_only = true;
  return o;
}

void check_audit_and_lmdb(const temp_dir& dir) {
  auto out = run_cli("audit verify --data-dir " + dir.file("data") + " --hub-key "
                     + dir.file("hub.sign.pub.pem"));
  INFO(out.out);
  CHECK(out.exit_code == 0);
  CHECK_THAT(out.out, Catch::Contains("\"ok\":true"));
  auto stat = run_command("mdb_stat -e " + dir.file("data") + " 2>&1");
  INFO(stat.out);
  CHECK(stat.exit_code == 0);
}

} // namespace

TEST_CASE("after a full disk is freed the hub accepts the refused message ids again within "
          "seconds, without a restart, each exactly once", "[integration][fault][disk-full]") {
  temp_dir dir;
  tmpfs_mount disk{dir.file("data"), "8m"};
  if (!disk.mounted()) {
    WARN("cannot mount a tmpfs here (" << disk.why() << "): disk-full recovery not run");
    return;
  }
  std::vector<test_party> parties{make_party("ENT-A", "enterprise"), make_party("ENT-B", "enterprise"),
                                  make_party("ENT-C", "enterprise")};
  auto late = make_party("ENT-D", "enterprise");
  auto all = parties;
  all.push_back(late);
  hub_process hubd{dir, write_hub_config(dir, all)};
  // Leave the hub about 3 MiB: the filler stands for whatever else fills a disk.
  auto filler = dir.file("data/filler");
  REQUIRE(fill_file(filler, 5 << 20) == size_t{5 << 20});

  // Three partners at once until each was refused a few times.
  std::atomic<bool> full{false};
  std::vector<loader> loads(parties.size());
  {
    std::vector<std::thread> threads;
    for (size_t i = 0; i < parties.size(); ++i)
      threads.emplace_back([&, i] { loads[i].run(hubd, parties[i], full, 8); });
    for (auto& t : threads)
      t.join();
  }
  std::vector<sent> accepted;
  size_t refusals = 0;
  for (auto& l : loads) {
    for (auto& p : l.problems)
      FAIL_CHECK(p);
    accepted.insert(accepted.end(), l.accepted.begin(), l.accepted.end());
    refusals += l.refused.size();
  }
  REQUIRE(full);
  REQUIRE_FALSE(loads[0].accepted.empty());
  REQUIRE(refusals == 24);
  CHECK_THAT(hubd.log(), Catch::Contains("disk full: " + dir.file("data")));
  CHECK_THAT(hubd.log(), Catch::Contains("Input/output error") || Catch::Contains("No space left on device"));

  zmq::context_t ctx;
  auto a = hubd.connect(ctx, parties[0]);
  { // Not ready: nothing new goes in, reads and duplicates still work.
    auto c = hubd.connect(ctx, late);
    CHECK(refused(*c, doc("customs.declaration", declaration_payload())) == "hub_not_ready");
    auto& first = loads[0].accepted.front();
    auto st = a->query_status(first.doc.message_id);
    REQUIRE(st);
    CHECK(st->status == "accepted");
    CHECK(st->sequence == first.rec.sequence);
    auto dup = submit(*a, first.doc);
    CHECK(dup.status == receipt::duplicate);
    CHECK(dup.sequence == first.rec.sequence);
    auto never = a->query_status(loads[0].refused.front().message_id);
    REQUIRE(never);
    CHECK(never->status == "unknown"); // a refused document left nothing behind
  }

  // Full for a while: the probes back off to their 2 s cap (a busy loop would probe
  // thousands of times).
  std::this_thread::sleep_for(4s);
  // Free the disk: the same ids go in within seconds.
  std::filesystem::remove(filler);
  auto t0 = steady::now();
  auto first = resend_until_accepted(*a, loads[0].refused.front(), 10s);
  CHECK(first.status == receipt::accepted);
  auto waited = steady::now() - t0;
  CHECK(waited < 5s); // probes back off to 2 s at most
  std::vector<uint64_t> sequences;
  for (auto& s : accepted)
    sequences.push_back(s.rec.sequence);
  sequences.push_back(first.sequence);
  for (size_t i = 0; i < parties.size(); ++i) {
    auto c = i == 0 ? std::move(a) : hubd.connect(ctx, parties[i]);
    for (size_t k = i == 0 ? 1 : 0; k < loads[i].refused.size(); ++k) {
      auto r = submit(*c, loads[i].refused[k]);
      INFO(r.error_name << ": " << r.reason);
      CHECK(r.status == receipt::accepted);
      sequences.push_back(r.sequence);
    }
    for (auto& s : loads[i].accepted) { // accepted before: the original receipt
      auto r = submit(*c, s.doc);
      CHECK(r.status == receipt::duplicate);
      CHECK(r.sequence == s.rec.sequence);
    }
    if (i == 0)
      CHECK(submit(*c, loads[0].refused.front()).sequence == first.sequence);
  }
  // Every document exactly once, under contiguous sequences 1..N.
  std::sort(sequences.begin(), sequences.end());
  CHECK(std::adjacent_find(sequences.begin(), sequences.end()) == sequences.end());
  CHECK(sequences.front() == 1);
  CHECK(sequences.back() == sequences.size());
  CHECK(hubd.terminate() == 0);
  auto log = hubd.log();
  CHECK_THAT(log, Catch::Contains("commit failed, store not ready: disk full"));
  CHECK_THAT(log, Catch::Contains("store ready again after"));
  std::smatch m;
  REQUIRE(std::regex_search(log, m, std::regex{R"((\d+) writes refused meanwhile, (\d+) probes)"}));
  CHECK(std::stoul(m[1]) >= refusals);
  CHECK(std::stoul(m[2]) <= 10); // 50 ms doubling to 2 s over about 5 s
  check_audit_and_lmdb(dir);
  auto db = lmdb_storage::open(read_only(dir));
  REQUIRE(db);
  CHECK((*db)->counts()["documents"] == sequences.size());
}

TEST_CASE("a customs declaration refused while the disk is full is decided exactly once after "
          "it is freed, and the guarantee reserved once", "[integration][fault][disk-full][customs]") {
  temp_dir dir;
  tmpfs_mount disk{dir.file("data"), "8m"};
  if (!disk.mounted()) {
    WARN("cannot mount a tmpfs here (" << disk.why() << "): disk-full recovery not run");
    return;
  }
  auto ent = make_party("ENT-A", "enterprise");
  hub_settings s;
  s.customs = customs_settings{};
  hub_process hubd{dir, write_hub_config(dir, {ent}, s)};
  zmq::context_t ctx;
  auto c = hubd.connect(ctx, ent);
  // The disk full to the last byte, then a burst of declarations: the first commits
  // that need new pages fail, with clearance's decisions for them already planned.
  auto filler = dir.file("data/filler");
  fill_file(filler, size_t{64} << 20);
  constexpr int count = 60;
  std::map<bytes, outgoing> docs;
  std::vector<bytes> order;
  for (int i = 0; i < count; ++i) {
    // PLAIN-ENT's CNY 10,000 guarantee covers one release of CNY 6,500: the first
    // declaration decided is released, every later one waits for the guarantee.
    declaration_spec spec;
    spec.declaration_id = "D-FULL-" + std::to_string(i);
    spec.importer = "PLAIN-ENT";
    spec.currency = "CNY";
    spec.value = "50000.00";
    spec.quantity = 10;
    spec.customs_unit = "2248";
    spec.settlement = 1;
    auto d = doc("customs.declaration", declaration_payload(spec));
    REQUIRE_FALSE(c->send_envelope(d));
    docs.emplace(d.message_id, d);
    order.push_back(d.message_id);
  }
  std::vector<bytes> refused_ids;
  size_t accepted_while_filling = 0;
  for (int i = 0; i < count; ++i) {
    auto r = c->next_receipt(10s);
    REQUIRE(r);
    INFO(r->error_name << ": " << r->reason);
    if (r->status == receipt::accepted) {
      ++accepted_while_filling;
      continue;
    }
    REQUIRE(r->error_name == "hub_not_ready");
    refused_ids.push_back(r->message_id);
  }
  REQUIRE_FALSE(refused_ids.empty());
  CHECK_THAT(hubd.log(), Catch::Contains("commit failed, store not ready: disk full"));
  std::filesystem::remove(filler);
  for (auto& id : refused_ids)
    CHECK(resend_until_accepted(*c, docs.at(id), 10s).status == receipt::accepted);
  // Each declaration has one case; exactly one was released on the guarantee.
  std::set<std::string> case_ids;
  int released = 0, waiting = 0;
  for (auto& id : order) {
    auto st = c->query_status(id);
    REQUIRE(st);
    INFO(st->declaration_id << " " << st->status << " " << st->waiting_on);
    CHECK(st->case_id.size() == 18);
    case_ids.insert(st->case_id);
    if (st->status == "released")
      ++released;
    else if (st->status == "accepted" && st->waiting_on.find("guarantee") != std::string::npos)
      ++waiting;
  }
  CHECK(case_ids.size() == size_t{count});
  CHECK(released == 1);
  CHECK(waiting == count - 1);
  CHECK(hubd.terminate() == 0);
  CHECK_THAT(hubd.log(), Catch::Contains("store ready again after"));
  check_audit_and_lmdb(dir);
  // What is stored agrees: one case and one lane decision per declaration, and the
  // guarantee reserved for the one release only.
  auto db = lmdb_storage::open(read_only(dir));
  REQUIRE(db);
  auto counts = (*db)->counts();
  CHECK(counts["customs.cases"] == size_t{count});
  CHECK(counts["customs.case_refs"] == size_t{count});
  std::map<std::string, int> lanes;
  (*db)->for_each(table::evidence, [&](const bytes&, const bytes& val) {
    auto e = decode_evidence(val);
    if (e && e->kind == evidence_entry::decision && e->detail.rfind("case ", 0) == 0
        && e->detail.find(": lane ") != std::string::npos)
      lanes[e->detail.substr(5, 18)]++;
    return true;
  });
  CHECK(lanes.size() == size_t{count});
  for (auto& [id, n] : lanes) {
    INFO(id);
    CHECK(n == 1);
  }
  auto ent_rec = (*db)->get(customs::tables::enterprises, bytes{'P', 'L', 'A', 'I', 'N', '-', 'E', 'N', 'T'});
  REQUIRE(ent_rec);
  auto j = nlohmann::json::parse(ent_rec->begin(), ent_rec->end());
  CHECK(j.value("reserved", int64_t{-1}) == 650000);
  CHECK(j.value("declarations", 0) == count);
  INFO("accepted while filling: " << accepted_while_filling);
}
