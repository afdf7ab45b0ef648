#pragma once
// `swhub-sim customs`: the customs clearance story of issue 4 over the real hub, with
// the demo parties of config/hub.toml and the SAMPLE enterprises of
// config/customs.toml, each step checked:
//   * the advanced-certified enterprise's import on guarantee is released at once,
//     and paying its tax afterwards gives the guarantee reservation back;
//   * an import settled by payment waits with its amountDue and is released when
//     customs.tax-payment comes (a wrong amount is refused);
//   * a national control instruction (RSK-DEMO-0000) sends matching goods to
//     examination; the port officer's (CUS-DEMO-2248) inspection result releases them;
//   * a level-2 proposal (RSK-DEMO-2200) approved by the national centre applies in
//     another district too, where the Yangshan officer may not act;
//   * an amendment before release is decided again with the new amount due;
//   * bad declarations are refused with their own codes and leave nothing behind.
// Deterministic despite the random selectivity of config/risk-parameters.toml: the
// instructions match only this run's unique bills of lading, and a declaration picked
// at random for a documentary check or examination is cleared by the port officer and
// then goes on as expected (said so in the output). Ids carry a run id, since cases,
// instructions and proposals persist in the hub's data across runs.

#include <string>

#include "tools/sim/common.hpp"

namespace sim {

struct customs_config {
  hub_target target;
  std::string keys_dir = "var/keys";          ///< <keys_dir>/<party>.curve.secret
  std::string declarant = "ENT-DEMO-0001";    ///< enterprise or broker party lodging
  std::string port_officer = "CUS-DEMO-2248"; ///< customs officer at unit 2248
  std::string national_risk = "RSK-DEMO-0000";///< risk officer of unit 0000 (level 1)
  std::string district_risk = "RSK-DEMO-2200";///< risk officer of unit 2200 (level 2)
  /// Suffix of every declaration, instruction and document id; empty: from the clock.
  std::string run_id;
  int status_timeout_ms = 20000;              ///< longest wait for one status notification
};

/// Runs the scenario; 0 if every outcome was the expected one, 1 otherwise.
int run_customs(const customs_config& cfg);

} // namespace sim
