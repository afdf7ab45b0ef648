// `swhub ecommerce ...`: what an officer or operator asks about a cross-border parcel,
// read from the hub's database (read-only, safe while swhubd runs): where an inventory
// list stands and why: its state, what it waits for or why it was refused, the lane and
// the risk rules that chose it (SR-15.1). No personal data: buyer and payer fields stay
// in the stored records.

#include <iostream>

#include "actors/core/error.hpp"
#include "actors/ecommerce/ceb_records.hpp"
#include "actors/ecommerce/ecommerce_errors.hpp"
#include "actors/ecommerce/ecommerce_tables.hpp"
#include "actors/ecommerce/retail_tax.hpp"
#include "actors/store/lmdb_storage.hpp"
#include "tools/swhub/cli.hpp"

namespace swhub_cli {

namespace {

using json = nlohmann::ordered_json;
namespace eco = hub::ecommerce;
using swhub::wire::ParcelState;

struct parcel_args {
  database_args db;
  std::string invt_no;  ///< 18-character inventory number
  std::string ebp_code; ///< or the platform and order number
  std::string order_no;
};

void add_parcel_options(CLI::App& cmd, parcel_args& a) {
  add_database_options(cmd, a.db);
  cmd.add_option("invt-no", a.invt_no, "the inventory's 18-character number (invtNo)");
  cmd.add_option("--ebp-code", a.ebp_code, "the platform's code (ebpCode)");
  cmd.add_option("--order-no", a.order_no, "the platform's order number (orderNo)");
}

struct found {
  std::string ebp_code, order_no;
  eco::stored_inventory inv;
};

caf::expected<found> load_parcel(const hub::lmdb_storage& db, const parcel_args& a) {
  std::string parcel;
  if (!a.invt_no.empty()) {
    auto ref = db.get(eco::tables::invt_refs, eco::key_bytes(a.invt_no));
    if (!ref)
      return caf::make_error(eco::errc::ceb_not_found, "no inventory " + a.invt_no);
    parcel.assign(ref->begin(), ref->end());
  } else if (!a.ebp_code.empty() && !a.order_no.empty()) {
    parcel = eco::join_key({a.ebp_code, a.order_no});
  } else {
    return caf::make_error(hub::ec::invalid_config,
                           "give an invtNo, or --ebp-code and --order-no");
  }
  auto b = db.get(eco::tables::inventories, eco::key_bytes(parcel));
  if (!b)
    return caf::make_error(eco::errc::ceb_not_found, "no inventory list for order "
                                                      + (a.order_no.empty() ? a.invt_no : a.order_no));
  auto inv = eco::stored_inventory::decode(*b);
  if (!inv)
    return caf::make_error(hub::ec::store_failure, "the stored inventory cannot be read");
  // invtNo references outlive a cancellation: the order may have another list now.
  if (!a.invt_no.empty() && eco::str((*inv)->getInvtNo()) != a.invt_no)
    return caf::make_error(eco::errc::ceb_invalid_state,
                           "inventory " + a.invt_no + " was cancelled; its order's inventory list is now "
                             + eco::str((*inv)->getPreNo()) + " ("
                             + eco::state_name((*inv)->getState()) + "); ask by --ebp-code and --order-no");
  auto cut = parcel.find('\x1f');
  return found{parcel.substr(0, cut), cut == std::string::npos ? "" : parcel.substr(cut + 1),
               std::move(*inv)};
}

/// The parcel as the hub holds it, without personal data.
json parcel_json(const found& f) {
  auto i = *f.inv;
  json j{{"ebpCode", f.ebp_code},
         {"orderNo", f.order_no},
         {"preNo", eco::str(i.getPreNo())},
         {"invtNo", eco::str(i.getInvtNo())},
         {"state", eco::state_name(i.getState())},
         {"reason", eco::str(i.getReason())},
         {"declaredBy", eco::str(i.getDoc().getSender())},
         {"declaredAt", i.getDoc().getAt()}};
  if (i.getDecidedAt() != 0) {
    j["lane"] = eco::str(i.getLane());
    j["taxableValueCny"] = eco::yuan(i.getValueUnits());
    j["taxCny"] = eco::yuan(i.getTaxUnits());
    j["fullRates"] = i.getFullRates();
    j["decidedAt"] = i.getDecidedAt();
  }
  if (i.getReleasedAt() != 0)
    j["releasedAt"] = i.getReleasedAt();
  if (i.getState() == ParcelState::WAITING && i.getDeadline() != 0)
    j["expiresAt"] = i.getDeadline();
  return j;
}

int run_parcel(const parcel_args& a, bool explain) {
  auto db = open_database(a.db);
  if (!db)
    return print_error(db.error());
  auto f = load_parcel(**db, a);
  if (!f)
    return print_error(f.error());
  auto j = parcel_json(*f);
  if (explain) {
    // Why it stands where it stands: the matching outcome (reason) and, once decided,
    // the lane with the risk rules, rule set version and seed that chose it.
    auto i = *f->inv;
    j["laneReasons"] = eco::str(i.getRiskReasons());
  }
  print_line(j);
  return exit_ok;
}

} // namespace

void add_ecommerce_commands(CLI::App& app, int& rc) {
  auto* group = app.add_subcommand("ecommerce", "cross-border parcels: an inventory list's state and why "
                                                "(read-only; safe while swhubd runs)");
  group->require_subcommand(1);
  {
    auto a = std::make_shared<parcel_args>();
    auto* cmd = group->add_subcommand("parcel", "an inventory list as stored: state, numbers, lane, tax, dates "
                                                "(no personal data)");
    add_parcel_options(*cmd, *a);
    cmd->callback([a, &rc]() { rc = run_parcel(*a, false); });
  }
  {
    auto a = std::make_shared<parcel_args>();
    auto* cmd = group->add_subcommand(
      "explain", "why an inventory list stands where it is: what it waits for or why it was refused, "
                 "and the risk rules, rule set version and seed that chose its lane");
    add_parcel_options(*cmd, *a);
    cmd->callback([a, &rc]() { rc = run_parcel(*a, true); });
  }
}

} // namespace swhub_cli
