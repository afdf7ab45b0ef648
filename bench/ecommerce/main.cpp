// swhub-bench-ecommerce: cross-border e-commerce (issue 18) through the real swhubd.
// CEB platforms, payment companies, logistics companies and declaring agents (each its
// own party and connection) push the shuffled, signed CEB messages of P parcels; a
// parcel counts when the agent holds its release (or refusal) receipt. Phases:
// single-document messages (verify-bound), 100-document batches (parse- and
// commit-bound), and an open loop at a fixed parcel rate. Each phase prints the
// limits of this machine measured in the same run. bench/README.md explains every number.

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <sstream>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <zmq.hpp>

#include "bench/ecommerce/report.hpp"

#ifndef SWHUB_BENCH_DEFAULT_SWHUBD
#define SWHUB_BENCH_DEFAULT_SWHUBD "swhubd"
#endif

namespace {

namespace fs = std::filesystem;
using namespace bench::ceb;

struct options {
  std::string swhubd = SWHUB_BENCH_DEFAULT_SWHUBD;
  std::string tmp_base;
  std::string phases = "single,batch,open";
  std::string alg = "p256";
  size_t platforms = 2, payments = 2, logistics = 2, agents = 2;
  size_t parcels = 5000;      ///< single phase
  size_t batch_parcels = 20000; ///< batch phase
  size_t batch = 100;
  size_t window = 64;         ///< single: messages in flight per partner
  size_t batch_window = 2;    ///< batch: messages in flight per partner
  size_t shuffle_window = 1000;
  double rate = 1000;         ///< open loop, parcels/s
  double duration_s = 5;      ///< open loop
  std::string open_shape = "single";
  bool lockstep = false;
  size_t commit_max_batch = 512;
  size_t interval_us = 500;
  size_t workers = 2;
  size_t caf_threads = 0;
  double fsync_s = 2;
  double drain_s = 30;
  double probe_s = 0.25;
  uint64_t seed = 1;
  bool keep = false;
  bool json = false;
};

void add_options(CLI::App& app, options& o) {
  app.add_option("--swhubd", o.swhubd, "the hub binary to start")->capture_default_str();
  app.add_option("--tmp-dir", o.tmp_base, "where the temp dir goes; default $TMPDIR or /tmp");
  app.add_option("--phases", o.phases, "comma-separated: single, batch, open")
    ->capture_default_str();
  app.add_option("--alg", o.alg, "every party signs with: p256 (ECDSA P-256) or sm2 (SM2/SM3)")
    ->capture_default_str()->check(CLI::IsMember({"p256", "sm2"}));
  app.add_option("--platforms", o.platforms, "platform partners")->capture_default_str()
    ->check(CLI::Range(1, 99));
  app.add_option("--payments", o.payments, "payment-company partners")->capture_default_str()
    ->check(CLI::Range(1, 99));
  app.add_option("--logistics", o.logistics, "logistics-company partners")
    ->capture_default_str()->check(CLI::Range(1, 99));
  app.add_option("--agents", o.agents, "declaring-agent partners")->capture_default_str()
    ->check(CLI::Range(1, 99));
  app.add_option("--parcels", o.parcels, "parcels of the single phase")
    ->capture_default_str()->check(CLI::Range(1, 10000000));
  app.add_option("--batch-parcels", o.batch_parcels, "parcels of the batch phase")
    ->capture_default_str()->check(CLI::Range(1, 10000000));
  app.add_option("--batch", o.batch, "documents per message in the batch phase")
    ->capture_default_str()->check(CLI::Range(1, 100));
  app.add_option("--window", o.window, "single phase: messages in flight per partner")
    ->capture_default_str()->check(CLI::Range(1, 100000));
  app.add_option("--batch-window", o.batch_window, "batch phase: messages in flight per partner")
    ->capture_default_str()->check(CLI::Range(1, 1000));
  app.add_option("--shuffle-window", o.shuffle_window,
                 "each sender's parcel order is shuffled within blocks of this many")
    ->capture_default_str()->check(CLI::Range(1, 10000000));
  app.add_option("--rate", o.rate, "open loop: parcels per second")->capture_default_str()
    ->check(CLI::PositiveNumber);
  app.add_option("--duration-s", o.duration_s, "open loop: seconds of sending (parcels = rate x this)")
    ->capture_default_str()->check(CLI::PositiveNumber);
  app.add_option("--open-shape", o.open_shape, "open loop: single or batch messages")
    ->capture_default_str()->check(CLI::IsMember({"single", "batch"}));
  app.add_flag("--lockstep", o.lockstep,
               "open loop with batches: every partner sends its n-th batch at the same "
               "instant (default: spread evenly over one batch period)");
  app.add_option("--commit-max-batch", o.commit_max_batch, "hub store.commit-max-batch")
    ->capture_default_str();
  app.add_option("--interval-us", o.interval_us, "hub store.commit-interval-us")
    ->capture_default_str();
  app.add_option("--workers", o.workers, "hub intake.workers")->capture_default_str();
  app.add_option("--caf-threads", o.caf_threads, "hub hub.caf-threads (0: its default)")
    ->capture_default_str();
  app.add_option("--fsync-s", o.fsync_s, "seconds of the fsync probe")->capture_default_str();
  app.add_option("--drain-s", o.drain_s, "longest wait for decisions after the last send")
    ->capture_default_str();
  app.add_option("--probe-s", o.probe_s, "seconds of each verify and parse probe (8 per phase)")
    ->capture_default_str();
  app.add_option("--seed", o.seed, "shuffle seed")->capture_default_str();
  app.add_flag("--keep", o.keep, "keep the temp dir (configs, data, hub logs, keys)");
  app.add_flag("--json", o.json, "JSON on stdout (the text report goes to stderr)");
}

std::string settings_line(const options& o) {
  std::ostringstream s;
  s << "partners " << o.platforms << "/" << o.payments << "/" << o.logistics << "/" << o.agents
    << " (platform/payment/logistics/agent), parcels " << o.parcels << "/" << o.batch_parcels
    << ", batch " << o.batch
    << ", window " << o.window << "/" << o.batch_window << ", shuffle " << o.shuffle_window
    << ", open " << o.rate << "/s x " << o.duration_s << " s " << o.open_shape << (o.lockstep ? " lockstep" : "") << ", workers "
    << o.workers << ", commit " << o.commit_max_batch << "/" << o.interval_us << " us";
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

std::string make_temp_dir(const options& o) {
  std::string base = o.tmp_base;
  if (base.empty()) {
    const char* t = std::getenv("TMPDIR");
    base = t != nullptr && *t != '\0' ? t : "/tmp";
  }
  std::string pattern = base + "/swhub-bench-ecommerce-XXXXXX";
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

phase_report run_one_phase(const options& o, const std::string& name, const world& w,
                           const std::string& tmp, const std::string& disk, unsigned cores,
                           zmq::context_t& ctx, std::ostream& text) {
  phase_report rep;
  rep.name = name;
  rep.cores = cores;
  rep.open_loop = name == "open";
  rep.rate = rep.open_loop ? o.rate : 0;
  bool batched = name == "batch" || (rep.open_loop && o.open_shape == "batch");
  rep.batch = batched ? o.batch : 1;
  rep.window = rep.open_loop ? 0 : (batched ? o.batch_window : o.window);
  plan_settings ps;
  ps.parcels = rep.open_loop ? static_cast<size_t>(o.rate * o.duration_s)
                             : name == "batch" ? o.batch_parcels : o.parcels;
  ps.batch = rep.batch;
  ps.shuffle_window = o.shuffle_window;
  ps.rate = rep.rate;
  ps.lockstep = o.lockstep;
  ps.prefix = name == "single" ? "CEBS" : name == "batch" ? "CEBB" : "CEBO";
  ps.seed = o.seed;
  ps.threads = std::max(1u, cores);
  text << "  (" << name << ": generating and signing " << ps.parcels << " parcels ...)\n"
       << std::flush;
  auto plan = make_plan(w, ps);
  rep.sign_s = plan.sign_s;
  for (auto& pp : plan.plans)
    rep.xml_bytes += pp.xml_bytes;
  if (!plan.error.empty()) {
    rep.error = plan.error;
    return rep;
  }
  rep.probe = probe_shape(plan, o.probe_s);
  auto dir = tmp + "/" + name;
  std::error_code ec;
  fs::create_directories(dir, ec);
  bench::hub_settings hs;
  hs.swhubd = o.swhubd;
  hs.dir = dir;
  hs.commit_max_batch = o.commit_max_batch;
  hs.commit_interval_us = o.interval_us;
  hs.intake_workers = o.workers;
  hs.caf_threads = o.caf_threads;
  bench::hub_process hub;
  hub.set_extra_toml(hub_extra_toml(w, write_ecommerce_toml(w, dir)));
  if (auto err = hub.start(hs); !err.empty()) {
    rep.error = err;
    return rep;
  }
  std::string cerr;
  auto conns = connect_partners(ctx, hub.endpoint(), hub.server_public_key(), plan, cerr);
  if (!cerr.empty()) {
    rep.error = "connect: " + cerr;
    rep.hub = hub.stop();
    return rep;
  }
  rep.fsync_before = bench::probe_fsync(dir, std::max(0.5, o.fsync_s / 2));
  load_settings ls;
  ls.open_loop = rep.open_loop;
  ls.window = rep.window;
  ls.drain_s = o.drain_s;
  auto before = bench::take_cpu_snapshot(hub.pid(), disk);
  rep.load = run_load(std::move(conns), plan, ls);
  auto after = bench::take_cpu_snapshot(hub.pid(), disk);
  rep.cpu = bench::cpu_between(before, after, hub.pid());
  rep.hub = hub.stop();
  finish_phase(rep);
  return rep;
}

int run(const options& o, const std::string& command) {
  std::ostream& text = o.json ? std::cerr : std::cout;
  auto tmp = make_temp_dir(o);
  if (tmp.empty()) {
    std::cerr << "swhub-bench-ecommerce: cannot create a temp dir\n";
    return 2;
  }
  run_report r;
  r.command = command;
  r.settings = settings_line(o);
  r.swhubd = o.swhubd;
  r.alg = o.alg;
  r.machine = bench::describe_machine(tmp);
  print_machine(text, r.machine, tmp);
  text << "  swhubd: " << o.swhubd << "\n  signatures: " << o.alg << " for every party\n"
       << "  settings: " << r.settings << "\n" << std::flush;
  r.fsync = bench::probe_fsync(tmp, o.fsync_s);
  print_fsync(text, r.fsync);
  world_settings ws;
  ws.platforms = o.platforms;
  ws.payments = o.payments;
  ws.logistics = o.logistics;
  ws.agents = o.agents;
  ws.key = o.alg == "sm2" ? hub::ceb::signer_key::sm2 : hub::ceb::signer_key::ec_p256;
  std::string err;
  auto w = make_world(ws, tmp + "/partners", err);
  int rc = 0;
  if (w.partners.empty()) {
    std::cerr << "swhub-bench-ecommerce: " << err << "\n";
    rc = 2;
  }
  {
    zmq::context_t ctx; // clients are destroyed inside each phase, before this
    for (auto name : {"single", "batch", "open"}) {
      if (rc == 2 || !wants(o, name))
        continue;
      r.phases.push_back(run_one_phase(o, name, w, tmp, bench::disk_name(r.machine.fs_device),
                                       r.machine.cores, ctx, text));
      print_phase(text, r.phases.back());
      text << std::flush;
      if (!r.phases.back().error.empty() || !r.phases.back().load.error.empty())
        rc = 1;
    }
  }
  r.load_after = bench::load_average();
  print_summary(text, r);
  if (o.json)
    std::cout << to_json(r).dump(2) << "\n";
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
  CLI::App app{"swhub-bench-ecommerce: CEB parcels through swhubd (see bench/README.md)"};
  options o;
  add_options(app, o);
  CLI11_PARSE(app, argc, argv);
  try {
    return run(o, command_line(argc, argv));
  } catch (const std::exception& e) {
    std::cerr << "swhub-bench-ecommerce: " << e.what() << "\n";
    return 2;
  }
}
