// swhubd: the hub daemon. Reads the config, opens LMDB, spawns the actors through
// their spawn_* factories, binds the ZeroMQ gateway, and waits for SIGINT/SIGTERM;
// then stops producers before consumers (gateway, intake, outbox, store).
// Reading this file tells you how the hub is wired.

#include <csignal>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <optional>
#include <thread>

#include <CLI/CLI.hpp>
#include <caf/all.hpp>

#include "actors/core/add_message_types.hpp"
#include "actors/core/admission.hpp"
#include "actors/core/config.hpp"
#include "actors/core/error.hpp"
#include "actors/core/log.hpp"
#include "actors/crypto/hub_signer.hpp"
#include "actors/core/domain_module.hpp"
#include "actors/intake/intake.hpp"
#include "actors/outbox/outbox.hpp"
#include "actors/registry/party_registry.hpp"
#include "actors/store/lmdb_storage.hpp"
#include "actors/store/store.hpp"
#include "adapters/zmq/curve_keys.hpp"
#include "adapters/zmq/gateway.hpp"

namespace {

int fail(const std::string& what, const caf::error& err) {
  // The hub's own name (invalid_config, store_failure, ...) or a module's.
  auto name = err.category() == caf::atom("hub") ? std::string{hub::to_string(hub::code_of(err))}
                                                 : hub::wire_code_name(hub::wire_code_of(err));
  hub::log::error("swhubd", what + ": " + name + ": "
                              + hub::context_text(err));
  return 2;
}

} // namespace

int main(int argc, char** argv) {
  CLI::App app{"swhubd: the swhub single-window hub daemon"};
  std::string config_path = "config/hub.toml";
  std::string endpoint_file;
  app.add_option("-c,--config", config_path, "configuration file (TOML)")
    ->capture_default_str();
  app.add_option("--endpoint-file", endpoint_file,
                 "write the bound gateway endpoint here once ready (for tests and scripts)");
  CLI11_PARSE(app, argc, argv);
  hub::register_builtin_modules();

  // Block the stop signals in every thread we start; main waits for them below.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  auto cfg = hub::load_config(config_path);
  if (!cfg)
    return fail("config " + config_path, cfg.error());
  hub::log::init(cfg->log_level);

  auto keys = hub::ensure_server_key(cfg->server_secret_key_file);
  if (!keys)
    return fail("server key", keys.error());

  hub::lmdb_options db_opts;
  db_opts.dir = cfg->data_dir;
  db_opts.map_size_mb = cfg->map_size_mb;
  db_opts.max_readers = cfg->max_readers;
  // Signature behaviour drifts between OpenSSL 3.0.x updates (docs/operations.md).
  hub::log::info("swhubd", "crypto: " + hub::crypto::openssl_version());
  // Evidence checkpoints are signed with the hub key (loaded before the store opens).
  auto signer = hub::crypto::hub_signer::load_or_create(cfg->signing_key_file);
  if (!signer)
    return fail("hub signing key", signer.error());
  db_opts.checkpoints.every = cfg->checkpoint_every;
  db_opts.checkpoints.interval_ms = cfg->checkpoint_interval.count() * 1000;
  db_opts.checkpoints.sign = [s = *signer](const hub::bytes& input)
    -> caf::expected<std::pair<std::string, hub::bytes>> {
    auto sig = s->sign(input);
    if (!sig)
      return sig.error();
    return std::make_pair(s->key_id(), std::move(*sig));
  };
  auto db = hub::lmdb_storage::open(db_opts);
  if (!db)
    return fail("open " + cfg->data_dir, db.error());
  hub::log::info("swhubd", "storage " + cfg->data_dir + " opened, last sequence "
                             + std::to_string((*db)->last_sequence()) + ", stale readers cleared "
                             + std::to_string((*db)->stale_readers_cleared()));
  if ((*db)->migrated_rows() > 0)
    hub::log::info("swhubd", "storage: moved " + std::to_string((*db)->migrated_rows())
                               + " rows of schema version 2 into the module tables");
  auto built = hub::party_registry::build(*cfg, db->get());
  if (!built)
    return fail("party registry", built.error());
  auto registry = std::make_shared<hub::registry_holder>(*built);

  zmq::context_t zmq_ctx; // declared before the actor system: destroyed after it
  caf::actor_system_config sys_cfg; // never parse(): CAF reads no INI file, no argv
  // CAF's own default is max(4, cores); on a 2-core box four busy-polling workers cost
  // ~20% of the ingest rate (docs/benchmarks.md), so 0 means one worker per core.
  size_t caf_threads = cfg->caf_threads > 0
                         ? cfg->caf_threads
                         : std::max<size_t>(2, std::thread::hardware_concurrency());
  sys_cfg.set("scheduler.max-threads", caf_threads);
  hub::add_message_types(sys_cfg);
  caf::actor_system sys{sys_cfg};

  auto store_stats = std::make_shared<hub::store_metrics>();
  auto store = hub::spawn_store(sys,
                                hub::store_config{cfg->commit_max_batch, cfg->commit_interval},
                                *db, store_stats);
  if (!store)
    return fail("store", store.error());
  { // Persist the merged party registry before anyone connects.
    caf::scoped_actor self{sys};
    caf::error err;
    self->request(*store, std::chrono::seconds{30}, hub::atom::write_v,
                  registry->get()->to_table_ops(), std::vector<hub::decision_record>{})
      .receive([](uint64_t) {}, [&err](caf::error& e) { err = std::move(e); });
    if (err) {
      caf::anon_send_exit(*store, caf::exit_reason::user_shutdown);
      return fail("persist parties", err);
    }
  }

  hub::gateway_config gw_cfg{cfg->endpoint, *keys, cfg->max_frame_bytes, cfg->linger_ms,
                             *signer};
  auto gw = hub::gateway::bind(zmq_ctx, gw_cfg, registry);
  if (!gw) {
    caf::anon_send_exit(*store, caf::exit_reason::user_shutdown);
    return fail("gateway", gw.error());
  }

  std::shared_ptr<const hub::store_reader> reader = *db;
  auto outbox = hub::spawn_outbox(sys, hub::outbox_config{cfg->hub_id, cfg->resend_interval},
                                  *store, reader, *gw, nullptr);
  if (!outbox) {
    caf::anon_send_exit(*store, caf::exit_reason::user_shutdown);
    return fail("outbox", outbox.error());
  }
  // Every registered domain module whose section names a config file.
  std::map<std::string, std::shared_ptr<hub::running_module>> domains;
  // A failure after actors started stops them, or the actor system would wait for
  // them forever on the way out (the process would hang instead of exiting 1).
  auto stop_started = [&] {
    for (auto& [name, running] : domains)
      running->stop();
    caf::anon_send_exit(*outbox, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(*store, caf::exit_reason::user_shutdown);
  };
  hub::module_services services{&sys, registry, reader, *store, *outbox, cfg->store_timeout,
                                cfg->intake_workers};
  for (auto& m : hub::modules()) {
    auto file = cfg->module_configs.find(m.name);
    if (file == cfg->module_configs.end() || !m.start)
      continue;
    auto running = m.start(services, file->second);
    if (!running) {
      stop_started();
      return fail(m.name + " " + file->second, running.error());
    }
    domains.emplace(m.name, std::move(*running));
  }
  auto intake_stats = std::make_shared<hub::intake_metrics>();
  auto admitted = std::make_shared<hub::admission>(cfg->max_in_flight);
  std::vector<hub::intake_actor> intakes;
  hub::intake_config in_cfg;
  in_cfg.limits.max_items = cfg->max_items;
  in_cfg.limits.max_key_overlap_s = static_cast<uint32_t>(cfg->max_key_overlap.count());
  in_cfg.store_timeout = cfg->store_timeout;
  in_cfg.max_clock_skew = cfg->max_clock_skew;
  for (size_t i = 0; i < cfg->intake_workers; ++i) {
    hub::intake_deps deps{*store, *outbox, registry, reader, *gw, store_stats, intake_stats,
                          admitted, {}, {}};
    for (auto& [name, running] : domains) {
      deps.desks.merge(running->desks_for(i));
      deps.domains.emplace(name, running);
    }
    auto in = hub::spawn_intake(sys, in_cfg, std::move(deps));
    if (!in) {
      for (auto& started : intakes)
        caf::anon_send_exit(started, caf::exit_reason::user_shutdown);
      stop_started();
      return fail("intake", in.error());
    }
    intakes.push_back(*in);
  }
  (*gw)->run(intakes, *outbox, admitted);

  if (!endpoint_file.empty()) {
    std::ofstream out{endpoint_file + ".tmp"};
    out << (*gw)->endpoint() << "\n";
    out.close();
    std::rename((endpoint_file + ".tmp").c_str(), endpoint_file.c_str());
  }
  hub::log::info("swhubd", "ready: hub " + cfg->hub_id + " on " + (*gw)->endpoint() + ", "
                             + std::to_string(registry->get()->parties().size())
                             + " parties, CURVE public key " + keys->public_z85
                             + ", receipt signing key " + (*signer)->key_id());

  int sig = 0;
  sigwait(&stop_signals, &sig);
  hub::log::info("swhubd", std::string{"stopping on "} + (sig == SIGINT ? "SIGINT" : "SIGTERM"));

  (*gw)->stop(); // 1. no new frames
  for (auto& in : intakes)
    caf::anon_send_exit(in, caf::exit_reason::user_shutdown);
  for (auto& [name, running] : domains)
    running->stop();
  caf::anon_send_exit(*outbox, caf::exit_reason::user_shutdown);
  { // The outbox's last acknowledgements reach the store before the store stops.
    caf::scoped_actor self{sys};
    self->wait_for(*outbox);
  }
  caf::anon_send_exit(*store, caf::exit_reason::user_shutdown); // commits what is pending
  hub::log::info("swhubd", "stopped: accepted " + std::to_string(intake_stats->accepted)
                             + ", duplicates " + std::to_string(intake_stats->duplicates)
                             + ", rejected " + std::to_string(intake_stats->rejected)
                             + ", commits " + std::to_string(store_stats->commits)
                             + ", frames in " + std::to_string((*gw)->metrics().frames_in)
                             + ", frames out " + std::to_string((*gw)->metrics().frames_out)
                             + ", dropped out " + std::to_string((*gw)->metrics().dropped_out)
                             + ", busy " + std::to_string((*gw)->metrics().busy));
  for (auto& [name, running] : domains)
    hub::log::info("swhubd", name + ": " + running->summary());
  return 0;
}
