#include "actors/customs/customs_module.hpp"

#include <caf/all.hpp>

#include "actors/core/error.hpp"
#include "actors/core/error_category.hpp"
#include "actors/core/log.hpp"
#include "actors/customs/assessor.hpp"
#include "actors/customs/case_record.hpp"
#include "actors/customs/clearance.hpp"
#include "actors/customs/clearance_state.hpp"
#include "actors/customs/customs_actors.hpp"
#include "actors/customs/customs_audit.hpp"
#include "actors/customs/customs_documents.hpp"
#include "actors/customs/customs_errors.hpp"
#include "actors/customs/customs_office.hpp"
#include "actors/customs/customs_tables.hpp"
#include "actors/customs/officer_unit.hpp"
#include "actors/customs/risk_centre.hpp"
#include "actors/store/storage.hpp"

namespace hub::customs {

namespace {

/// The running customs organisation.
class running_customs : public running_module {
public:
  clearance_actor clearance;
  std::map<std::string, lodge_actor> risk_centres;
  std::map<std::string, office_actor> offices;
  std::map<std::string, lodge_actor> desks; ///< every customs kind -> clearance
  std::vector<lodge_actor> assessors;       ///< one per intake worker
  std::shared_ptr<const store_reader> reader;
  std::shared_ptr<const customs_config> cfg;
  std::shared_ptr<customs_metrics> metrics;

  /// Declarations go to the worker's own assessor, which prepares step 1 in parallel.
  std::map<std::string, lodge_actor> desks_for(size_t worker) const override {
    auto out = desks;
    if (!assessors.empty())
      out[doc::declaration] = assessors[worker % assessors.size()];
    return out;
  }

  std::optional<case_status> status_of(const std::string& case_id) const override {
    auto b = reader->get(tables::cases, bytes(case_id.begin(), case_id.end()));
    if (!b)
      return std::nullopt;
    auto c = decode_case(*b);
    if (!c)
      return std::nullopt;
    auto v = view_of(*c);
    return case_status{v.case_id,
                       v.status,
                       v.reason,
                       {{"declarationId", v.declaration_id},
                        {"amountDue", v.amount_due},
                        {"waitingOn", v.waiting_on}}};
  }

  void stop() override {
    caf::anon_send_exit(clearance, caf::exit_reason::user_shutdown); // linked tax centres follow
    for (auto& [unit, rc] : risk_centres)
      caf::anon_send_exit(rc, caf::exit_reason::user_shutdown);
    for (auto& a : assessors)
      caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
    for (auto& [unit, office] : offices)
      caf::anon_send_exit(office, caf::exit_reason::user_shutdown);
  }

  std::string summary() const override {
    return metrics->summary();
  }
};

caf::expected<std::unique_ptr<running_module>> start(const module_services& core,
                                                     const std::string& config_path) {
  auto cfg = load_customs_config(config_path);
  if (!cfg)
    return cfg.error();
  auto ref = load_reference_data(cfg->reference_dir);
  if (!ref)
    return ref.error();
  customs_deps deps;
  deps.registry = core.registry;
  deps.reader = core.reader;
  deps.store = core.store;
  deps.outbox = core.outbox;
  deps.store_timeout = core.store_timeout;
  deps.cfg = std::make_shared<const customs_config>(std::move(*cfg));
  deps.metrics = std::make_shared<customs_metrics>();
  deps.ref = std::make_shared<const reference_data>(std::move(*ref));
  if (auto err = load_rule_book(deps, deps.store))
    return err;
  auto& sys = *core.system;
  auto m = std::make_unique<running_customs>();
  m->reader = core.reader;
  m->cfg = deps.cfg;
  m->metrics = deps.metrics;
  m->risk_centres = spawn_risk_centres(sys, deps);
  m->offices = spawn_offices(sys, deps);
  auto board = std::make_shared<detail::step1_board>();
  // Credit tiers on the board before any assessor runs (clearance loads them again).
  auto credit = detail::credit_records(*deps.cfg, *core.reader);
  if (!credit)
    return credit.error();
  board->set_credit(std::move(*credit));
  auto clr = spawn_clearance(sys, deps, m->risk_centres, m->offices, board);
  if (!clr)
    return clr.error();
  m->clearance = *clr;
  m->assessors = spawn_assessors(sys, std::max<size_t>(1, core.intake_workers), deps, board,
                                 m->clearance);
  auto desk = caf::actor_cast<lodge_actor>(m->clearance);
  for (auto& kind : document_kinds())
    if (kind.hub_desk)
      m->desks.emplace(kind.name, desk);
  log::info("customs", "customs organisation: " + std::to_string(m->cfg->units.size()) + " units, "
                         + std::to_string(m->offices.size()) + " customs offices, "
                         + std::to_string(m->risk_centres.size()) + " risk centres, "
                         + std::to_string(m->cfg->tax_centres.size()) + " tax centres, "
                         + std::to_string(m->cfg->enterprises.size()) + " enterprises, "
                         + std::to_string(deps.ref->tariff.size()) + " tariff lines");
  return std::unique_ptr<running_module>{std::move(m)};
}

void add_types(caf::actor_system_config& cfg) {
  cfg.add_message_types<caf::id_block::hub_customs>();
  add_module_error_category(cfg, "customs", &error_name);
}

} // namespace

domain_module module() {
  domain_module m;
  m.name = "customs";
  m.documents = document_kinds();
  m.tables = tables::specs();
  m.errors = error_range{"customs", first_error, last_error, &error_name};
  m.party_keys = {customs_unit_key};
  m.add_message_types = &add_types;
  m.start = &start;
  m.audit = [](std::vector<hub::audit_extension>& out) { out.push_back(audit_extension()); };
  m.check_config = [](const std::string& file)
    -> caf::expected<std::vector<std::pair<std::string, uint64_t>>> {
    auto cc = load_customs_config(file);
    if (!cc)
      return cc.error();
    auto ref = load_reference_data(cc->reference_dir);
    if (!ref)
      return ref.error();
    return std::vector<std::pair<std::string, uint64_t>>{
      {"units", cc->units.size()},
      {"taxCentres", cc->tax_centres.size()},
      {"enterprises", cc->enterprises.size()},
      {"agencies", cc->agencies.size()},
      {"riskParameters", cc->rules.parameters.size()},
      {"tariffLines", ref->tariff.size()}};
  };
  return m;
}

} // namespace hub::customs
