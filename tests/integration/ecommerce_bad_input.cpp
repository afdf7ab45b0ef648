// Bad CEB input over the real swhubd (issue 18 item 7, SR-15.1): every case gets its own
// code, and either a refused hub receipt with nothing stored (a fault of the message) or
// an accepted message whose faulty document gets a CEB receipt with a negative
// returnStatus in the specification's numbering and a returnInfo a platform can act on
// (a fault of one document). The hub keeps serving: a good parcel is released after all.
// A second live inventory naming a waybill already held is refused too (one waybill is
// one parcel).

#include <catch2/catch.hpp>

#include <functional>

#include "tests/support/ceb_world.hpp"
#include "tests/support/exchange_checks.hpp"

using namespace hub;
using namespace hub::test;
using namespace std::chrono_literals;

namespace {

/// Replaces the first `<ceb:name>...</ceb:name>` with `value` (or drops it if `drop`).
std::string set_el(std::string xml, const std::string& name, const std::string& value, bool drop = false) {
  auto open = "<ceb:" + name + ">", close = "</ceb:" + name + ">";
  auto a = xml.find(open);
  REQUIRE(a != std::string::npos);
  auto b = xml.find(close, a);
  if (drop) {
    auto line_start = xml.rfind('\n', a);
    xml.erase(line_start, b + close.size() - line_start);
  } else {
    xml.replace(a + open.size(), b - a - open.size(), value);
  }
  return xml;
}

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  for (size_t i = s.find(from); i != std::string::npos; i = s.find(from, i + to.size()))
    s.replace(i, from.size(), to);
  return s;
}

struct message_case {
  std::string name;
  const ceb_partner* from;
  std::string type;
  std::function<std::string()> xml;
  std::string error; ///< the hub receipt's error name
};

struct document_case {
  std::string name;
  const ceb_partner* from;
  std::string type;
  std::string receipt;   ///< "CEB312Message"
  std::string key_field; ///< element of the *Return naming the document
  std::string key;
  std::function<std::string()> xml;
  std::string status;    ///< negative returnStatus
  std::string info;      ///< text the returnInfo must contain
};

} // namespace

TEST_CASE("SR-15.1 bad CEB messages are refused whole with their own code, and nothing is stored",
          "[integration][ecommerce][bad-input]") {
  ceb_settings s;
  s.hub.max_frame_bytes = 16u << 20; // the CEB limit (8 MiB) answers, not the frame limit
  ceb_world w{s};
  auto& plt = w.platform;
  auto& agt = w.agent;
  auto order = [&w](const std::string& tag) {
    return ceb_docs::order_message({w.parcel(tag)}, w.platform.transfer());
  };
  auto inventory = [&w](const std::string& tag) {
    return ceb_docs::inventory_message({w.parcel(tag)}, w.agent.transfer());
  };
  std::vector<message_case> cases{
    {"not well-formed", &plt, "ecommerce.ceb311", [&] { return order("M1").substr(0, 300); }, "ceb_malformed"},
    {"not UTF-8", &plt, "ecommerce.ceb311",
     [&] { return set_el(order("M2"), "buyerName", "\xd5\xc5\xc8\xfd"); }, "ceb_malformed"},
    {"billion laughs", &plt, "ecommerce.ceb311",
     [&] {
       std::string x = "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [<!ENTITY lol \"lol\">"
                       "<!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">"
                       "<!ENTITY lol2 \"&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;\">]>\n";
       auto o = order("M3");
       return x + set_el(o.substr(o.find("<ceb:CEB311Message")), "note", "&lol2;");
     },
     "ceb_forbidden_markup"},
    {"external entity (XXE)", &plt, "ecommerce.ceb311",
     [&] {
       auto o = order("M4");
       return "<?xml version=\"1.0\"?>\n<!DOCTYPE x [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>\n"
              + set_el(o.substr(o.find("<ceb:CEB311Message")), "buyerName", "&xxe;");
     },
     "ceb_forbidden_markup"},
    {"a DTD", &plt, "ecommerce.ceb311",
     [&] {
       auto o = order("M5");
       return "<?xml version=\"1.0\"?>\n<!DOCTYPE ceb:CEB311Message>\n" + o.substr(o.find("<ceb:CEB311Message"));
     },
     "ceb_forbidden_markup"},
    {"a 10 MB message", &plt, "ecommerce.ceb311",
     [&] { return set_el(order("M6"), "note", std::string(10u << 20, 'x')); }, "ceb_too_large"},
    {"101 documents", &plt, "ecommerce.ceb311",
     [&] {
       std::vector<ceb_docs::parcel> many;
       for (int i = 0; i < 101; ++i)
         many.push_back(w.parcel("M7-" + std::to_string(i)));
       return ceb_docs::order_message(many, w.platform.transfer());
     },
     "ceb_too_large"},
    {"wrong namespace", &plt, "ecommerce.ceb311",
     [&] { return replace_all(order("M8"), "http://www.chinaport.gov.cn/ceb", "http://example.com/ceb"); },
     "ceb_wrong_root"},
    {"an export message", &plt, "ecommerce.ceb311",
     [&] { return replace_all(order("M9"), "CEB311Message", "CEB303Message"); }, "ceb_wrong_root"},
    {"a receipt sent as a message", &plt, "ecommerce.ceb311",
     [&] { return replace_all(order("M10"), "CEB311Message", "CEB312Message"); }, "ceb_wrong_root"},
    {"a payment sent as an order", &plt, "ecommerce.ceb311",
     [&] { return ceb_docs::payment_message({w.parcel("M11")}, w.platform.transfer()); }, "ceb_wrong_root"},
    {"root guid of 35 characters", &plt, "ecommerce.ceb311",
     [&] {
       auto o = order("M12");
       auto g = o.find("guid=\"") + 6;
       return o.erase(g, 1);
     },
     "ceb_schema_invalid"},
    {"no BaseTransfer", &plt, "ecommerce.ceb311",
     [&] {
       auto o = order("M13");
       auto a = o.find("\t<ceb:BaseTransfer>"), b = o.find("</ceb:BaseTransfer>\n") + 20;
       return o.erase(a, b - a);
     },
     "ceb_schema_invalid"},
    {"copCode of another enterprise", &plt, "ecommerce.ceb311",
     [&] { return set_el(order("M14"), "copCode", "3101960003"); }, "ceb_not_transmitter"},
    {"DxpMsg from another DXP account", &plt, "ecommerce.ceb311",
     [&] { return ceb_docs::dxp_wrap(order("M15"), "DXPENT0000000999", "CEB311Message"); }, "ceb_dxp_sender"},
    {"DxpMsg with broken base64", &plt, "ecommerce.ceb311",
     [&] {
       auto d = ceb_docs::dxp_wrap(order("M16"), w.platform.dxp_id, "CEB311Message");
       auto a = d.find("<dxp:Data>") + 10;
       return d.replace(a, 4, "!!!!");
     },
     "ceb_malformed"},
    {"an inventory without its mandatory signature", &agt, "ecommerce.ceb621",
     [&] { return inventory("M17"); }, "ceb_signature_missing"},
    {"a digest that does not match (value changed after signing)", &agt, "ecommerce.ceb621",
     [&] {
       auto x = w.sign(w.agent, inventory("M18"));
       return set_el(x, "freight", "1");
     },
     "ceb_digest_mismatch"},
    {"a bad signature value", &agt, "ecommerce.ceb621",
     [&] {
       auto x = w.sign(w.agent, inventory("M19"));
       auto a = x.find("SignatureValue>") + 15;
       x[a + 2] = x[a + 2] == 'A' ? 'B' : 'A';
       return x;
     },
     "ceb_bad_signature"},
    {"signed under another enterprise's certificate", &agt, "ecommerce.ceb621",
     [&] {
       ceb_partner other = w.logistics; // its key and certificate, the agent's message
       return w.sign(other, inventory("M20"));
     },
     "ceb_foreign_certificate"},
  };
  auto c_plt = w.connect(w.platform);
  auto c_agt = w.connect(w.agent);
  for (auto& c : cases) {
    INFO(c.name);
    auto& client = c.from == &w.agent ? *c_agt : *c_plt;
    auto m = ceb_world::message(c.type, c.xml());
    auto r = submit(client, m);
    INFO(r.reason);
    CHECK(r.status == receipt::rejected);
    CHECK(r.error_name == c.error);
    CHECK_FALSE(r.reason.empty());
    CHECK_FALSE(r.retryable);
    auto st = client.query_status(m.message_id);
    REQUIRE(st);
    CHECK(st->status == "unknown"); // nothing stored
  }
  CHECK(cases.size() == 20);
  // The hub keeps serving: a good parcel goes through.
  auto c_pay = w.connect(w.payment);
  auto c_lgs = w.connect(w.logistics);
  auto p = w.parcel("AFTER-1");
  w.send_parcels(*c_plt, *c_pay, *c_lgs, *c_agt, {p});
  wait_return(*c_agt, "CEB622Message", "copNo", p.order_no.substr(0, 20), "800");
}

TEST_CASE("SR-15.1 a bad document gets a negative CEB receipt naming the fault, its message's other documents go on",
          "[integration][ecommerce][bad-input]") {
  ceb_settings s;
  s.return_days = 0; // no returns after release: a return is refused at once
  ceb_world w{s};
  auto order_with = [&w](const std::string& tag, const std::function<std::string(std::string)>& f) {
    // the bad order plus a good one in the same message
    auto xml = ceb_docs::order_message({w.parcel(tag), w.parcel(tag + "-OK")}, w.platform.transfer());
    auto cut = xml.find("<ceb:Order>", xml.find("</ceb:Order>"));
    return f(xml.substr(0, cut)) + xml.substr(cut);
  };
  std::vector<document_case> cases{
    {"appTime of 13 characters", &w.platform, "ecommerce.ceb311", "CEB312Message", "orderNo", "ORD-D1",
     [&] { return order_with("D1", [](std::string x) { return set_el(x, "appTime", "2026120712000"); }); },
     "-301008", "appTime"},
    {"a sixth decimal", &w.platform, "ecommerce.ceb311", "CEB312Message", "orderNo", "ORD-D2",
     [&] { return order_with("D2", [](std::string x) { return set_el(x, "freight", "0.000001"); }); },
     "-301008", "freight"},
    {"an empty decimal", &w.platform, "ecommerce.ceb311", "CEB312Message", "orderNo", "ORD-D3",
     [&] { return order_with("D3", [](std::string x) { return set_el(x, "discount", ""); }); },
     "-301008", "discount"},
    {"a decimal beyond what the hub holds exactly", &w.platform, "ecommerce.ceb311", "CEB312Message", "orderNo",
     "ORD-D4",
     [&] { return order_with("D4", [](std::string x) { return set_el(x, "taxTotal", "99999999999999.99999"); }); },
     "-301008", "taxTotal"},
    {"currency not 142", &w.platform, "ecommerce.ceb311", "CEB312Message", "orderNo", "ORD-D5",
     [&] { return order_with("D5", [](std::string x) { return set_el(x, "currency", "502"); }); },
     "-301008", "'142'"},
    {"a missing mandatory element", &w.platform, "ecommerce.ceb311", "CEB312Message", "orderNo", "ORD-D6",
     [&] { return order_with("D6", [](std::string x) { return set_el(x, "buyerTelephone", "", true); }); },
     "-301008", "buyerTelephone"},
    {"an unknown ebpCode", &w.platform, "ecommerce.ceb311", "CEB312Message", "orderNo", "ORD-D7",
     [&] {
       return order_with("D7", [](std::string x) {
         return set_el(set_el(x, "ebpCode", "9999999999"), "ebcCode", "3301960001");
       });
     },
     "-301008", "9999999999"},
    {"another platform's ebpCode", &w.platform, "ecommerce.ceb311", "CEB312Message", "orderNo", "ORD-D8",
     [&] {
       return order_with("D8", [](std::string x) {
         return set_el(set_el(x, "ebpCode", "3301960009"), "ebcCode", "3301960009");
       });
     },
     "-301008", "ceb_unknown_enterprise"},
    {"appType 2 of an order the hub does not hold", &w.platform, "ecommerce.ceb311", "CEB312Message", "orderNo",
     "ORD-D9", [&] { return order_with("D9", [](std::string x) { return set_el(x, "appType", "2"); }); },
     "-301009", "appType 2"},
    {"a payment without payTime", &w.payment, "ecommerce.ceb411", "CEB412Message", "payTransactionId", "PAY-D10",
     [&] {
       return set_el(ceb_docs::payment_message({w.parcel("D10")}, w.payment.transfer()), "payTime", "", true);
     },
     "-401009", "payTime"},
  };
  auto c_plt = w.connect(w.platform);
  auto c_pay = w.connect(w.payment);
  for (auto& c : cases) {
    INFO(c.name);
    auto& client = c.from == &w.payment ? *c_pay : *c_plt;
    auto xml = c.xml();
    accepted(client, ceb_world::message(c.type, xml));
    auto r = wait_return(client, c.receipt, c.key_field, c.key, c.status);
    INFO(r["returnInfo"]);
    CHECK(r["returnInfo"].find(c.info) != std::string::npos);
    CHECK(r.hub_status == "rejected");
    if (c.type == "ecommerce.ceb311") // the good order of the same message was stored
      wait_return(client, "CEB312Message", "orderNo", c.key + "-OK", "120");
  }
  // The same order again with other content: -301010.
  {
    auto p = w.parcel("D11");
    w.send_order(*c_plt, {p});
    wait_return(*c_plt, "CEB312Message", "orderNo", p.order_no, "120");
    p.freight = "5";
    p.paid = "";
    accepted(*c_plt, ceb_world::message("ecommerce.ceb311", ceb_docs::order_message({p}, w.platform.transfer())));
    auto r = wait_return(*c_plt, "CEB312Message", "orderNo", p.order_no, "-301010");
    CHECK(r["returnInfo"].find("appType 2") != std::string::npos);
  }
  // Inventories: a released one cannot change, a return after the window is refused,
  // an unknown invtNo cannot be cancelled, bonded mode needs its account book.
  auto c_lgs = w.connect(w.logistics);
  auto c_agt = w.connect(w.agent);
  auto p = w.parcel("D12");
  w.send_parcels(*c_plt, *c_pay, *c_lgs, *c_agt, {p});
  auto rel = wait_return(*c_agt, "CEB622Message", "copNo", "ORD-D12", "800");
  auto changed = p;
  changed.app_type = "2";
  changed.freight = "1";
  w.send_inventory(*c_agt, {changed});
  auto r1 = wait_return(*c_agt, "CEB622Message", "copNo", "ORD-D12", "-621012");
  CHECK(r1["returnInfo"].find("released") != std::string::npos);
  p.invt_no = rel["invtNo"];
  accepted(*c_agt, ceb_world::message("ecommerce.ceb625", w.sign(w.agent, ceb_docs::refund_message({p}, w.agent.transfer()))));
  auto r2 = wait_return(*c_agt, "CEB626Message", "invtNo", p.invt_no, "-625001");
  CHECK(r2["returnInfo"].find("ceb_return_window") == 0);
  auto ghost = p;
  ghost.invt_no = "224920269000000001";
  accepted(*c_agt, ceb_world::message("ecommerce.ceb623", w.sign(w.agent, ceb_docs::cancel_message({ghost}, w.agent.transfer()))));
  auto r3 = wait_return(*c_agt, "CEB624Message", "invtNo", ghost.invt_no, "-623003");
  CHECK(r3["returnInfo"].find(ghost.invt_no) != std::string::npos);
  auto bonded = w.parcel("D13");
  bonded.trade_mode = "1210";
  w.send_inventory(*c_agt, {bonded});
  auto r4 = wait_return(*c_agt, "CEB622Message", "copNo", "ORD-D13", "-621001");
  CHECK(r4["returnInfo"].find("emsNo") != std::string::npos);
  // One waybill is one parcel: another order's inventory naming the waybill that a
  // waiting inventory holds is refused without naming that order, and the first
  // parcel is still matched through its waybill.
  auto holder = w.parcel("D14");
  w.send_inventory(*c_agt, {holder});
  wait_return(*c_agt, "CEB622Message", "copNo", "ORD-D14", "120");
  auto intruder = w.parcel("D15");
  intruder.logistics_no = holder.logistics_no;
  w.send_inventory(*c_agt, {intruder});
  auto r5 = wait_return(*c_agt, "CEB622Message", "copNo", "ORD-D15", "-621001");
  CHECK(r5["returnInfo"].find("one waybill is one parcel") != std::string::npos);
  CHECK(r5["returnInfo"].find("ORD-D14") == std::string::npos);
  w.send_order(*c_plt, {holder});
  w.send_payment(*c_pay, {holder});
  w.send_waybill(*c_lgs, {holder});
  wait_return(*c_agt, "CEB622Message", "copNo", "ORD-D14", "800");
  // A changed inventory (appType 2) that moves to another waybill lets the old one go.
  auto mover = w.parcel("D16");
  w.send_inventory(*c_agt, {mover});
  wait_return(*c_agt, "CEB622Message", "copNo", "ORD-D16", "120");
  auto moved = mover;
  moved.app_type = "2";
  moved.logistics_no = mover.logistics_no + "B";
  w.send_inventory(*c_agt, {moved});
  wait_return(*c_agt, "CEB622Message", "copNo", "ORD-D16", "120");
  auto taker = w.parcel("D17");
  taker.logistics_no = mover.logistics_no;
  w.send_inventory(*c_agt, {taker});
  wait_return(*c_agt, "CEB622Message", "copNo", "ORD-D17", "120");
  // A link left by an order's refused inventory does not block the waybill's real owner:
  // D19 first names D20's waybill (refused, 13038), is declared again with its own and
  // released; D20 then declares its own waybill and is released too.
  auto d19 = w.parcel("D19"), d20 = w.parcel("D20");
  w.send_order(*c_plt, {d19, d20});
  w.send_payment(*c_pay, {d19, d20});
  w.send_waybill(*c_lgs, {d20});
  auto wrong = d19;
  wrong.logistics_no = d20.logistics_no;
  w.send_inventory(*c_agt, {wrong});
  CHECK(wait_return(*c_agt, "CEB622Message", "copNo", "ORD-D19", "100")["returnInfo"].find("13038")
        != std::string::npos);
  w.send_waybill(*c_lgs, {d19});
  w.send_inventory(*c_agt, {d19});
  wait_return(*c_agt, "CEB622Message", "copNo", "ORD-D19", "800");
  w.send_inventory(*c_agt, {d20});
  wait_return(*c_agt, "CEB622Message", "copNo", "ORD-D20", "800");
}
