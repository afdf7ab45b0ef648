// Cross-border e-commerce over the real swhubd (issue 18, SR-15.1/15.2/15.3): platform,
// payment company, logistics company and declaring agent push the CEB XML messages they
// send to China E-Port, signed as E-Port signers sign; the four documents of a parcel
// are matched in any order, taxed within the buyer's quota, released once; each sender
// gets its CEB receipts through the outbox.

#include <catch2/catch.hpp>

#include <algorithm>
#include <thread>


#include <capnp/message.h>
#include <nlohmann/json.hpp>

#include "actors/core/frames.hpp"
#include "schemas/ecommerce.capnp.h"
#include "tests/support/ceb_world.hpp"
#include "tests/support/exchange_checks.hpp"

using namespace hub;
using namespace hub::test;
using namespace std::chrono_literals;

namespace {

std::string cop(const ceb_docs::parcel& p) {
  return p.order_no.substr(0, 20);
}

} // namespace

TEST_CASE("SR-15.1 a parcel whose four documents agree is released, every sender receipted",
          "[integration][ecommerce]") {
  ceb_world w;
  auto plt = w.connect(w.platform);
  auto pay = w.connect(w.payment);
  auto lgs = w.connect(w.logistics);
  auto agt = w.connect(w.agent);
  auto p = w.parcel("REL-1");
  w.send_parcels(*plt, *pay, *lgs, *agt, {p});
  auto o = wait_return(*plt, "CEB312Message", "orderNo", p.order_no, "120");
  CHECK(o["returnInfo"].find("[Code:1800;") == 0);
  CHECK(o["ebpCode"] == "3301960001");
  CHECK(o["returnTime"].size() == 17);
  wait_return(*pay, "CEB412Message", "payTransactionId", p.pay_transaction_id, "120");
  wait_return(*lgs, "CEB512Message", "logisticsNo", p.logistics_no, "120");
  auto got = wait_return(*agt, "CEB622Message", "copNo", cop(p), "120");
  CHECK(got["preNo"].size() == 18);
  CHECK(got["preNo"][0] == 'B');
  auto concluded = wait_return(*agt, "CEB622Message", "copNo", cop(p), "399");
  // CNY 300 of supplements, VAT 13 % at 70 %: CNY 27.30
  CHECK(concluded["returnInfo"].find("[Code:2300;Desc:审核通过]") == 0);
  CHECK(concluded["returnInfo"].find("27.30") != std::string::npos);
  auto released = wait_return(*agt, "CEB622Message", "copNo", cop(p), "800");
  CHECK(released["returnInfo"] == "[Code:2600;Desc:放行]");
  CHECK(released["invtNo"].size() == 18);
  CHECK(released["invtNo"].substr(0, 4) == "2249");
  CHECK(released["invtNo"][8] == 'I');
  CHECK(released["preNo"] == got["preNo"]);
}

TEST_CASE("SR-15.1 one parcel's documents in all 24 arrival orders: each parcel released exactly once",
          "[integration][ecommerce]") {
  ceb_world w;
  auto plt = w.connect(w.platform);
  auto pay = w.connect(w.payment);
  auto lgs = w.connect(w.logistics);
  auto agt = w.connect(w.agent);
  std::vector<int> order{0, 1, 2, 3};
  std::vector<ceb_docs::parcel> parcels;
  int n = 0;
  do {
    auto p = w.parcel("PERM-" + std::to_string(n++));
    // another buyer per parcel so no quota interferes
    p.buyer_id = "1101011990010" + std::to_string(10000 + n);
    for (int k : order) {
      switch (k) {
        case 0: w.send_order(*plt, {p}); break;
        case 1: w.send_payment(*pay, {p}); break;
        case 2: w.send_waybill(*lgs, {p}); break;
        case 3: w.send_inventory(*agt, {p}); break;
      }
    }
    parcels.push_back(p);
  } while (std::next_permutation(order.begin(), order.end()));
  REQUIRE(parcels.size() == 24);
  auto released = wait_returns(
    *agt, "CEB622Message", [](const ceb_return& r) { return r["returnStatus"] == "800"; }, 24, 30s);
  std::set<std::string> cops;
  for (auto& r : released)
    cops.insert(r["copNo"]);
  CHECK(cops.size() == 24); // 24 distinct parcels, none twice
  // and no 25th release arrives later
  auto extra = agt->next_notification(1500ms);
  if (extra && extra->is_document)
    for (auto& r : read_receipt(*extra))
      CHECK(r["returnStatus"] != "800");
}

TEST_CASE("SR-15.1 documents that disagree refuse the inventory with one reason per failed rule",
          "[integration][ecommerce]") {
  ceb_world w;
  auto plt = w.connect(w.platform);
  auto pay = w.connect(w.payment);
  auto lgs = w.connect(w.logistics);
  auto agt = w.connect(w.agent);
  auto p = w.parcel("MIS-1");
  auto paid_less = p;
  paid_less.paid = "299.5";
  w.send_order(*plt, {p});
  w.send_payment(*pay, {paid_less}); // M1: the payment is not the order's acturalPaid
  w.send_waybill(*lgs, {p});
  w.send_inventory(*agt, {p});
  auto r = wait_return(*agt, "CEB622Message", "copNo", cop(p), "100");
  CHECK(r["returnInfo"].find("[Code:13031;") == 0);
  CHECK(r["returnInfo"].find("299.5") != std::string::npos);
  CHECK(r.hub_status == "rejected");
}

TEST_CASE("SR-15.1 a second inventory for an order is refused -621004 while the first is live",
          "[integration][ecommerce]") {
  ceb_world w;
  auto agt = w.connect(w.agent);
  auto p = w.parcel("DUP-1");
  auto first = w.sign(w.agent, ceb_docs::inventory_message({p}, w.agent.transfer()));
  accepted(*agt, ceb_world::message("ecommerce.ceb621", first));
  auto got = wait_return(*agt, "CEB622Message", "copNo", cop(p), "120");
  auto again = p;
  again.freight = "1"; // different content: a new declaration, not a repeat
  w.send_inventory(*agt, {again});
  auto r = wait_return(*agt, "CEB622Message", "copNo", cop(p), "-621004");
  CHECK(r["returnInfo"].find("已经申报过") != std::string::npos);
  CHECK(r["preNo"] == got["preNo"]);
  // the same message again (a new envelope, the same bytes): a duplicate, answered
  // again with the same pre-entry number, not an error
  accepted(*agt, ceb_world::message("ecommerce.ceb621", first));
  auto rep = wait_return(*agt, "CEB622Message", "copNo", cop(p), "120");
  CHECK(rep["preNo"] == got["preNo"]);
  CHECK(rep["returnInfo"].find("identical") != std::string::npos);
}

TEST_CASE("SR-15.2 two inventories of one buyer racing for the last quota: exactly one wins",
          "[integration][ecommerce]") {
  ceb_settings s;
  s.per_year = "26000";
  ceb_world w{s};
  auto plt = w.connect(w.platform);
  auto pay = w.connect(w.payment);
  auto lgs = w.connect(w.logistics);
  // Each parcel is CNY 4,000 of a single item; 6 parcels use 24,000, leaving 2,000.
  auto agt = w.connect(w.agent);
  std::vector<ceb_docs::parcel> used;
  for (int i = 0; i < 6; ++i) {
    auto p = w.parcel("Q-USED-" + std::to_string(i));
    p.qty = "1";
    p.price = p.total = "4000";
    used.push_back(p);
  }
  w.send_parcels(*plt, *pay, *lgs, *agt, used);
  wait_returns(*agt, "CEB622Message", [](const ceb_return& r) { return r["returnStatus"] == "800"; }, 6);
  // Two parcels of CNY 1,500 each: only one fits in the CNY 2,000 left.
  auto a = w.parcel("Q-RACE-A"), b = w.parcel("Q-RACE-B");
  for (auto* p : {&a, &b}) {
    p->qty = "1";
    p->price = p->total = "1500";
  }
  w.send_order(*plt, {a, b});
  w.send_payment(*pay, {a, b});
  w.send_waybill(*lgs, {a, b});
  // The two inventories race from two connections of the agent at once.
  auto agt2 = w.connect(w.agent);
  auto ia = ceb_world::message("ecommerce.ceb621", w.sign(w.agent, ceb_docs::inventory_message({a}, w.agent.transfer())));
  auto ib = ceb_world::message("ecommerce.ceb621", w.sign(w.agent, ceb_docs::inventory_message({b}, w.agent.transfer())));
  // Catch2's assertions are not thread-safe (two threads in INFO/REQUIRE at once
  // corrupted its heap): the threads only submit; the receipts are checked after.
  caf::expected<receipt> ra{caf::error{}}, rb{caf::error{}};
  std::thread t1([&] { ra = agt->submit(ia); });
  std::thread t2([&] { rb = agt2->submit(ib); });
  t1.join();
  t2.join();
  for (auto* r : {&ra, &rb}) {
    REQUIRE(*r);
    INFO((*r)->error_name << ": " << (*r)->reason);
    CHECK((*r)->status == receipt::accepted);
  }
  // Both connections are the agent's: its receipts come on whichever the hub routes
  // to, so both are read until the two outcomes are in.
  std::vector<ceb_return> outcomes;
  auto outcome = [](const ceb_return& r) {
    return (r["copNo"] == "ORD-Q-RACE-A" || r["copNo"] == "ORD-Q-RACE-B")
           && (r["returnStatus"] == "800" || r["returnStatus"] == "100");
  };
  auto until = std::chrono::steady_clock::now() + 20s;
  while (outcomes.size() < 2 && std::chrono::steady_clock::now() < until)
    for (auto* c : {agt.get(), agt2.get()}) {
      auto n = c->next_notification(100ms);
      if (!n)
        continue;
      c->ack(n->id);
      if (n->is_document)
        for (auto& r : read_receipt(*n))
          if (r.receipt == "CEB622Message" && outcome(r))
            outcomes.push_back(r);
    }
  REQUIRE(outcomes.size() == 2);
  auto wins = std::count_if(outcomes.begin(), outcomes.end(), [](auto& r) { return r["returnStatus"] == "800"; });
  CHECK(wins == 1);
  for (auto& r : outcomes)
    if (r["returnStatus"] == "100")
      CHECK(r["returnInfo"].find("[Code:1313;") == 0);
}

TEST_CASE("SR-15.2 a return within 30 days gives the quota back", "[integration][ecommerce]") {
  ceb_settings s;
  s.per_year = "5000";
  ceb_world w{s};
  auto plt = w.connect(w.platform);
  auto pay = w.connect(w.payment);
  auto lgs = w.connect(w.logistics);
  auto agt = w.connect(w.agent);
  auto p = w.parcel("RET-1");
  p.qty = "1";
  p.price = p.total = "4000";
  w.send_parcels(*plt, *pay, *lgs, *agt, {p});
  auto rel = wait_return(*agt, "CEB622Message", "copNo", cop(p), "800");
  // a second CNY 4,000 parcel does not fit the CNY 5,000 year...
  auto q = w.parcel("RET-2");
  q.qty = "1";
  q.price = q.total = "4000";
  w.send_parcels(*plt, *pay, *lgs, *agt, {q});
  auto refused = wait_return(*agt, "CEB622Message", "copNo", cop(q), "100");
  CHECK(refused["returnInfo"].find("[Code:1313;") == 0);
  // ...until the first is returned
  p.invt_no = rel["invtNo"];
  accepted(*agt, ceb_world::message("ecommerce.ceb625",
                                    w.sign(w.agent, ceb_docs::refund_message({p}, w.agent.transfer()))));
  auto back = wait_return(*agt, "CEB626Message", "invtNo", p.invt_no, "399");
  CHECK(back["returnInfo"].find("4000.00") != std::string::npos);
  auto q2 = w.parcel("RET-3");
  q2.qty = "1";
  q2.price = q2.total = "4000";
  w.send_parcels(*plt, *pay, *lgs, *agt, {q2});
  wait_return(*agt, "CEB622Message", "copNo", cop(q2), "800");
}

TEST_CASE("SR-15.1 kill -9 between the third and the fourth document loses nothing",
          "[integration][ecommerce][fault]") {
  ceb_world w;
  auto p = w.parcel("KILL-1");
  {
    auto plt = w.connect(w.platform);
    auto pay = w.connect(w.payment);
    auto lgs = w.connect(w.logistics);
    w.send_order(*plt, {p});
    w.send_payment(*pay, {p});
    w.send_waybill(*lgs, {p});
  }
  w.restart(true);
  auto agt = w.connect(w.agent);
  w.send_inventory(*agt, {p});
  wait_return(*agt, "CEB622Message", "copNo", cop(p), "800");
}

TEST_CASE("SR-15.1 a batch of 100 orders with one bad document: 99 stored, one refused",
          "[integration][ecommerce]") {
  ceb_world w;
  auto plt = w.connect(w.platform);
  std::vector<ceb_docs::parcel> batch;
  for (int i = 0; i < 100; ++i)
    batch.push_back(w.parcel("B100-" + std::to_string(i)));
  batch[42].currency = "502"; // a business rule: orders are in RMB
  w.send_order(*plt, batch);
  auto all = wait_returns(
    *plt, "CEB312Message", [](const ceb_return&) { return true; }, 100, 30s);
  size_t stored = 0;
  for (auto& r : all) {
    if (r["orderNo"] == "ORD-B100-42") {
      INFO(r["returnInfo"]);
      CHECK(r["returnStatus"] == "-301008");
      CHECK(r["returnInfo"].find("currency") != std::string::npos); // the XSD fixes it to 142
      CHECK(r["returnInfo"].find("142") != std::string::npos);
    } else if (r["returnStatus"] == "120") {
      ++stored;
    }
  }
  CHECK(stored == 99);
}

TEST_CASE("SR-15.1 exact duplicates inside one message are one document",
          "[integration][ecommerce]") {
  ceb_world w;
  auto plt = w.connect(w.platform);
  auto p = w.parcel("SIX-1");
  auto xml = ceb_docs::order_message({p}, w.platform.transfer());
  // The official CEB311 sample repeats one order six times: same guid, same orderNo.
  auto start = xml.find("<ceb:Order>");
  auto end = xml.find("</ceb:Order>") + std::string{"</ceb:Order>\n"}.size();
  auto one = xml.substr(start, end - start);
  std::string six;
  for (int i = 0; i < 6; ++i)
    six += one;
  xml.replace(start, end - start, six);
  accepted(*plt, ceb_world::message("ecommerce.ceb311", w.sign(w.platform, xml)));
  auto r = wait_returns(
    *plt, "CEB312Message", [&](const ceb_return& x) { return x["orderNo"] == p.order_no; }, 6);
  for (auto& x : r)
    CHECK(x["returnStatus"] == "120");
  CHECK(r[1]["returnInfo"].find("identical") != std::string::npos);
}
TEST_CASE("SR-15.1 an order, payment or waybill no inventory list names is dropped after keep-unmatched, "
          "its sender told, one that is named stays",
          "[integration][ecommerce][expiry]") {
  ceb_settings s;
  s.keep_unmatched_seconds = 3;
  s.expiry_check_seconds = 1;
  ceb_world w{s};
  auto plt = w.connect(w.platform);
  auto pay = w.connect(w.payment);
  auto lgs = w.connect(w.logistics);
  auto agt = w.connect(w.agent);
  auto lone = w.parcel("ORPH-1"); // its inventory list never comes
  auto kept = w.parcel("ORPH-2"); // its inventory list comes in time
  w.send_order(*plt, {lone, kept});
  w.send_payment(*pay, {lone, kept});
  w.send_waybill(*lgs, {lone, kept});
  w.send_inventory(*agt, {kept});
  wait_return(*agt, "CEB622Message", "copNo", cop(kept), "800");
  auto o = wait_return(*plt, "CEB312Message", "orderNo", lone.order_no, "-301008", 15s);
  CHECK(o["returnInfo"].find("ceb_expired: no inventory list named this order " + lone.order_no) == 0);
  CHECK(o.hub_status == "rejected");
  auto p = wait_return(*pay, "CEB412Message", "payTransactionId", lone.pay_transaction_id, "-401009", 15s);
  CHECK(p["returnInfo"].find("no longer holds it") != std::string::npos);
  auto l = wait_return(*lgs, "CEB512Message", "logisticsNo", lone.logistics_no, "-504011", 15s);
  CHECK(l["returnInfo"].find("waybill " + lone.logistics_no) != std::string::npos);
  // Dropped: its inventory list now waits for all three documents again.
  w.send_inventory(*agt, {lone});
  wait_return(*agt, "CEB622Message", "copNo", cop(lone), "120");
  CHECK_FALSE(agt->next_notification(1500ms)); // no 800: nothing to match
  // The released parcel's documents, named by its inventory list, were kept: a change
  // to them is refused as "already decided", not as "not held".
  auto kept2 = kept;
  kept2.freight = "1";
  kept2.app_type = "2";
  w.send_order(*plt, {kept2});
  CHECK(wait_return(*plt, "CEB312Message", "orderNo", kept.order_no, "-301011")["returnInfo"]
          .find("already decided") != std::string::npos);
  w.send_payment(*pay, {kept2});
  wait_return(*pay, "CEB412Message", "payTransactionId", kept.pay_transaction_id, "-401008");
  w.send_waybill(*lgs, {kept2});
  wait_return(*lgs, "CEB512Message", "logisticsNo", kept.logistics_no, "-504016");
  // Sent again, they match.
  w.send_order(*plt, {lone});
  w.send_payment(*pay, {lone});
  w.send_waybill(*lgs, {lone});
  wait_return(*agt, "CEB622Message", "copNo", cop(lone), "800");
}

TEST_CASE("SR-15.1 an inventory whose documents do not arrive in the window expires, its senders told",
          "[integration][ecommerce]") {
  ceb_settings s;
  s.window_seconds = 2;
  s.expiry_check_seconds = 1;
  ceb_world w{s};
  auto plt = w.connect(w.platform);
  auto agt = w.connect(w.agent);
  auto p = w.parcel("EXP-1");
  w.send_order(*plt, {p});
  w.send_inventory(*agt, {p}); // payment and waybill never come
  wait_return(*agt, "CEB622Message", "copNo", cop(p), "120");
  auto r = wait_return(*agt, "CEB622Message", "copNo", cop(p), "-621001", 10s);
  CHECK(r["returnInfo"].find("ceb_expired") == 0);
  CHECK(r["returnInfo"].find("payment, waybill") != std::string::npos);
  auto o = wait_return(*plt, "CEB312Message", "orderNo", p.order_no, "100", 10s);
  CHECK(o["returnInfo"].find("expired") != std::string::npos);
  // the order may be declared again once its documents are there
  auto pay = w.connect(w.payment);
  auto lgs = w.connect(w.logistics);
  w.send_payment(*pay, {p});
  w.send_waybill(*lgs, {p});
  auto again = p;
  again.freight = "0.00"; // a new declaration (other bytes), same parcel
  w.send_inventory(*agt, {again});
  wait_return(*agt, "CEB622Message", "copNo", cop(p), "800");
}

TEST_CASE("SR-15.1 kill -9 in the middle of a 100-inventory batch: resent, every parcel released exactly once",
          "[integration][ecommerce][fault]") {
  ceb_world w;
  std::vector<ceb_docs::parcel> batch;
  for (int i = 0; i < 100; ++i) {
    auto p = w.parcel("KB-" + std::to_string(i));
    p.buyer_id = "1101011990" + std::to_string(10000000 + i);
    batch.push_back(p);
  }
  {
    auto plt = w.connect(w.platform);
    auto pay = w.connect(w.payment);
    auto lgs = w.connect(w.logistics);
    w.send_order(*plt, batch);
    w.send_payment(*pay, batch);
    w.send_waybill(*lgs, batch);
  }
  auto inv = ceb_world::message("ecommerce.ceb621",
                                w.sign(w.agent, ceb_docs::inventory_message(batch, w.agent.transfer())));
  {
    auto agt = w.connect(w.agent);
    REQUIRE_FALSE(agt->send_envelope(inv)); // no wait for the receipt: the hub dies now
    std::this_thread::sleep_for(5ms);
    w.restart(true);
  }
  auto agt = w.connect(w.agent);
  auto r = submit(*agt, inv); // the same message id, as a partner resends
  INFO(r.reason);
  CHECK((r.status == receipt::accepted || r.status == receipt::duplicate));
  auto released = wait_returns(
    *agt, "CEB622Message", [](const ceb_return& x) { return x["returnStatus"] == "800"; }, 100, 30s);
  std::set<std::string> cops, invts;
  for (auto& x : released) {
    cops.insert(x["copNo"]);
    invts.insert(x["invtNo"]);
  }
  CHECK(cops.size() == 100);
  CHECK(invts.size() == 100);
  auto extra = agt->next_notification(1500ms); // nothing decided twice
  if (extra && extra->is_document)
    for (auto& x : read_receipt(*extra))
      CHECK(x["returnStatus"] != "800");
}

TEST_CASE("SR-15.1 an order wrapped in a DxpMsg terminal-node envelope is read and receipted",
          "[integration][ecommerce]") {
  ceb_world w;
  auto plt = w.connect(w.platform);
  auto p = w.parcel("DXP-1");
  auto signed_order = w.sign(w.platform, ceb_docs::order_message({p}, w.platform.transfer()));
  accepted(*plt, ceb_world::message("ecommerce.ceb311",
                                    ceb_docs::dxp_wrap(signed_order, w.platform.dxp_id, "CEB311Message")));
  auto r = wait_return(*plt, "CEB312Message", "orderNo", p.order_no, "120");
  CHECK(r["ebpCode"] == "3301960001");
}

TEST_CASE("SR-15.1 signatures of the specification's way verify too, and the way is in the evidence log",
          "[integration][ecommerce]") {
  ceb_world w;
  auto agt = w.connect(w.agent);
  auto p = w.parcel("SPEC-1");
  accepted(*agt, ceb_world::message("ecommerce.ceb621",
                                    w.sign(w.agent, ceb_docs::inventory_message({p}, w.agent.transfer()), true)));
  wait_return(*agt, "CEB622Message", "copNo", cop(p), "120");
  auto q = w.parcel("SPEC-2");
  accepted(*agt, ceb_world::message("ecommerce.ceb621",
                                    w.sign(w.agent, ceb_docs::inventory_message({q}, w.agent.transfer()))));
  wait_return(*agt, "CEB622Message", "copNo", cop(q), "120");
  REQUIRE(w.hubd->terminate() == 0);
  // the evidence log's records, printable bytes as they are (lmdb-utils)
  auto out = run_command("mdb_dump -p -s evidence " + w.dir.file("data") + " 2>&1");
  INFO(out.out.substr(0, 2000));
  CHECK(out.out.find("signature verified (specification, http://www.chinaport.gov.cn/2022/04/xmldsig#sm2-sm3)")
        != std::string::npos);
  CHECK(out.out.find("signature verified (signer-") != std::string::npos);
  w.hubd = std::make_unique<hub_process>(w.dir, w.config);
}

TEST_CASE("SR-15.1 buyers' personal data reaches no other party and no log", "[integration][ecommerce]") {
  ceb_world w;
  auto plt = w.connect(w.platform);
  auto pay = w.connect(w.payment);
  auto lgs = w.connect(w.logistics);
  auto agt = w.connect(w.agent);
  auto other = w.connect(w.platform2);
  auto p = w.parcel("PII-1");
  p.buyer_id = "110101198807071234";
  p.buyer_name = "王小明";
  p.buyer_phone = "13912345678";
  auto order = ceb_world::message("ecommerce.ceb311",
                                  w.sign(w.platform, ceb_docs::order_message({p}, w.platform.transfer())));
  accepted(*plt, order);
  w.send_payment(*pay, {p});
  w.send_waybill(*lgs, {p});
  w.send_inventory(*agt, {p});
  wait_return(*agt, "CEB622Message", "copNo", cop(p), "800");
  // another platform cannot read the order: its status query finds nothing of its own
  auto st = other->query_status(order.message_id);
  REQUIRE(st);
  CHECK(st->status == "unknown");
  CHECK(st->reason.find(p.buyer_id) == std::string::npos);
  // and receives nothing about it
  auto n = other->next_notification(1000ms);
  CHECK_FALSE(n);
  // no receipt to anyone carries the buyer's id, name or phone, and neither does the log
  for (auto* c : {plt.get(), pay.get(), lgs.get(), agt.get()})
    while (auto n = c->next_notification(300ms)) {
      c->ack(n->id);
      std::string text(n->content.begin(), n->content.end());
      CHECK(text.find(p.buyer_id) == std::string::npos);
      CHECK(text.find(p.buyer_phone) == std::string::npos);
      CHECK(text.find(p.buyer_name) == std::string::npos);
    }
  auto log = w.hubd->log();
  CHECK(log.find(p.buyer_id) == std::string::npos);
  CHECK(log.find(p.buyer_phone) == std::string::npos);
  CHECK(log.find(p.buyer_name) == std::string::npos);
  REQUIRE(w.hubd->terminate() == 0);
  auto evidence = run_command("mdb_dump -p -s evidence " + w.dir.file("data") + " 2>&1");
  CHECK(evidence.out.find("parcel") != std::string::npos); // the decisions are there...
  CHECK(evidence.out.find(p.buyer_id) == std::string::npos); // ...without the buyer
  w.hubd = std::make_unique<hub_process>(w.dir, w.config);
}

TEST_CASE("SR-15.1 an inventory the risk rules select waits for the port officer's inspection, then is released or refused",
          "[integration][ecommerce][risk]") {
  ceb_settings s;
  s.per_year = "1000"; // one refused parcel must give its quota back for the next
  s.risk_toml = R"([[risk-parameter]]
id = "RP-TEST-COSM"
lane = "red"
percent = 100.0
reason = "cosmetics checked at the port"
[risk-parameter.when]
hs-prefixes = ["3304"]
)";
  ceb_world w{s};
  auto plt = w.connect(w.platform);
  auto pay = w.connect(w.payment);
  auto lgs = w.connect(w.logistics);
  auto agt = w.connect(w.agent);
  auto officer = w.hubd->connect(w.ctx, w.officer);
  auto cosmetics = [&](const std::string& tag) {
    auto p = w.parcel(tag);
    p.gcode = "3304990000";
    p.qty = "1";
    p.price = p.total = "600";
    p.unit1 = "011";
    p.qty1 = "1";
    return p;
  };

  auto inspect = [&](const std::string& invt, bool release, const std::string& findings) {
    capnp::MallocMessageBuilder mb;
    auto r = mb.initRoot<wire::InventoryInspection>();
    r.setInvtNo(invt);
    r.setRelease(release);
    r.setFindings(findings);
    return doc("ecommerce.inspection-result", to_bytes(mb));
  };
  auto a = cosmetics("INS-1");
  w.send_parcels(*plt, *pay, *lgs, *agt, {a});
  auto tax = wait_return(*agt, "CEB622Message", "copNo", cop(a), "399");
  auto sel = wait_return(*agt, "CEB622Message", "copNo", cop(a), "500");
  CHECK(sel["returnInfo"] == "[Code:2500;Desc:查验]");
  CHECK(sel["returnInfo"].find("cosmetics") == std::string::npos); // the reason is for officers
  CHECK(sel.hub_status == "forExamination");
  auto invt = sel["invtNo"];
  REQUIRE(invt.size() == 18);
  // The officer asks why (`swhub ecommerce explain`, read-only beside the running hub):
  // the rule that chose the lane is there, the buyer is not.
  {
    auto why = run_cli("ecommerce explain " + invt + " --data-dir " + w.dir.file("data"));
    INFO(why.out);
    CHECK(why.exit_code == 0);
    auto j = nlohmann::json::parse(why.out);
    CHECK(j["invtNo"] == invt);
    CHECK(j["orderNo"] == a.order_no);
    CHECK(j["state"] == "inspection");
    CHECK(j["lane"] == "red");
    CHECK(j["laneReasons"].get<std::string>().find("cosmetics checked at the port") != std::string::npos);
    CHECK(j["laneReasons"].get<std::string>().find("RP-TEST-COSM") != std::string::npos);
    CHECK(tax["returnInfo"].find(j["taxCny"].get<std::string>()) != std::string::npos);
    CHECK(why.out.find(a.buyer_id) == std::string::npos);
    CHECK(why.out.find(a.buyer_name) == std::string::npos);
    auto by_order = run_cli("ecommerce parcel --ebp-code " + a.ebp + " --order-no " + a.order_no
                            + " --data-dir " + w.dir.file("data"));
    CHECK(by_order.exit_code == 0);
    CHECK(nlohmann::json::parse(by_order.out)["invtNo"] == invt);
    auto none = run_cli("ecommerce explain 224920269I99999999 --data-dir " + w.dir.file("data") + " 2>&1");
    CHECK(none.exit_code == 1);
    CHECK(none.out.find("no inventory 224920269I99999999") != std::string::npos);
  }
  // not released before the inspection
  CHECK_FALSE(agt->next_notification(500ms));
  // a non-officer cannot send the result
  CHECK(refused(*agt, inspect(invt, true, "")) == "role_not_allowed");
  // a result for an inventory not under inspection is refused with its code
  CHECK(refused(*officer, inspect("224920269I99999999", true, "")) == "ceb_not_found");
  accepted(*officer, inspect(invt, false, "ingredients differ from the label"));
  auto r = wait_return(*agt, "CEB622Message", "invtNo", invt, "100");
  CHECK(r["returnInfo"].find("[Code:2501;Desc:查验不合格]") == 0);
  CHECK(r["returnInfo"].find("ingredients differ") != std::string::npos);
  // the same result again: the inventory is no longer under inspection
  CHECK(refused(*officer, inspect(invt, true, "")) == "ceb_invalid_state");
  // the refused parcel gave its CNY 600 back: another CNY 600 parcel of the buyer fits
  // the CNY 1,000 year, and is released after inspection
  auto b = cosmetics("INS-2");
  w.send_parcels(*plt, *pay, *lgs, *agt, {b});
  auto sel2 = wait_return(*agt, "CEB622Message", "copNo", cop(b), "500");
  accepted(*officer, inspect(sel2["invtNo"], true, "goods as declared"));
  auto rel = wait_return(*agt, "CEB622Message", "invtNo", sel2["invtNo"], "800");
  CHECK(rel["returnInfo"] == "[Code:2600;Desc:放行]");
  (void)tax;
}

TEST_CASE("SR-15.2 partial returns give back each share once, a return cannot give back more than was used",
          "[integration][ecommerce]") {
  ceb_settings s;
  s.per_year = "600";
  ceb_world w{s};
  auto plt = w.connect(w.platform);
  auto pay = w.connect(w.payment);
  auto lgs = w.connect(w.logistics);
  auto agt = w.connect(w.agent);
  auto p = w.parcel("PRT-1"); // 2 pieces, CNY 300
  w.send_parcels(*plt, *pay, *lgs, *agt, {p});
  auto rel = wait_return(*agt, "CEB622Message", "copNo", cop(p), "800");
  p.invt_no = rel["invtNo"];
  auto one = p;
  one.qty = "1";
  auto refund = [&](const ceb_docs::parcel& x) {
    accepted(*agt, ceb_world::message("ecommerce.ceb625", w.sign(w.agent, ceb_docs::refund_message({x}, w.agent.transfer()))));
  };
  refund(one);
  auto r1 = wait_return(*agt, "CEB626Message", "invtNo", p.invt_no, "399");
  CHECK(r1["returnInfo"].find("CNY 150.00") != std::string::npos);
  // two pieces more than are left: refused, nothing given back
  refund(p);
  auto r2 = wait_return(*agt, "CEB626Message", "invtNo", p.invt_no, "-625001");
  CHECK(r2["returnInfo"].find("not yet returned") != std::string::npos);
  refund(one);
  auto r3 = wait_return(*agt, "CEB626Message", "invtNo", p.invt_no, "399");
  CHECK(r3["returnInfo"].find("CNY 150.00") != std::string::npos);
  // everything returned: a third return finds nothing left to return
  refund(one);
  wait_return(*agt, "CEB626Message", "invtNo", p.invt_no, "-625022");
  // and the quota is exactly what it was: a CNY 600 parcel fits the CNY 600 year
  auto q = w.parcel("PRT-2");
  q.qty = "1";
  q.price = q.total = "600";
  w.send_parcels(*plt, *pay, *lgs, *agt, {q});
  wait_return(*agt, "CEB622Message", "copNo", cop(q), "800");
  // but not one fen more
  auto x = w.parcel("PRT-3");
  x.qty = "1";
  x.price = x.total = "0.01";
  w.send_parcels(*plt, *pay, *lgs, *agt, {x});
  auto over = wait_return(*agt, "CEB622Message", "copNo", cop(x), "100");
  CHECK(over["returnInfo"].find("[Code:1313;") == 0);
}
