#pragma once
// The matching rules of an inventory list against its order, payment and waybill
// (三单对碰, ecommerce.md §6 M1-M7; SR-15.1). Each failed rule is one reason with its
// own code, in the form E-Port platforms parse ("[Code:13035;Desc:支付企业不一致]").
// Codes 1313 and 13035 are customs' own (ecommerce.md §10.2); the others are the
// hub's, in the same range (SAMPLE, docs/protocol.md lists them).

#include <optional>
#include <string>
#include <vector>

#include "schemas/ceb.capnp.h"

namespace hub::ecommerce {

struct rule_failure {
  std::string rule; ///< "M1"
  std::string code; ///< "13031"
  std::string desc; ///< what disagrees, with both values where that helps
};

/// M1 order acturalPaid = payment amountPaid; M2 acturalPaid = goodsValue + freight +
/// taxTotal - discount; M3 consignee, phone, address of order = waybill's; M4 orderer =
/// payer (id number and name); M5 the order's payCode/payTransactionId, when it names
/// them, are the payment's; M6 inventory buyer = order buyer; M7 inventory lines =
/// order lines (item, quantity; prices consistent); waybill and inventory name the same
/// order. Returns every failure, in rule order; empty if everything agrees.
std::vector<rule_failure> check_parcel(swhub::ceb::Order::Reader order,
                                       swhub::ceb::PaymentHead::Reader payment,
                                       swhub::ceb::LogisticsHead::Reader waybill,
                                       swhub::ceb::Inventory::Reader inventory);

/// The failures as one returnInfo: "[Code:13031;Desc:...][Code:13033;Desc:...]".
std::string reasons_text(const std::vector<rule_failure>& f);

} // namespace hub::ecommerce
