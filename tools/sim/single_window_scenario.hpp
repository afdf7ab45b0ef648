#pragma once
// `swhub-sim single-window`: the single window (issue 5) over the real hub, with the
// demo parties of config/hub.toml, the [[agency]] "ciq" (party AGY-DEMO-CIQ) and the
// [[routing]] rules of config/customs.toml, while a `swhub-agency --simulate` process
// answers for AGY-DEMO-CIQ (tools/demo.sh starts it). Each step checked:
//   * fresh strawberries (0810, routed to CIQ) for the advanced-certified importer on
//     guarantee wait for the agency (waitingOn names it) and are released once the
//     running swhub-agency has approved them;
//   * a mixed declaration (strawberries and laptops) needs the agency too;
//   * laptops alone (no routing rule) are released without waiting for anyone;
//   * an agency.decision from AGY-DEMO-CIQ for the laptops' case (not routed to it) is
//     refused with not_routed, and a second answer for the strawberries' case with
//     invalid_case_state (the agency has decided it already);
//   * the tax of every declaration is paid, so the guarantee reservations are given
//     back and the importer's guarantee does not fill up run after run.
// A random documentary check or examination (selectivity of the credit tier), or the
// simulated agency asking for an inspection, is cleared by the port officer and the
// case goes on (said so in the output). Ids carry a run id: cases persist in ./var.
//
// The decisions of AGY-DEMO-CIQ in the last step come over a second connection with
// the agency's key, while swhub-agency holds its own: the hub accepts both, but sends
// the party's notifications to the connection that sent the latest frame, so this
// step comes last, when the agency has nothing left to receive in this run.

#include <string>

#include "tools/sim/common.hpp"

namespace sim {

struct single_window_config {
  hub_target target;
  std::string keys_dir = "var/keys";            ///< <keys_dir>/<party>.curve.secret
  std::string declarant = "ENT-DEMO-0001";      ///< enterprise or broker party lodging
  std::string agency = "AGY-DEMO-CIQ";          ///< the party of [[agency]] "ciq"
  std::string agency_name = "Inspection and quarantine"; ///< part of its [[agency]] name
  std::string port_officer = "CUS-DEMO-2248";   ///< customs officer at unit 2248
  /// Suffix of every declaration id; empty: from the clock.
  std::string run_id;
  int status_timeout_ms = 20000;                ///< longest wait for one status notification
};

/// Runs the scenario; 0 if every outcome was the expected one, 1 otherwise.
int run_single_window(const single_window_config& cfg);

} // namespace sim
