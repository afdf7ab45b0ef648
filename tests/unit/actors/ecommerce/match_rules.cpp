// The matching rules (SR-15.1, ecommerce.md §6 M1-M7): a parcel whose four documents
// agree passes; each disagreement is one reason with its own code.

#include <catch2/catch.hpp>

#include <capnp/message.h>

#include "actors/ecommerce/match_rules.hpp"

using namespace hub::ecommerce;

namespace {

constexpr int64_t Y = 100000; // one yuan in 1e-5 units

struct parcel {
  capnp::MallocMessageBuilder ob, pb, wb, ib;
  swhub::ceb::Order::Builder order = ob.initRoot<swhub::ceb::Order>();
  swhub::ceb::PaymentHead::Builder pay = pb.initRoot<swhub::ceb::PaymentHead>();
  swhub::ceb::LogisticsHead::Builder way = wb.initRoot<swhub::ceb::LogisticsHead>();
  swhub::ceb::Inventory::Builder inv = ib.initRoot<swhub::ceb::Inventory>();

  parcel() {
    auto oh = order.initHead();
    oh.setOrderNo("ORD-1");
    oh.setGoodsValue(300 * Y);
    oh.setFreight(10 * Y);
    oh.setTaxTotal(0);
    oh.setDiscount(5 * Y);
    oh.setActuralPaid(305 * Y);
    oh.setBuyerIdNumber("110101199001011234");
    oh.setBuyerName("张三");
    oh.setPayCode("3101960002");
    oh.setPayTransactionId("PAY-1");
    oh.setConsignee("张三");
    oh.setConsigneeTelephone("13800000000");
    oh.setConsigneeAddress("上海市浦东新区1号");
    auto ol = order.initLines(1);
    ol[0].setItemNo("SKU-1");
    ol[0].setQty(2 * Y);
    ol[0].setTotalPrice(300 * Y);
    pay.setPayCode("3101960002");
    pay.setPayTransactionId("PAY-1");
    pay.setAmountPaid(305 * Y);
    pay.setPayerIdNumber("110101199001011234");
    pay.setPayerName("张三");
    way.setOrderNo("ORD-1");
    way.setConsignee("张三");
    way.setConsigneeTelephone("13800000000");
    way.setConsigneeAddress("上海市浦东新区1号");
    auto ih = inv.initHead();
    ih.setOrderNo("ORD-1");
    ih.setBuyerIdNumber("110101199001011234");
    ih.setBuyerName("张三");
    auto il = inv.initLines(1);
    il[0].setItemNo("SKU-1");
    il[0].setQty(2 * Y);
    il[0].setTotalPrice(300 * Y);
  }

  std::vector<rule_failure> check() {
    return check_parcel(order.asReader(), pay.asReader(), way.asReader(), inv.asReader());
  }
};

std::vector<std::string> codes(const std::vector<rule_failure>& f) {
  std::vector<std::string> out;
  for (auto& x : f)
    out.push_back(x.code);
  return out;
}

} // namespace

TEST_CASE("SR-15.1 four documents that agree pass every rule", "[ecommerce][match]") {
  parcel p;
  CHECK(p.check().empty());
}

TEST_CASE("SR-15.1 each disagreement is one reason with its own code", "[ecommerce][match]") {
  SECTION("M1 paid amount differs from the payment") {
    parcel p;
    p.pay.setAmountPaid(304 * Y);
    CHECK(codes(p.check()) == std::vector<std::string>{"13031"});
  }
  SECTION("M2 acturalPaid is not goods + freight + tax - discount") {
    parcel p;
    p.order.getHead().setDiscount(0);
    CHECK(codes(p.check()) == std::vector<std::string>{"13032"});
  }
  SECTION("M3 consignee phone differs from the waybill's") {
    parcel p;
    p.way.setConsigneeTelephone("13800000001");
    CHECK(codes(p.check()) == std::vector<std::string>{"13033"});
  }
  SECTION("M4 payer is not the orderer") {
    parcel p;
    p.pay.setPayerName("李四");
    CHECK(codes(p.check()) == std::vector<std::string>{"13034"});
  }
  SECTION("M5 the order names another payment company (customs' code 13035)") {
    parcel p;
    p.order.getHead().setPayCode("9999999999");
    auto f = p.check();
    REQUIRE(codes(f) == std::vector<std::string>{"13035"});
    CHECK(f[0].desc.find("支付企业不一致") != std::string::npos);
  }
  SECTION("M5 without payCode on the order the join falls back to (ebpCode, orderNo)") {
    parcel p;
    p.order.getHead().setPayCode("");
    p.order.getHead().setPayTransactionId("");
    CHECK(p.check().empty());
  }
  SECTION("M6 the inventory's buyer is not the order's") {
    parcel p;
    p.inv.getHead().setBuyerIdNumber("110101199001019999");
    CHECK(codes(p.check()) == std::vector<std::string>{"13036"});
  }
  SECTION("M7 declared quantity differs from the order's") {
    parcel p;
    p.inv.getLines()[0].setQty(1 * Y);
    auto f = p.check();
    REQUIRE(codes(f) == std::vector<std::string>{"13037"});
    CHECK(f[0].desc.find("SKU-1") != std::string::npos);
  }
  SECTION("M7 goods declared below the order's price") {
    parcel p;
    p.inv.getLines()[0].setTotalPrice(200 * Y);
    CHECK(codes(p.check()) == std::vector<std::string>{"13037"});
  }
  SECTION("the waybill is for another order") {
    parcel p;
    p.way.setOrderNo("ORD-2");
    CHECK(codes(p.check()) == std::vector<std::string>{"13038"});
  }
  SECTION("several failures give several reasons, in rule order") {
    parcel p;
    p.pay.setAmountPaid(1);
    p.way.setConsignee("王五");
    auto f = p.check();
    CHECK(codes(f) == std::vector<std::string>{"13031", "13033"});
    CHECK(reasons_text(f).rfind("[Code:13031;Desc:", 0) == 0);
  }
}
