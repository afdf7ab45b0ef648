#pragma once
// `swhub-sim ecommerce`: cross-border e-commerce (issue 18) over the real hub, with the
// SAMPLE CEB enterprises of config/ecommerce.toml (platform PLT-DEMO-0001, payment
// company PAY-DEMO-0001, logistics company LGS-DEMO-0001, declaring agent AGT-DEMO-0001),
// each sending the CEB XML it sends to China E-Port, signed with its SAMPLE key
// (config/samples/ceb/keys) as E-Port signers sign, each step checked:
//   * a parcel's order, payment, waybill and inventory, sent in a shuffled order, are
//     matched: every sender gets its 120, the agent the 399 with the tax and the 800
//     with the invtNo;
//   * a batch of 50 orders in one CEB311 is answered by one CEB312 with 50 returns;
//   * a payment whose amount differs from the order's refuses the inventory (100,
//     Code 13031, with both amounts);
//   * a buyer who has used CNY 24,000 of the year's CNY 26,000 is refused a CNY 4,000
//     parcel (100, Code 1313); a return (CEB625) of an earlier parcel gives the quota
//     back, and a parcel of the same size is then released.
// Order numbers and buyers carry a run id, since parcels and the buyers' quota ledger
// persist in the hub's data across runs (the quota is per buyer and calendar year).

#include <string>

#include "tools/sim/common.hpp"

namespace sim {

struct ecommerce_config {
  hub_target target;
  std::string keys_dir = "var/keys";                     ///< <party>.curve.secret
  std::string ceb_keys_dir = "config/samples/ceb/keys";  ///< <party>.key.pem, .cert.pem
  /// Part of every order, waybill and payment number (at most 14 characters, so the
  /// inventory's copNo, the order number's first 20, stays unique) and of the buyers'
  /// ids (its digits); empty: from the clock.
  std::string run_id;
  int status_timeout_ms = 20000; ///< longest wait for one CEB receipt
};

/// Runs the scenario; 0 if every outcome was the expected one, 1 otherwise.
int run_ecommerce(const ecommerce_config& cfg);

} // namespace sim
