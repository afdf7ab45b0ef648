#include "actors/ecommerce/ecommerce_module.hpp"

#include <caf/all.hpp>

#include "actors/core/error.hpp"
#include "actors/core/error_category.hpp"
#include "actors/core/log.hpp"
#include "actors/ecommerce/ceb_reader.hpp"
#include "actors/ecommerce/ceb_records.hpp"
#include "actors/ecommerce/ecommerce_actors.hpp"
#include "actors/ecommerce/ecommerce_config.hpp"
#include "actors/ecommerce/ecommerce_documents.hpp"
#include "actors/ecommerce/ecommerce_errors.hpp"
#include "actors/ecommerce/ecommerce_tables.hpp"
#include "actors/ecommerce/parcel_matcher.hpp"
#include "actors/risk/risk_engine.hpp"
#include "actors/risk/rule_set.hpp"
#include "actors/store/storage.hpp"

namespace hub::ecommerce {

namespace {

/// The selectivity classes of e-commerce's rules: the declaring agents' credit tiers.
risk::vocabulary risk_vocabulary() {
  risk::vocabulary v;
  v.classes = {"advanced-certified", "general-certified", "general-credit", "discredited"};
  v.class_noun = "tier";
  v.class_kind = "credit tier";
  return v;
}

class running_ecommerce : public running_module {
public:
  matcher_actor matcher;
  std::vector<lodge_actor> readers; ///< one per intake worker
  std::shared_ptr<const store_reader> reader;
  std::shared_ptr<ecommerce_metrics> metrics;

  std::map<std::string, lodge_actor> desks_for(size_t worker) const override {
    std::map<std::string, lodge_actor> out;
    auto r = readers[worker % readers.size()];
    for (auto& k : document_kinds())
      out.emplace(k.name, k.name == doc::inspection_result ? caf::actor_cast<lodge_actor>(matcher) : r);
    return out;
  }

  std::optional<case_status> status_of(const std::string& subject) const override {
    constexpr std::string_view prefix = "inventory\x1f";
    if (subject.compare(0, prefix.size(), prefix) != 0)
      return std::nullopt;
    auto key = subject.substr(prefix.size());
    auto v = reader->get(tables::inventories, key_bytes(key));
    if (!v)
      return std::nullopt;
    auto inv = stored_inventory::decode(*v);
    if (!inv)
      return std::nullopt;
    using S = swhub::wire::ParcelState;
    std::string status;
    switch ((*inv)->getState()) {
      case S::WAITING: status = "received"; break;
      case S::REFUSED:
      case S::EXPIRED: status = "rejected"; break;
      case S::RELEASED: status = "released"; break;
      case S::INSPECTION: status = "forExamination"; break;
      case S::CANCELLED:
      case S::RETURNED: status = "closed"; break;
    }
    auto invt = str((*inv)->getInvtNo());
    return case_status{invt.empty() ? str((*inv)->getPreNo()) : invt,
                       status,
                       str((*inv)->getReason()),
                       {{"declarationId", str((*inv)->getPreNo())}}};
  }

  void stop() override {
    for (auto& r : readers)
      caf::anon_send_exit(r, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(matcher, caf::exit_reason::user_shutdown);
  }

  std::string summary() const override { return metrics->summary(); }
};

caf::expected<std::unique_ptr<running_module>> start(const module_services& core,
                                                     const std::string& config_path) {
  auto cfg = load_ecommerce_config(config_path);
  if (!cfg)
    return cfg.error();
  if (auto why = ceb::schema_status(); !why.empty())
    return caf::make_error(ec::invalid_config, "CEB schemas: " + why);
  auto shared = std::make_shared<const ecommerce_config>(std::move(*cfg));
  auto signers = signer_cache::build(*shared);
  if (!signers)
    return signers.error();
  auto buyers = buyer_keys::open(shared->quota_secret_file);
  if (!buyers)
    return buyers.error();
  std::shared_ptr<const risk::risk_engine> engine;
  if (!shared->risk_text.empty()) {
    auto rules = risk::parse_rule_set_toml(shared->risk_text, shared->risk_file, risk_vocabulary());
    if (!rules)
      return rules.error();
    if (rules->version == 0)
      rules->version = 1;
    engine = std::make_shared<const risk::risk_engine>(std::move(*rules), risk_vocabulary());
  }
  auto m = std::make_unique<running_ecommerce>();
  m->reader = core.reader;
  m->metrics = std::make_shared<ecommerce_metrics>();
  matcher_deps md;
  md.cfg = shared;
  md.reader = core.reader;
  md.store = core.store;
  md.outbox = core.outbox;
  md.store_timeout = core.store_timeout;
  md.buyers = std::make_shared<const buyer_keys>(std::move(*buyers));
  md.metrics = m->metrics;
  md.risk = engine;
  m->matcher = spawn_parcel_matcher(*core.system, md);
  for (size_t i = 0; i < std::max<size_t>(1, core.intake_workers); ++i) {
    reader_deps rd;
    rd.cfg = shared;
    rd.signers = *signers;
    rd.matcher = m->matcher;
    m->readers.push_back(spawn_ceb_reader(*core.system, std::move(rd)));
  }
  log::info("ecommerce", "e-commerce: " + std::to_string(shared->enterprises.size())
                           + " CEB enterprises, matching window "
                           + std::to_string(shared->match_window_ms / 60000) + " min, "
                           + std::to_string(m->readers.size()) + " CEB readers, "
                           + (engine ? std::to_string(engine->rules().parameters.size())
                                         + " risk parameters"
                                     : std::string{"no risk rules (every matched parcel green)"}));
  return std::unique_ptr<running_module>{std::move(m)};
}

void add_types(caf::actor_system_config& cfg) {
  cfg.add_message_types<caf::id_block::hub_ecommerce>();
  add_module_error_category(cfg, "ecommerce", &error_name);
}

} // namespace

domain_module module() {
  domain_module m;
  m.name = "ecommerce";
  m.documents = document_kinds();
  m.tables = tables::specs();
  m.errors = error_range{"ecommerce", first_error, last_error, &error_name};
  m.add_message_types = &add_types;
  m.start = &start;
  m.check_config = [](const std::string& file)
    -> caf::expected<std::vector<std::pair<std::string, uint64_t>>> {
    auto cfg = load_ecommerce_config(file);
    if (!cfg)
      return cfg.error();
    auto signers = signer_cache::build(*cfg);
    if (!signers)
      return signers.error();
    uint64_t rules = 0;
    if (!cfg->risk_text.empty()) {
      auto rs = risk::parse_rule_set_toml(cfg->risk_text, cfg->risk_file, risk_vocabulary());
      if (!rs)
        return rs.error();
      rules = rs->parameters.size();
    }
    return std::vector<std::pair<std::string, uint64_t>>{
      {"enterprises", cfg->enterprises.size()},
      {"riskParameters", rules},
      {"taxLines", cfg->tax_lines.size()},
      {"signatureRequiredTypes", cfg->signature_required.size()}};
  };
  return m;
}

} // namespace hub::ecommerce
