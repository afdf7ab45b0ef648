// swhub-bench-ingest: the durable-ingest benchmark. Prints the machine, measures its
// fsync rate, then runs an open-loop and a closed-loop phase, each against a fresh
// swhubd child process with a fresh data dir, and compares the figures with the goals
// and with what the disk allows. bench/README.md explains every number.

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <sstream>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <zmq.hpp>

#include "bench/ingest/report.hpp"

#ifndef SWHUB_BENCH_DEFAULT_SWHUBD
#define SWHUB_BENCH_DEFAULT_SWHUBD "swhubd"
#endif

namespace {

namespace fs = std::filesystem;

struct options {
  std::string swhubd = SWHUB_BENCH_DEFAULT_SWHUBD;
  std::string tmp_base;
  std::string phases = "open,closed";
  size_t connections = 8;
  size_t parties = 0; ///< 0: one per connection
  double rate = 10000;
  double duration_s = 10;
  double fsync_s = 2;
  double drain_s = 15;
  size_t window = 64;
  size_t batch = 512;
  size_t interval_us = 500;
  size_t workers = 2;
  size_t caf_threads = 0;
  std::string doc_size = "normal";
  bool sign = false;
  bool keep = false;
  bool json = false;
};

void add_options(CLI::App& app, options& o) {
  app.add_option("--swhubd", o.swhubd, "the hub binary to start")->capture_default_str();
  app.add_option("--tmp-dir", o.tmp_base,
                 "where the temp dir (data dirs, fsync probe) goes; default $TMPDIR or /tmp");
  app.add_option("--phases", o.phases, "comma-separated: open, closed")->capture_default_str();
  app.add_option("--connections", o.connections, "partner connections, one thread each")
    ->capture_default_str()->check(CLI::Range(1, 1024));
  app.add_option("--parties", o.parties, "registered parties (default: one per connection)")
    ->check(CLI::Range(0, 1024));
  app.add_option("--rate", o.rate, "open loop: total envelopes per second")
    ->capture_default_str()->check(CLI::PositiveNumber);
  app.add_option("--duration-s", o.duration_s, "seconds of sending per phase")
    ->capture_default_str()->check(CLI::PositiveNumber);
  app.add_option("--fsync-s", o.fsync_s, "seconds of the fsync probe")->capture_default_str();
  app.add_option("--drain-s", o.drain_s, "longest wait for outstanding receipts")
    ->capture_default_str();
  app.add_option("--window", o.window, "closed loop: envelopes in flight per connection")
    ->capture_default_str()->check(CLI::Range(1, 100000));
  app.add_option("--batch", o.batch, "hub store.commit-max-batch")->capture_default_str();
  app.add_option("--interval-us", o.interval_us, "hub store.commit-interval-us")
    ->capture_default_str();
  app.add_option("--workers", o.workers, "hub intake.workers")->capture_default_str();
  app.add_option("--caf-threads", o.caf_threads, "hub hub.caf-threads (0: its default)")
    ->capture_default_str();
  app.add_option("--doc-size", o.doc_size,
                 "normal: 1-3 items, ~1 KB frames; small: 1 item, ~0.5 KB frames")
    ->capture_default_str()->check(CLI::IsMember({"normal", "small"}));
  app.add_flag("--sign", o.sign,
               "sign every declaration (ECDSA P-256) and have the hub require it, as "
               "config/hub.toml does for enterprises");
  app.add_flag("--keep", o.keep, "keep the temp dir (configs, data, hub logs, keys)");
  app.add_flag("--json", o.json, "JSON on stdout (the text report goes to stderr)");
}

std::string settings_line(const options& o) {
  std::ostringstream s;
  s << "connections " << o.connections << ", rate " << o.rate << "/s, duration "
    << o.duration_s << " s, window " << o.window << ", batch " << o.batch << ", interval "
    << o.interval_us << " us, workers " << o.workers << ", docs " << o.doc_size
    << (o.sign ? ", signed" : ", unsigned");
  if (o.caf_threads > 0)
    s << ", caf-threads " << o.caf_threads;
  return s.str();
}

std::string command_line(int argc, char** argv) {
  std::string s;
  for (int i = 0; i < argc; ++i)
    s += (i ? " " : "") + std::string{argv[i]};
  return s;
}

/// A fresh directory for this run; everything the run writes goes below it.
std::string make_temp_dir(const options& o) {
  std::string base = o.tmp_base;
  if (base.empty()) {
    const char* t = std::getenv("TMPDIR");
    base = t != nullptr && *t != '\0' ? t : "/tmp";
  }
  std::string pattern = base + "/swhub-bench-ingest-XXXXXX";
  if (mkdtemp(pattern.data()) == nullptr)
    return {};
  return fs::canonical(pattern).string();
}

bool wants(const options& o, const std::string& phase) {
  std::istringstream in{o.phases};
  std::string item;
  while (std::getline(in, item, ','))
    if (item == phase)
      return true;
  return false;
}

/// Starts and stops a hub without load: its commit count is the start-up overhead.
uint64_t idle_commits(const options& o, const std::string& dir,
                      const std::vector<bench::bench_party>& parties, std::string& error) {
  bench::hub_settings hs{o.swhubd, dir,          o.batch, o.interval_us,
                         o.workers,  o.caf_threads, o.sign,  parties};
  bench::hub_process hub;
  error = hub.start(hs);
  if (!error.empty())
    return 0;
  auto c = hub.stop();
  if (!c.found)
    error = "swhubd logged no \"stopped:\" counters (exit status "
            + std::to_string(c.exit_status) + "); see " + hub.log_path();
  return c.commits;
}

bench::phase_report run_one_phase(const options& o, const std::string& name,
                                  const std::string& dir,
                                  const std::vector<bench::bench_party>& parties,
                                  const std::string& disk, uint64_t idle,
                                  zmq::context_t& ctx) {
  bench::phase_report rep;
  rep.load.name = name;
  rep.load.connections = o.connections;
  rep.load.planned_rate = name == "open" ? o.rate : 0;
  bench::hub_settings hs{o.swhubd, dir,          o.batch, o.interval_us,
                         o.workers,  o.caf_threads, o.sign,  parties};
  bench::hub_process hub;
  if (auto err = hub.start(hs); !err.empty()) {
    rep.error = err;
    return rep;
  }
  std::vector<bench::client_identity> who;
  for (auto& p : parties)
    who.push_back({p.keys, o.sign ? p.sign_stem : std::string{}});
  auto clients = bench::connect_clients(ctx, hub.endpoint(), hub.server_public_key(), who,
                                        o.connections);
  if (!clients.error.empty()) {
    rep.error = clients.error;
    rep.hub = hub.stop();
    return rep;
  }
  bench::load_settings ls;
  ls.open_loop = name == "open";
  ls.rate = o.rate;
  ls.window = o.window;
  ls.duration_s = o.duration_s;
  ls.drain_s = o.drain_s;
  ls.size = o.doc_size == "small" ? bench::doc_size::small : bench::doc_size::normal;
  rep.fsync_before = bench::probe_fsync(dir, std::max(0.5, o.fsync_s / 2));
  auto before = bench::take_cpu_snapshot(hub.pid(), disk);
  rep.load = bench::run_phase(std::move(clients), ls);
  auto after = bench::take_cpu_snapshot(hub.pid(), disk);
  rep.cpu = bench::cpu_between(before, after, hub.pid());
  rep.hub = hub.stop();
  bench::finish_phase(rep, idle);
  return rep;
}

int run(const options& o, const std::string& command) {
  std::ostream& text = o.json ? std::cerr : std::cout;
  auto tmp = make_temp_dir(o);
  if (tmp.empty()) {
    std::cerr << "swhub-bench-ingest: cannot create a temp dir\n";
    return 2;
  }
  bench::run_report r;
  r.command = command;
  r.settings = settings_line(o);
  r.swhubd = o.swhubd;
  r.machine = bench::describe_machine(tmp);
  bench::print_machine(text, r.machine, tmp);
  text << "  swhubd: " << o.swhubd << "\n  settings: " << r.settings << "\n" << std::flush;
  r.fsync = bench::probe_fsync(tmp, o.fsync_s);
  bench::probe_synced_bandwidth(tmp, o.fsync_s / 2, r.fsync);
  bench::print_fsync(text, r.fsync);
  std::string key_error;
  auto parties = bench::make_parties(o.parties > 0 ? o.parties : o.connections,
                                     tmp + "/partner-keys", key_error);
  int rc = 0;
  if (parties.empty()) {
    std::cerr << "swhub-bench-ingest: " << key_error << "\n";
    rc = 2;
  } else {
    std::string err;
    r.idle_commits = idle_commits(o, tmp + "/idle", parties, err);
    if (!err.empty()) {
      std::cerr << "swhub-bench-ingest: hub without load: " << err << "\n";
      rc = 2;
    }
  }
  {
    zmq::context_t ctx; // clients are destroyed inside each phase, before this
    for (auto name : {"open", "closed"}) {
      if (rc != 0 || !wants(o, name))
        continue;
      text << std::flush;
      r.phases.push_back(run_one_phase(o, name, tmp + "/" + name, parties,
                                         bench::disk_name(r.machine.fs_device),
                                         r.idle_commits, ctx));
      bench::print_phase(text, r.phases.back());
      if (!r.phases.back().error.empty())
        rc = 1;
    }
  }
  r.load_after = bench::load_average();
  bench::print_summary(text, r);
  if (o.json)
    std::cout << bench::to_json(r).dump(2) << "\n";
  if (o.keep) {
    text << "  kept: " << tmp << "\n";
  } else {
    std::error_code ec;
    fs::remove_all(tmp, ec);
  }
  return rc;
}

} // namespace

int main(int argc, char** argv) {
  CLI::App app{"swhub-bench-ingest: durable-ingest benchmark of swhubd (see bench/README.md)"};
  options o;
  add_options(app, o);
  CLI11_PARSE(app, argc, argv);
  try {
    return run(o, command_line(argc, argv));
  } catch (const std::exception& e) {
    std::cerr << "swhub-bench-ingest: " << e.what() << "\n";
    return 2;
  }
}
