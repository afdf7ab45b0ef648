// swhub-bench-foreign: what a partner customs' AEO exchange costs through the real
// swhubd (issue 11, SR-18). Prints the machine and the disk's sync rate, then
//   1. the snapshot: --records AEO records (EORI ids) sent as foreign.aeo-batch
//      documents of --batch records, one after the other (each waits for its hub
//      receipt: the batch is committed), then until the last foreign.aeo-receipt
//      notification arrived: time and records per second;
//   2. the delta: --delta of those records at version 2 (one in ten suspended) in one
//      batch, --repeat times (a new version each time): time per delta;
//   3. the same snapshot again (every record "unchanged"): what a resend costs.
// The receipts' counts are checked (applied / unchanged); a mismatch fails the run.

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <sstream>

#include <CLI/CLI.hpp>
#include <capnp/message.h>
#include <nlohmann/json.hpp>
#include <zmq.hpp>

#include "actors/core/frames.hpp"
#include "adapters/zmq/client.hpp"
#include "bench/common/fsync_probe.hpp"
#include "bench/common/hub_process.hpp"
#include "bench/common/machine.hpp"
#include "schemas/foreign.capnp.h"

#ifndef SWHUB_BENCH_DEFAULT_SWHUBD
#define SWHUB_BENCH_DEFAULT_SWHUBD "swhubd"
#endif
#ifndef SWHUB_BENCH_SOURCE_DIR
#define SWHUB_BENCH_SOURCE_DIR "."
#endif

namespace {

namespace fs = std::filesystem;
using clock_type = std::chrono::steady_clock;

struct options {
  std::string swhubd = SWHUB_BENCH_DEFAULT_SWHUBD;
  size_t records = 100000;
  size_t batch = 5000;
  size_t delta = 1000;
  size_t repeat = 5;
  double fsync_s = 1;
  bool keep = false;
};

std::string fixed(double v, int digits) {
  std::ostringstream o;
  o << std::fixed << std::setprecision(digits) << v;
  return o.str();
}

std::string eori(size_t i) {
  std::ostringstream o;
  o << "DE" << std::setw(13) << std::setfill('0') << i;
  return o.str();
}

hub::bytes batch_payload(const std::string& id, size_t from, size_t count, uint64_t version, bool snapshot) {
  capnp::MallocMessageBuilder mb;
  auto b = mb.initRoot<swhub::wire::AeoBatch>();
  b.setBatchId(id);
  b.setDataSet("aeo-7/1");
  b.setSnapshot(snapshot);
  auto list = b.initRecords(static_cast<unsigned>(count));
  for (unsigned k = 0; k < list.size(); ++k) {
    auto i = from + k;
    auto r = list[k];
    r.setId(eori(i));
    r.setName("Bench Operator " + std::to_string(i) + " GmbH");
    r.setAddress(std::to_string(1 + i % 200) + " Hafenstrasse, 20457 Hamburg, DE");
    r.setStatus(version > 1 && i % 10 == 0 ? swhub::wire::AeoStatus::SUSPENDED : swhub::wire::AeoStatus::VALID);
    r.setValidatedAt(1700000000000);
    r.setProgramme(i % 3 == 0 ? "AEOS" : "AEOF");
    r.setVersion(version);
    r.setChangedAt(1700000000000 + static_cast<int64_t>(version));
  }
  return hub::to_bytes(mb);
}

/// Waits for the foreign.aeo-receipt of `batch_id` (acknowledging what arrives).
nlohmann::json wait_receipt(hub::partner_client& c, const std::string& batch_id, std::string& error) {
  auto until = clock_type::now() + std::chrono::seconds{60};
  while (clock_type::now() < until) {
    auto n = c.next_notification(std::chrono::milliseconds{200});
    if (!n)
      continue;
    c.ack(n->id);
    if (!n->is_document || n->document_name != "foreign.aeo-receipt")
      continue;
    auto j = nlohmann::json::parse(n->content.begin(), n->content.end(), nullptr, false);
    if (!j.is_discarded() && j.value("batchId", "") == batch_id)
      return j;
  }
  error = "no receipt for batch " + batch_id;
  return nullptr;
}

struct run_result {
  double seconds = 0;
  size_t bytes = 0;
  size_t applied = 0, unchanged = 0;
  std::string error;
};

/// Sends records [0, count) in batches of `batch` at `version`; returns when the last
/// batch's foreign.aeo-receipt arrived.
run_result send(hub::partner_client& c, const std::string& prefix, size_t from, size_t count, size_t batch,
                uint64_t version, bool snapshot) {
  run_result r;
  auto t0 = clock_type::now();
  std::string last;
  for (size_t at = from; at < from + count; at += batch) {
    auto n = std::min(batch, from + count - at);
    hub::outgoing d;
    d.document_type = "foreign.aeo-batch";
    last = prefix + "-" + std::to_string(at);
    d.payload = batch_payload(last, at, n, version, snapshot);
    r.bytes += d.payload.size();
    auto rc = c.submit(d);
    if (!rc || rc->status != hub::receipt::accepted) {
      r.error = "batch " + last + ": " + (rc ? rc->error_name + " " + rc->reason : hub::context_text(rc.error()));
      return r;
    }
  }
  // Every batch's receipt notification; the counts are summed.
  for (size_t at = from; at < from + count; at += batch) {
    auto j = wait_receipt(c, prefix + "-" + std::to_string(at), r.error);
    if (!r.error.empty())
      return r;
    r.applied += j.value("applied", size_t{0});
    r.unchanged += j.value("unchanged", size_t{0});
  }
  r.seconds = std::chrono::duration<double>(clock_type::now() - t0).count();
  return r;
}

int run(const options& o) {
  auto tmp = fs::temp_directory_path() / ("swhub-bench-foreign-" + std::to_string(::getpid()));
  fs::create_directories(tmp);
  auto m = bench::describe_machine(tmp.string());
  std::cout << "swhub-bench-foreign\nmachine\n  cpu      " << m.cpu_model << "\n  cores    " << m.cores
            << " (nproc)\n  memory   " << fixed(m.memory_gib, 1) << " GiB\n  kernel   " << m.kernel
            << "\n  temp dir " << tmp.string() << " (" << m.fs_type << " on " << m.fs_device << ")\n  date     "
            << m.date << "\n  load     " << m.load_avg << " (1/5/15 min, start)\n";
  auto f = bench::probe_fsync(tmp.string(), o.fsync_s);
  std::cout << "\nlimits measured here\n";
  if (!f.error.empty())
    std::cout << "  fsync probe: " << f.error << "\n";
  else
    std::cout << "  pwrite 4 KiB + fdatasync   " << fixed(f.syncs_per_s, 0) << "/s (p50 " << fixed(f.latency.p50_ms, 3)
              << " ms); 1 MiB + fdatasync " << fixed(f.big_mib_per_s, 0) << " MiB/s\n";
  std::string err;
  auto parties = bench::make_parties(1, (tmp / "keys").string(), err);
  if (!err.empty()) {
    std::cerr << "swhub-bench-foreign: " << err << "\n";
    return 2;
  }
  parties[0].id = "FOREIGN-EU"; // the SAMPLE partner of config/foreign.toml
  parties[0].role = "foreign-customs";
  bench::hub_settings hs;
  hs.swhubd = o.swhubd;
  hs.dir = (tmp / "hub").string();
  hs.parties = parties;
  bench::hub_process hub;
  hub.set_extra_toml("[foreign]\nconfig = '" SWHUB_BENCH_SOURCE_DIR "/config/foreign.toml'\n");
  if (auto e = hub.start(hs); !e.empty()) {
    std::cerr << "swhub-bench-foreign: " << e << "\n";
    return 2;
  }
  zmq::context_t ctx;
  hub::client_options co;
  co.endpoint = hub.endpoint();
  co.server_public_key = hub.server_public_key();
  co.keys = parties[0].keys;
  co.client_name = "swhub-bench-foreign";
  co.timeout = std::chrono::milliseconds{60000};
  auto c = hub::partner_client::connect(ctx, co);
  if (!c) {
    std::cerr << "swhub-bench-foreign: connect: " << hub::context_text(c.error()) << "\n";
    return 2;
  }
  int rc = 0;
  auto report = [&](const std::string& what, const run_result& r, size_t records, size_t want_applied) {
    if (!r.error.empty()) {
      std::cout << "  " << what << ": " << r.error << "\n";
      rc = 1;
      return;
    }
    std::cout << "  " << std::left << std::setw(34) << what << fixed(r.seconds * 1000, 1) << " ms, "
              << fixed(records / r.seconds, 0) << " records/s, " << fixed(r.bytes / 1048576.0, 1) << " MiB sent; "
              << r.applied << " applied, " << r.unchanged << " unchanged\n";
    if (r.applied != want_applied || r.applied + r.unchanged != records) {
      std::cout << "    MISMATCH: expected " << want_applied << " applied of " << records << "\n";
      rc = 1;
    }
  };
  std::cout << "\nAEO exchange: a partner customs' list into the hub (foreign.aeo-batch, " << o.batch
            << " records per batch, each batch committed before the next is sent)\n";
  auto s = send(**c, "S", 0, o.records, o.batch, 1, true);
  report("snapshot of " + std::to_string(o.records), s, o.records, o.records);
  std::vector<double> deltas;
  for (size_t k = 0; k < o.repeat && rc == 0; ++k) {
    auto d = send(**c, "D" + std::to_string(k), k * o.delta % std::max<size_t>(1, o.records - o.delta), o.delta,
                  o.delta, 2 + k, false);
    report("delta of " + std::to_string(o.delta) + " (run " + std::to_string(k + 1) + ")", d, o.delta, o.delta);
    deltas.push_back(d.seconds * 1000);
  }
  if (!deltas.empty()) {
    std::sort(deltas.begin(), deltas.end());
    std::cout << "  delta median                      " << fixed(deltas[deltas.size() / 2], 1) << " ms\n";
  }
  auto again = send(**c, "R", 0, o.records, o.batch, 1, true);
  report("the snapshot again (resend)", again, o.records, 0);
  c->reset();
  auto counters = hub.stop();
  std::cout << "\nhub: exit " << counters.exit_status << ", " << counters.accepted << " accepted, " << counters.commits
            << " commits, " << counters.warnings << " warnings, " << counters.errors << " errors\n";
  if (!o.keep)
    fs::remove_all(tmp);
  else
    std::cout << "kept: " << tmp.string() << "\n";
  return rc;
}

} // namespace

int main(int argc, char** argv) {
  options o;
  CLI::App app{"swhub-bench-foreign: a partner customs' AEO snapshot and deltas through the real swhubd"};
  app.add_option("--swhubd", o.swhubd, "the swhubd binary")->capture_default_str();
  app.add_option("--records", o.records, "records in the snapshot")->capture_default_str();
  app.add_option("--batch", o.batch, "records per foreign.aeo-batch (foreign.toml allows 5000)")->capture_default_str();
  app.add_option("--delta", o.delta, "records in each delta")->capture_default_str();
  app.add_option("--repeat", o.repeat, "deltas sent")->capture_default_str();
  app.add_option("--fsync-s", o.fsync_s, "seconds of the fsync probe")->capture_default_str();
  app.add_flag("--keep", o.keep, "keep the temp dir (hub data, keys, log)");
  CLI11_PARSE(app, argc, argv);
  return run(o);
}
