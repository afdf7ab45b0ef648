#include "tools/ceb/parcel_documents.hpp"

#include <random>
#include <sstream>

#include <openssl/evp.h>

#include "actors/core/fixed_point.hpp"

namespace hub::ceb_docs {

namespace {

std::string esc(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

/// Writes <ceb:name>value</ceb:name> lines in the order given.
class writer {
public:
  void open(const std::string& name, int indent) {
    pad(indent);
    s_ << "<ceb:" << name << ">\n";
  }
  void close(const std::string& name, int indent) {
    pad(indent);
    s_ << "</ceb:" << name << ">\n";
  }
  void el(const std::string& name, const std::string& value, int indent) {
    pad(indent);
    s_ << "<ceb:" << name << ">" << esc(value) << "</ceb:" << name << ">\n";
  }
  void raw(const std::string& text) { s_ << text; }
  std::string str() const { return s_.str(); }

private:
  void pad(int n) {
    for (int i = 0; i < n; ++i)
      s_ << '\t';
  }
  std::ostringstream s_;
};

std::string begin(const std::string& root) {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ceb:" + root + " guid=\"" + new_guid()
         + "\" version=\"1.0\" xmlns:ceb=\"http://www.chinaport.gov.cn/ceb\" "
           "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\n";
}

void base(writer& w, const transfer& t) {
  w.open("BaseTransfer", 1);
  w.el("copCode", t.cop_code, 2);
  w.el("copName", t.cop_name, 2);
  w.el("dxpMode", "DXP", 2);
  w.el("dxpId", t.dxp_id, 2);
  w.el("note", "SAMPLE", 2);
  w.close("BaseTransfer", 1);
  if (!t.subscribe_dxp.empty()) {
    w.open("BaseSubscribe", 1);
    w.el("status", "RET", 2);
    w.el("dxpMode", "DXP", 2);
    w.el("dxpAddress", t.subscribe_dxp, 2);
    w.close("BaseSubscribe", 1);
  }
}

void common(writer& w, const parcel& p, const char* app_status) {
  w.el("guid", new_guid(), 3);
  w.el("appType", p.app_type, 3);
  w.el("appTime", p.app_time, 3);
  w.el("appStatus", app_status, 3);
}

} // namespace

std::string new_guid() {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  static const char* hex = "0123456789ABCDEF";
  std::string g;
  for (int i = 0; i < 32; ++i) {
    if (i == 8 || i == 12 || i == 16 || i == 20)
      g += '-';
    g += hex[rng() % 16];
  }
  return g;
}

std::string paid_of(const parcel& p) {
  if (!p.paid.empty())
    return p.paid;
  auto v = [](const std::string& s) { return parse_fixed(s, 5).value_or(0); };
  return format_fixed(v(p.total) + v(p.freight) + v(p.tax_total) - v(p.discount), 5);
}

std::string order_message(const std::vector<parcel>& batch, const transfer& t) {
  writer w;
  w.raw(begin("CEB311Message"));
  for (auto& p : batch) {
    w.open("Order", 1);
    w.open("OrderHead", 2);
    common(w, p, "2");
    w.el("orderType", "I", 3);
    w.el("orderNo", p.order_no, 3);
    w.el("ebpCode", p.ebp, 3);
    w.el("ebpName", p.ebp_name, 3);
    w.el("ebcCode", p.ebc, 3);
    w.el("ebcName", p.ebc_name, 3);
    w.el("goodsValue", p.total, 3);
    w.el("freight", p.freight, 3);
    w.el("discount", p.discount, 3);
    w.el("taxTotal", p.tax_total, 3);
    w.el("acturalPaid", paid_of(p), 3);
    w.el("currency", p.currency, 3);
    w.el("buyerRegNo", "U" + p.buyer_phone, 3);
    w.el("buyerName", p.buyer_name, 3);
    w.el("buyerTelephone", p.buyer_phone, 3);
    w.el("buyerIdType", "1", 3);
    w.el("buyerIdNumber", p.buyer_id, 3);
    w.el("payCode", p.pay, 3);
    w.el("payName", p.pay_name, 3);
    w.el("payTransactionId", p.pay_transaction_id, 3);
    w.el("consignee", p.buyer_name, 3);
    w.el("consigneeTelephone", p.buyer_phone, 3);
    w.el("consigneeAddress", p.consignee_address, 3);
    w.close("OrderHead", 2);
    w.open("OrderList", 2);
    w.el("gnum", "1", 3);
    w.el("itemNo", p.item_no, 3);
    w.el("itemName", p.item_name, 3);
    w.el("gmodel", p.item_name + " 60粒/瓶", 3);
    w.el("unit", p.unit, 3);
    w.el("qty", p.qty, 3);
    w.el("price", p.price, 3);
    w.el("totalPrice", p.total, 3);
    w.el("currency", p.currency, 3);
    w.el("country", "502", 3);
    w.close("OrderList", 2);
    w.close("Order", 1);
  }
  base(w, t);
  w.raw("</ceb:CEB311Message>\n");
  return w.str();
}

std::string payment_message(const std::vector<parcel>& batch, const transfer& t) {
  writer w;
  w.raw(begin("CEB411Message"));
  for (auto& p : batch) {
    w.open("Payment", 1);
    w.open("PaymentHead", 2);
    common(w, p, "2");
    w.el("payCode", p.pay, 3);
    w.el("payName", p.pay_name, 3);
    w.el("payTransactionId", p.pay_transaction_id, 3);
    w.el("orderNo", p.order_no, 3);
    w.el("ebpCode", p.ebp, 3);
    w.el("ebpName", p.ebp_name, 3);
    w.el("payerIdType", "1", 3);
    w.el("payerIdNumber", p.buyer_id, 3);
    w.el("payerName", p.buyer_name, 3);
    w.el("telephone", p.buyer_phone, 3);
    w.el("amountPaid", paid_of(p), 3);
    w.el("currency", p.currency, 3);
    w.el("payTime", p.app_time, 3);
    w.close("PaymentHead", 2);
    w.close("Payment", 1);
  }
  base(w, t);
  w.raw("</ceb:CEB411Message>\n");
  return w.str();
}

std::string waybill_message(const std::vector<parcel>& batch, const transfer& t) {
  writer w;
  w.raw(begin("CEB511Message"));
  for (auto& p : batch) {
    w.open("Logistics", 1);
    w.open("LogisticsHead", 2);
    common(w, p, "2");
    w.el("logisticsCode", p.logistics, 3);
    w.el("logisticsName", p.logistics_name, 3);
    w.el("logisticsNo", p.logistics_no, 3);
    w.el("orderNo", p.order_no, 3);
    w.el("freight", p.freight, 3);
    w.el("insuredFee", p.insured, 3);
    w.el("currency", "142", 3);
    w.el("weight", "0.8", 3);
    w.el("packNo", "1", 3);
    w.el("goodsInfo", p.item_name, 3);
    w.el("consignee", p.buyer_name, 3);
    w.el("consigneeAddress", p.consignee_address, 3);
    w.el("consigneeTelephone", p.buyer_phone, 3);
    w.close("LogisticsHead", 2);
    w.close("Logistics", 1);
  }
  base(w, t);
  w.raw("</ceb:CEB511Message>\n");
  return w.str();
}

std::string inventory_message(const std::vector<parcel>& batch, const transfer& t) {
  writer w;
  w.raw(begin("CEB621Message"));
  for (auto& p : batch) {
    w.open("Inventory", 1);
    w.open("InventoryHead", 2);
    common(w, p, "2");
    w.el("orderNo", p.order_no, 3);
    w.el("ebpCode", p.ebp, 3);
    w.el("ebpName", p.ebp_name, 3);
    w.el("ebcCode", p.ebc, 3);
    w.el("ebcName", p.ebc_name, 3);
    w.el("logisticsNo", p.logistics_no, 3);
    w.el("logisticsCode", p.logistics, 3);
    w.el("logisticsName", p.logistics_name, 3);
    w.el("copNo", p.order_no.substr(0, 20), 3);
    w.el("assureCode", p.assure, 3);
    if (!p.ems_no.empty())
      w.el("emsNo", p.ems_no, 3);
    w.el("ieFlag", "I", 3);
    w.el("declTime", p.decl_date, 3);
    w.el("customsCode", p.customs, 3);
    w.el("portCode", p.port, 3);
    w.el("ieDate", p.decl_date, 3);
    w.el("buyerIdType", "1", 3);
    w.el("buyerIdNumber", p.buyer_id, 3);
    w.el("buyerName", p.buyer_name, 3);
    w.el("buyerTelephone", p.buyer_phone, 3);
    w.el("consigneeAddress", p.consignee_address, 3);
    w.el("agentCode", p.agent, 3);
    w.el("agentName", p.agent_name, 3);
    w.el("tradeMode", p.trade_mode, 3);
    w.el("trafMode", "5", 3);
    w.el("trafNo", "MU5101", 3);
    w.el("voyageNo", "MU5101-20261207", 3);
    w.el("billNo", "78412345678", 3);
    w.el("country", "502", 3);
    w.el("freight", p.freight, 3);
    w.el("insuredFee", p.insured, 3);
    w.el("currency", p.currency, 3);
    w.el("wrapType", "2", 3);
    w.el("packNo", "1", 3);
    w.el("grossWeight", "0.8", 3);
    w.el("netWeight", "0.6", 3);
    w.close("InventoryHead", 2);
    w.open("InventoryList", 2);
    w.el("gnum", "1", 3);
    w.el("itemNo", p.item_no, 3);
    w.el("itemName", p.item_name, 3);
    w.el("gcode", p.gcode, 3);
    w.el("gname", p.item_name, 3);
    w.el("gmodel", p.item_name + " 60粒/瓶", 3);
    w.el("country", "502", 3);
    w.el("currency", p.currency, 3);
    w.el("qty", p.qty, 3);
    w.el("unit", p.unit, 3);
    w.el("qty1", p.qty1, 3);
    w.el("unit1", p.unit1, 3);
    w.el("price", p.price, 3);
    w.el("totalPrice", p.total, 3);
    w.close("InventoryList", 2);
    w.close("Inventory", 1);
  }
  base(w, t);
  w.raw("</ceb:CEB621Message>\n");
  return w.str();
}

namespace {
void cancel_head(writer& w, const parcel& p, const std::string& reason) {
  common(w, p, "2");
  w.el("customsCode", p.customs, 3);
  w.el("orderNo", p.order_no, 3);
  w.el("ebpCode", p.ebp, 3);
  w.el("ebpName", p.ebp_name, 3);
  w.el("ebcCode", p.ebc, 3);
  w.el("ebcName", p.ebc_name, 3);
  w.el("logisticsNo", p.logistics_no, 3);
  w.el("logisticsCode", p.logistics, 3);
  w.el("logisticsName", p.logistics_name, 3);
  w.el("copNo", p.order_no.substr(0, 20), 3);
  w.el("invtNo", p.invt_no, 3);
  w.el("buyerIdType", "1", 3);
  w.el("buyerIdNumber", p.buyer_id, 3);
  w.el("buyerName", p.buyer_name, 3);
  w.el("buyerTelephone", p.buyer_phone, 3);
  w.el("agentCode", p.agent, 3);
  w.el("agentName", p.agent_name, 3);
  w.el("reason", reason, 3);
}
} // namespace

std::string cancel_message(const std::vector<parcel>& batch, const transfer& t,
                           const std::string& reason) {
  writer w;
  w.raw(begin("CEB623Message"));
  for (auto& p : batch) {
    w.open("InvtCancel", 1);
    cancel_head(w, p, reason);
    w.close("InvtCancel", 1);
  }
  base(w, t);
  w.raw("</ceb:CEB623Message>\n");
  return w.str();
}

std::string refund_message(const std::vector<parcel>& batch, const transfer& t,
                           const std::string& reason) {
  writer w;
  w.raw(begin("CEB625Message"));
  for (auto& p : batch) {
    w.open("InvtRefund", 1);
    w.open("InvtRefundHead", 2);
    cancel_head(w, p, reason);
    w.close("InvtRefundHead", 2);
    w.open("InvtRefundList", 2);
    w.el("gnum", "1", 3);
    w.el("gcode", p.gcode, 3);
    w.el("gname", p.item_name, 3);
    w.el("qty", p.qty, 3);
    w.el("unit", p.unit, 3);
    w.close("InvtRefundList", 2);
    w.close("InvtRefund", 1);
  }
  base(w, t);
  w.raw("</ceb:CEB625Message>\n");
  return w.str();
}

std::string dxp_wrap(const std::string& xml, const std::string& sender, const std::string& msg_type,
                     const std::string& receiver) {
  std::string b64(4 * ((xml.size() + 2) / 3) + 1, '\0');
  auto n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(b64.data()),
                           reinterpret_cast<const unsigned char*>(xml.data()),
                           static_cast<int>(xml.size()));
  b64.resize(static_cast<size_t>(n));
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
         "<dxp:DxpMsg ver=\"1.0\" xmlns:dxp=\"http://www.chinaport.gov.cn/dxp\">\n"
         "\t<dxp:TransInfo>\n"
         "\t\t<dxp:CopMsgId>" + new_guid() + "</dxp:CopMsgId>\n"
         "\t\t<dxp:SenderId>" + esc(sender) + "</dxp:SenderId>\n"
         "\t\t<dxp:ReceiverIds>\n\t\t\t<dxp:ReceiverId>" + esc(receiver) + "</dxp:ReceiverId>\n"
         "\t\t</dxp:ReceiverIds>\n"
         "\t\t<dxp:CreatTime>2026-12-07T12:00:00</dxp:CreatTime>\n"
         "\t\t<dxp:MsgType>" + esc(msg_type) + "</dxp:MsgType>\n"
         "\t</dxp:TransInfo>\n"
         "\t<dxp:Data>" + b64 + "</dxp:Data>\n"
         "</dxp:DxpMsg>\n";
}

} // namespace hub::ceb_docs
