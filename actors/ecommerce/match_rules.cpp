#include "actors/ecommerce/match_rules.hpp"

#include <map>

#include "actors/core/fixed_point.hpp"

namespace hub::ecommerce {

namespace {

std::string s(capnp::Text::Reader t) {
  return std::string{t.cStr(), t.size()};
}

std::string amount(wide_int units) {
  return format_fixed(units, 5);
}

} // namespace

std::vector<rule_failure> check_parcel(swhub::ceb::Order::Reader order,
                                       swhub::ceb::PaymentHead::Reader pay,
                                       swhub::ceb::LogisticsHead::Reader way,
                                       swhub::ceb::Inventory::Reader inv) {
  std::vector<rule_failure> out;
  auto oh = order.getHead();
  auto ih = inv.getHead();
  if (oh.getActuralPaid() != pay.getAmountPaid())
    out.push_back({"M1", "13031", "订单实际支付金额与支付单不一致 (order acturalPaid "
                                    + amount(oh.getActuralPaid()) + ", payment amountPaid "
                                    + amount(pay.getAmountPaid()) + ")"});
  __extension__ __int128 expect = static_cast<__int128>(oh.getGoodsValue()) + oh.getFreight()
                                  + oh.getTaxTotal() - oh.getDiscount();
  if (expect != oh.getActuralPaid())
    out.push_back({"M2", "13032", "订单实际支付金额不等于商品价格+运杂费+代扣税款-非现金抵扣 (acturalPaid "
                                    + amount(oh.getActuralPaid()) + ", expected "
                                    + format_fixed(expect, 5) + ")"});
  if (s(oh.getConsignee()) != s(way.getConsignee())
      || s(oh.getConsigneeTelephone()) != s(way.getConsigneeTelephone())
      || s(oh.getConsigneeAddress()) != s(way.getConsigneeAddress()))
    out.push_back({"M3", "13033", "订单收货人信息与运单不一致 (consignee, consigneeTelephone or "
                                    "consigneeAddress differ)"});
  if (s(oh.getBuyerIdNumber()) != s(pay.getPayerIdNumber())
      || s(oh.getBuyerName()) != s(pay.getPayerName()))
    out.push_back({"M4", "13034", "订购人与支付人不一致 (buyerIdNumber/buyerName vs "
                                    "payerIdNumber/payerName)"});
  if ((oh.getPayCode().size() > 0 && s(oh.getPayCode()) != s(pay.getPayCode()))
      || (oh.getPayTransactionId().size() > 0
          && s(oh.getPayTransactionId()) != s(pay.getPayTransactionId())))
    out.push_back({"M5", "13035", "支付企业不一致 (order payCode " + s(oh.getPayCode()) + "/"
                                    + s(oh.getPayTransactionId()) + ", payment "
                                    + s(pay.getPayCode()) + "/" + s(pay.getPayTransactionId())
                                    + ")"});
  if (s(ih.getBuyerIdNumber()) != s(oh.getBuyerIdNumber())
      || s(ih.getBuyerName()) != s(oh.getBuyerName()))
    out.push_back({"M6", "13036", "清单订购人与订单订购人不一致 (buyerIdNumber/buyerName)"});
  // M7: the same items in the same quantities; a line's price within the order's.
  std::map<std::string, std::pair<wide_int, wide_int>> ordered; // itemNo -> (qty, total), exact
  for (auto l : order.getLines()) {
    auto& e = ordered[s(l.getItemNo())];
    e.first += l.getQty();
    e.second += l.getTotalPrice();
  }
  std::map<std::string, std::pair<wide_int, wide_int>> declared;
  for (auto l : inv.getLines()) {
    auto& e = declared[s(l.getItemNo())];
    e.first += l.getQty();
    e.second += l.getTotalPrice();
  }
  std::string m7;
  for (auto& [item, v] : declared) {
    auto o = ordered.find(item);
    if (o == ordered.end())
      m7 += "item " + (item.empty() ? std::string{"(no itemNo)"} : item) + " is not in the order; ";
    else if (o->second.first != v.first)
      m7 += "item " + item + " qty " + amount(v.first) + " declared, " + amount(o->second.first)
            + " ordered; ";
    else if (v.second < o->second.second)
      m7 += "item " + item + " declared at " + amount(v.second) + ", ordered at "
            + amount(o->second.second) + "; ";
  }
  for (auto& [item, v] : ordered)
    if (!declared.count(item))
      m7 += "ordered item " + item + " is not declared; ";
  if (!m7.empty()) {
    m7.resize(m7.size() - 2);
    out.push_back({"M7", "13037", "清单商品与订单商品不一致 (" + m7 + ")"});
  }
  if (s(way.getOrderNo()) != s(ih.getOrderNo()))
    out.push_back({"M5", "13038", "运单与清单的订单编号不一致 (waybill orderNo " + s(way.getOrderNo())
                                    + ", inventory orderNo " + s(ih.getOrderNo()) + ")"});
  return out;
}

std::string reasons_text(const std::vector<rule_failure>& f) {
  std::string out;
  for (auto& x : f)
    out += "[Code:" + x.code + ";Desc:" + x.desc + "]";
  return out;
}

} // namespace hub::ecommerce
