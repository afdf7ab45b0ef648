#include "actors/customs/customs.hpp"

#include <caf/all.hpp>

#include "actors/core/error.hpp"
#include "actors/core/log.hpp"
#include "actors/customs/case_record.hpp"
#include "actors/customs/assessor.hpp"
#include "actors/customs/clearance.hpp"
#include "actors/customs/clearance_state.hpp"
#include "actors/customs/customs_office.hpp"
#include "actors/customs/risk_centre.hpp"
#include "actors/store/storage.hpp"

namespace hub::customs {

std::map<std::string, lodge_actor> customs_module::desks_for(size_t i) const {
  auto out = desks;
  if (!assessors.empty())
    out["customs.declaration"] = assessors[i % assessors.size()];
  return out;
}

caf::expected<customs_module> start_customs(caf::actor_system& sys, const std::string& config_path,
                                            customs_deps deps, size_t assessors) {
  auto cfg = load_customs_config(config_path);
  if (!cfg)
    return cfg.error();
  auto ref = load_reference_data(cfg->reference_dir);
  if (!ref)
    return ref.error();
  deps.cfg = std::make_shared<const customs_config>(std::move(*cfg));
  if (!deps.metrics)
    deps.metrics = std::make_shared<customs_metrics>();
  deps.ref = std::make_shared<const reference_data>(std::move(*ref));
  if (auto err = load_rule_book(deps, deps.store))
    return err;
  customs_module m;
  m.cfg = deps.cfg;
  m.metrics = deps.metrics;
  m.risk_centres = spawn_risk_centres(sys, deps);
  m.offices = spawn_offices(sys, deps);
  auto board = std::make_shared<detail::step1_board>();
  auto clr = spawn_clearance(sys, deps, m.risk_centres, m.offices, board);
  if (!clr)
    return clr.error();
  m.clearance = *clr;
  m.assessors = spawn_assessors(sys, std::max<size_t>(1, assessors), deps, board, m.clearance);
  auto desk = caf::actor_cast<lodge_actor>(m.clearance);
  for (auto type : {"customs.declaration", "customs.amendment", "customs.inspection-result",
                    "customs.valuation-evidence", "customs.tax-payment", "customs.control-instruction",
                    "customs.advance-ruling", "agency.licence", "agency.decision"})
    m.desks.emplace(type, desk);
  auto reader = deps.reader;
  m.lookup = [reader](const std::string& key) -> std::optional<case_status_view> {
    auto b = reader->get(table::cases, bytes(key.begin(), key.end()));
    if (!b)
      return std::nullopt;
    auto c = decode_case(*b);
    if (!c)
      return std::nullopt;
    auto v = view_of(*c);
    return case_status_view{v.case_id, v.declaration_id, v.status, v.reason, v.amount_due, v.waiting_on};
  };
  log::info("customs", "customs organisation: " + std::to_string(m.cfg->units.size()) + " units, "
                         + std::to_string(m.offices.size()) + " customs offices, "
                         + std::to_string(m.risk_centres.size()) + " risk centres, "
                         + std::to_string(m.cfg->tax_centres.size()) + " tax centres, "
                         + std::to_string(m.cfg->enterprises.size()) + " enterprises, "
                         + std::to_string(deps.ref->tariff.size()) + " tariff lines");
  return m;
}

void stop_customs(customs_module& m) {
  caf::anon_send_exit(m.clearance, caf::exit_reason::user_shutdown); // linked tax centres follow
  for (auto& [unit, rc] : m.risk_centres)
    caf::anon_send_exit(rc, caf::exit_reason::user_shutdown);
  for (auto& a : m.assessors)
    caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
  for (auto& [unit, office] : m.offices)
    caf::anon_send_exit(office, caf::exit_reason::user_shutdown);
}

} // namespace hub::customs
