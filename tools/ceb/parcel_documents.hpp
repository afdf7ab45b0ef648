#pragma once
// CEB import messages for simulated partners (swhub-sim ecommerce, swhub-bench-ecommerce,
// the tests and the SAMPLE files in config/samples/ceb): the order, payment, waybill
// and inventory list of parcels, in the 2022-05 layout with every element in the
// XSD's order, as a platform's system writes them. Values are XML-escaped; nothing
// here parses XML. Sign the result with adapters/ceb/xml_signer.hpp.

#include <cstdint>
#include <string>
#include <vector>

namespace hub::ceb_docs {

/// One parcel: who trades, who pays, who carries, what, for whom. Amounts are decimal
/// text as the platform writes them ("300", "15.8").
struct parcel {
  std::string order_no, logistics_no, pay_transaction_id;
  std::string ebp = "3301960001", ebp_name = "Demo Cross-border Platform";
  std::string ebc = "3301960001", ebc_name = "Demo Cross-border Platform";
  std::string pay = "3101960002", pay_name = "Demo Payment Company";
  std::string logistics = "3101960003", logistics_name = "Demo Express Logistics";
  std::string agent = "3101960004", agent_name = "Demo Declaring Agent";
  std::string assure = "3101960004";
  std::string customs = "2249", port = "2249";
  std::string trade_mode = "9610", ems_no;
  std::string buyer_id = "110101199001011234", buyer_name = "张三";
  std::string buyer_phone = "13800000000";
  std::string consignee_address = "上海市浦东新区世纪大道1号";
  std::string item_no = "SKU-0001", item_name = "复合维生素片", gcode = "2106909090";
  std::string unit = "142", unit1 = "035";
  std::string qty = "2", qty1 = "0.5", price = "150", total = "300";
  std::string freight = "0", discount = "0", tax_total = "0", insured = "0";
  std::string currency = "142";
  std::string app_type = "1";
  std::string invt_no;       ///< for cancellations and returns
  std::string app_time = "20261207120000"; ///< YYYYMMDDhhmmss
  std::string decl_date = "20261207";      ///< YYYYMMDD
  /// acturalPaid as written in the order and amountPaid in the payment ("" = computed
  /// goodsValue + freight + taxTotal - discount, exactly).
  std::string paid;
};

/// The transmitting enterprise (BaseTransfer) and optional subscriber (BaseSubscribe).
struct transfer {
  std::string cop_code, cop_name = "SAMPLE", dxp_id;
  std::string subscribe_dxp; ///< "" = no BaseSubscribe
};

std::string order_message(const std::vector<parcel>& batch, const transfer& t);
std::string payment_message(const std::vector<parcel>& batch, const transfer& t);
std::string waybill_message(const std::vector<parcel>& batch, const transfer& t);
std::string inventory_message(const std::vector<parcel>& batch, const transfer& t);
std::string cancel_message(const std::vector<parcel>& batch, const transfer& t,
                           const std::string& reason = "消费者取消订单");
std::string refund_message(const std::vector<parcel>& batch, const transfer& t,
                           const std::string& reason = "消费者退货");

/// The business XML wrapped in a DxpMsg terminal-node envelope (base64 Data).
std::string dxp_wrap(const std::string& xml, const std::string& sender_dxp_id,
                     const std::string& msg_type, const std::string& receiver = "DXPEDCCEB0000002");

/// A 36-character upper-case UUID (the messages' guid).
std::string new_guid();

/// The parcel's acturalPaid text (paid, or computed exactly).
std::string paid_of(const parcel& p);

} // namespace hub::ceb_docs
