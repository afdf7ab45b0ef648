#include "tools/sim/ecommerce_scenario.hpp"

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <vector>

#include <capnp/message.h>

#include "actors/core/frames.hpp"
#include "adapters/ceb/xml_signer.hpp"
#include "schemas/ecommerce.capnp.h"
#include "tools/ceb/parcel_documents.hpp"
#include "tools/sim/ceb_receipts.hpp"
#include "tools/sim/scenario_session.hpp"

namespace sim {

namespace {

using hub::ceb_docs::parcel;

/// A SAMPLE CEB enterprise of config/ecommerce.toml and how its signer signs.
struct enterprise {
  std::string party, code, dxp_id;
  hub::ceb::dsig_method method;
  std::string key_pem, cert_pem; ///< read from ecommerce_config::ceb_keys_dir
  hub::ceb_docs::transfer transfer() const { return {code, "SAMPLE", dxp_id, ""}; }
};

std::string read_text(const std::string& path) {
  std::ifstream in{path, std::ios::binary};
  std::ostringstream s;
  s << in.rdbuf();
  return in ? s.str() : std::string{};
}

/// The current time in China (UTC+8) as the CEB messages write it.
std::string china_time(const char* format) {
  std::time_t t = std::time(nullptr) + 8 * 3600;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, format, &tm);
  return buf;
}

/// "CEB622 InventoryReturn 120 copNo X preNo Y: [Code:...]"
std::string brief(const ceb_return& r) {
  std::string s = r.receipt.substr(0, r.receipt.find("Message")) + " " + r.kind + " "
                  + r["returnStatus"];
  for (auto* k : {"orderNo", "payTransactionId", "logisticsNo", "copNo", "preNo", "invtNo"})
    if (!r[k].empty())
      s += std::string{" "} + k + " " + r[k];
  return s + ": " + r["returnInfo"];
}

bool starts_with(const std::string& s, const std::string& prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

// The amounts the hub must assess, by hand. HS 2106909090 (supplements): within the
// limits duty 0 and VAT 13 % at 70 %, i.e. 9.1 % of the value.
constexpr const char* tax_300 = "27.30";    // CNY 300.00 x 9.1 %
constexpr const char* tax_4000 = "364.00";  // CNY 4,000.00 x 9.1 %
constexpr int quota_parcels = 6;            // 6 x CNY 4,000 = 24,000 of the year's 26,000

class scenario : private scenario_session {
public:
  explicit scenario(const ecommerce_config& cfg)
    // Unsigned envelopes: a CEB message carries its enterprise's own ds:Signature, and
    // config/hub.toml registers no envelope signing key for the e-commerce parties.
    : scenario_session(
        {cfg.target, cfg.keys_dir, "swhub-sim-ecommerce", cfg.status_timeout_ms, false}),
      cfg_(cfg), run_(cfg.run_id.empty() ? utc_run_id() : cfg.run_id) {
    using M = hub::ceb::dsig_method;
    platform_ = {"PLT-DEMO-0001", "3301960001", "DXPENT0000000101", M::sm2_sm3, "", ""};
    payment_ = {"PAY-DEMO-0001", "3101960002", "DXPENT0000000102", M::rsa_sha1, "", ""};
    logistics_ = {"LGS-DEMO-0001", "3101960003", "DXPENT0000000103", M::ecdsa_p256_sha256, "", ""};
    agent_ = {"AGT-DEMO-0001", "3101960004", "DXPENT0000000104", M::sm2_sm3, "", ""};
    for (auto c : run_)
      if (c >= '0' && c <= '9')
        digits_ += c;
    digits_ = digits_.size() >= 12 ? digits_.substr(digits_.size() - 12)
                                   : std::string(12 - digits_.size(), '0') + digits_;
  }

  int run() {
    std::printf("swhub e-commerce scenario against %s (run %s)\n", cfg_.target.endpoint.c_str(),
                run_.c_str());
    if (run_.size() > 14) {
      out_.check(false, "run id \"" + run_ + "\" is longer than 14 characters");
      return out_.finish();
    }
    if (!connect_all())
      return out_.finish();
    matched_parcel();
    order_batch();
    mismatch();
    return_restores_quota(quota_refusal());
    inspection();
    tidy_up();
    return out_.finish();
  }

private:
  // -- parties, numbers, documents ---------------------------------------------------

  bool connect_all() {
    out_.section("Parties connect: platform, payment company, logistics company, declaring "
                 "agent (SAMPLE enterprises of config/ecommerce.toml)");
    bool ok = true;
    for (auto* e : {&platform_, &payment_, &logistics_, &agent_}) {
      e->key_pem = read_text(cfg_.ceb_keys_dir + "/" + e->party + ".key.pem");
      e->cert_pem = read_text(cfg_.ceb_keys_dir + "/" + e->party + ".cert.pem");
      if (e->key_pem.empty() || e->cert_pem.empty()) {
        ok = out_.check(false, e->party + ": no signing key or certificate in "
                                 + cfg_.ceb_keys_dir);
        continue;
      }
      ok = connect(e->party, true) && ok;
    }
    return ok;
  }

  /// A parcel of the demo enterprises: `qty` supplements (HS 2106909090) at CNY `price`
  /// for `buyer`, numbered "<tag>-<run>", dated now.
  parcel make_parcel(const std::string& tag, const std::string& buyer,
                     const std::string& qty = "2", const std::string& price = "150") const {
    parcel p;
    p.order_no = tag + "-" + run_;
    p.logistics_no = "LN" + tag + "-" + run_;
    p.pay_transaction_id = "PAY" + tag + "-" + run_;
    p.buyer_id = buyer;
    p.qty = qty;
    p.price = price;
    // qty x price, for the few whole numbers used here
    p.total = std::to_string(std::stoll(qty) * std::stoll(price));
    p.app_time = china_time("%Y%m%d%H%M%S");
    p.decl_date = china_time("%Y%m%d");
    return p;
  }

  /// An 18-digit buyer id of this run; `area` (6 digits) tells the buyers apart.
  std::string buyer(const std::string& area) const { return area + digits_; }

  static std::string cop(const parcel& p) { return p.order_no.substr(0, 20); }

  hub::bytes payload(const enterprise& e, const std::string& xml) {
    auto r = hub::ceb::sign_enveloped(hub::bytes(xml.begin(), xml.end()), e.key_pem, e.cert_pem,
                                      e.method, hub::ceb::dsig_style::real_signer, false);
    if (!r) {
      out_.check(false, e.party + ": signing failed: " + r.error);
      return {};
    }
    capnp::MallocMessageBuilder mb;
    mb.initRoot<swhub::wire::CebMessage>().setXml(kj::arrayPtr(r.xml.data(), r.xml.size()));
    return hub::to_bytes(mb);
  }

  bool send_ceb(const enterprise& e, const std::string& type, const std::string& xml,
                const std::string& what) {
    auto p = payload(e, xml);
    if (p.empty())
      return false;
    return send(e.party, "ecommerce." + type, std::move(p), what, hub::receipt::accepted);
  }

  bool send_orders(const std::vector<parcel>& ps, const std::string& what) {
    return send_ceb(platform_, "ceb311", hub::ceb_docs::order_message(ps, platform_.transfer()),
                    what);
  }
  bool send_payments(const std::vector<parcel>& ps, const std::string& what) {
    return send_ceb(payment_, "ceb411", hub::ceb_docs::payment_message(ps, payment_.transfer()),
                    what);
  }
  bool send_waybills(const std::vector<parcel>& ps, const std::string& what) {
    return send_ceb(logistics_, "ceb511",
                    hub::ceb_docs::waybill_message(ps, logistics_.transfer()), what);
  }
  bool send_inventories(const std::vector<parcel>& ps, const std::string& what) {
    return send_ceb(agent_, "ceb621", hub::ceb_docs::inventory_message(ps, agent_.transfer()),
                    what);
  }

  /// The four documents of every parcel in `ps`, one message per sender.
  bool send_all(const std::vector<parcel>& ps, const std::string& what) {
    return send_orders(ps, "order(s) " + what) && send_payments(ps, "payment(s) " + what)
           && send_waybills(ps, "waybill(s) " + what)
           && send_inventories(ps, "inventory list(s) " + what);
  }

  // -- receipts ----------------------------------------------------------------------

  using return_match = std::function<bool(const ceb_return&)>;

  /// The next `count` returns of receipt `receipt` to `party` that `match` accepts,
  /// read from its notifications (each acknowledged) within the status timeout; a
  /// return read but not asked for waits for a later call, since one receipt message
  /// may answer several steps. Fewer than `count` is a failed outcome naming `what`.
  std::vector<ceb_return> await_returns(const enterprise& e, const std::string& receipt,
                                        const return_match& match, size_t count,
                                        const std::string& what) {
    std::vector<ceb_return> got;
    auto& pending = pending_[e.party];
    auto take = [&] {
      for (auto i = pending.begin(); i != pending.end() && got.size() < count;) {
        if (i->receipt == receipt && match(*i)) {
          got.push_back(std::move(*i));
          i = pending.erase(i);
        } else {
          ++i;
        }
      }
    };
    take();
    if (got.size() < count)
      next_matching(
        e.party,
        [&](const hub::notification& n) {
          if (!n.is_document)
            return false;
          std::string error;
          auto rs = read_ceb_returns(n, error);
          if (!error.empty())
            out_.check(false, e.party + " got an unreadable receipt: " + error);
          for (auto& r : rs)
            pending.push_back(std::move(r));
          take();
          return got.size() >= count;
        },
        status_deadline());
    if (got.size() < count) {
      std::string seen;
      for (auto& r : pending)
        seen += "\n          (unasked: " + brief(r) + ")";
      out_.check(false, e.party + ": " + std::to_string(got.size()) + " of "
                          + std::to_string(count) + " " + receipt + " returns for " + what
                          + " within " + std::to_string(cfg_.status_timeout_ms) + " ms" + seen);
    }
    return got;
  }

  /// The return of `receipt` to `e` whose `key` field is `value` and whose returnStatus
  /// is `status`, checked with `ok` (if given) and printed.
  std::optional<ceb_return> expect_return(const enterprise& e, const std::string& receipt,
                                          const std::string& key, const std::string& value,
                                          const std::string& status,
                                          const return_match& ok = {},
                                          const std::string& comment = "") {
    auto rs = await_returns(
      e, receipt,
      [&](const ceb_return& r) { return r[key] == value && r["returnStatus"] == status; }, 1,
      status + " for " + key + " " + value);
    if (rs.empty())
      return std::nullopt;
    out_.check(!ok || ok(rs[0]), e.party + " got " + brief(rs[0])
                                   + (comment.empty() ? "" : " " + comment));
    return rs[0];
  }

  // -- the story ---------------------------------------------------------------------

  void matched_parcel() {
    out_.section("A parcel: order, payment, waybill and inventory list from four parties in a "
                 "shuffled order; matched, taxed within the quota, released");
    auto p = make_parcel("REL", buyer("110101"));
    out_.note("order " + p.order_no + ": 2 x CNY 150.00 of supplements (HS 2106909090), buyer "
              "id " + p.buyer_id);
    std::vector<std::function<bool()>> steps{
      [&] { return send_orders({p}, p.order_no + " (acturalPaid CNY 300)"); },
      [&] { return send_payments({p}, p.pay_transaction_id + " (amountPaid CNY 300)"); },
      [&] { return send_waybills({p}, p.logistics_no); },
      [&] { return send_inventories({p}, "copNo " + cop(p) + " (assureCode 3101960004)"); },
    };
    std::vector<size_t> order{0, 1, 2, 3};
    std::shuffle(order.begin(), order.end(), std::mt19937{std::random_device{}()});
    static const char* names[] = {"order", "payment", "waybill", "inventory list"};
    std::string told = "arrival order:";
    for (auto k : order)
      told += std::string{" "} + names[k] + (k == order.back() ? "" : ",");
    out_.note(told);
    for (auto k : order)
      if (!steps[k]())
        return;
    auto code_1800 = [](const ceb_return& r) { return starts_with(r["returnInfo"], "[Code:1800;"); };
    expect_return(platform_, "CEB312Message", "orderNo", p.order_no, "120", code_1800);
    expect_return(payment_, "CEB412Message", "payTransactionId", p.pay_transaction_id, "120");
    expect_return(logistics_, "CEB512Message", "logisticsNo", p.logistics_no, "120");
    auto got = expect_return(agent_, "CEB622Message", "copNo", cop(p), "120",
                             [](const ceb_return& r) { return r["preNo"].size() == 18; },
                             "(pre-entry number given)");
    expect_return(
      agent_, "CEB622Message", "copNo", cop(p), "399",
      [](const ceb_return& r) {
        return starts_with(r["returnInfo"], "[Code:2300;")
               && r["returnInfo"].find(tax_300) != std::string::npos;
      },
      "(VAT 13 % at 70 % of CNY 300.00)");
    expect_return(
      agent_, "CEB622Message", "copNo", cop(p), "800",
      [&got](const ceb_return& r) {
        return r["returnInfo"] == "[Code:2600;Desc:放行]" && r["invtNo"].size() == 18
               && (!got || r["preNo"] == (*got)["preNo"]);
      },
      "(released, inventory number given)");
  }

  void order_batch() {
    out_.section("A batch of 50 orders in one CEB311 message: one CEB312 with 50 returns");
    std::vector<parcel> batch;
    std::set<std::string> numbers;
    char tag[8];
    for (int i = 1; i <= 50; ++i) {
      std::snprintf(tag, sizeof tag, "B%03d", i);
      batch.push_back(make_parcel(tag, buyer("130101")));
      numbers.insert(batch.back().order_no);
    }
    if (!send_orders(batch, batch.front().order_no + " ... " + batch.back().order_no))
      return;
    auto rs = await_returns(
      platform_, "CEB312Message",
      [&numbers](const ceb_return& r) { return numbers.count(r["orderNo"]) > 0; }, 50,
      "the batch's orders");
    if (rs.empty())
      return;
    std::set<uint64_t> messages;
    std::map<std::string, int> statuses;
    for (auto& r : rs) {
      messages.insert(r.notification);
      ++statuses[r["returnStatus"]];
    }
    out_.check(rs.size() == 50 && statuses["120"] == 50,
               platform_.party + " got " + std::to_string(statuses["120"]) + " of 50 OrderReturn 120");
    out_.check(messages.size() == 1, "in " + std::to_string(messages.size())
                                       + " CEB312 receipt message(s)");
    out_.note("first: " + brief(rs.front()));
    out_.note("last:  " + brief(rs.back()));
  }

  void mismatch() {
    out_.section("Documents that disagree: the payment says CNY 299.50, the order CNY 300; "
                 "the inventory list is refused with the reason");
    auto p = make_parcel("MIS", buyer("120101"));
    auto paid_less = p;
    paid_less.paid = "299.5";
    if (!send_orders({p}, p.order_no + " (acturalPaid CNY 300)")
        || !send_payments({paid_less}, p.pay_transaction_id + " (amountPaid CNY 299.5)")
        || !send_waybills({p}, p.logistics_no)
        || !send_inventories({p}, "copNo " + cop(p)))
      return;
    expect_return(
      agent_, "CEB622Message", "copNo", cop(p), "100",
      [](const ceb_return& r) {
        return starts_with(r["returnInfo"], "[Code:13031;")
               && r["returnInfo"].find("299.5") != std::string::npos && r.hub_status == "rejected";
      },
      "(refused)");
  }

  /// Returns the 800 of one of the buyer's released parcels (none if none).
  std::optional<ceb_return> quota_refusal() {
    out_.section("The year's quota: a buyer who has used CNY 24,000 of CNY 26,000 is refused "
                 "a CNY 4,000 parcel");
    quota_buyer_ = buyer("310115");
    std::vector<parcel> used;
    for (int i = 1; i <= quota_parcels; ++i)
      used.push_back(make_parcel("Q" + std::to_string(i), quota_buyer_, "1", "4000"));
    out_.note("buyer " + quota_buyer_ + ": " + std::to_string(quota_parcels)
              + " parcels of CNY 4,000.00 (" + used.front().order_no + " ... "
              + used.back().order_no + ")");
    if (!send_all(used, "of the " + std::to_string(quota_parcels) + " parcels"))
      return std::nullopt;
    auto released = await_returns(
      agent_, "CEB622Message",
      [&used](const ceb_return& r) {
        return r["returnStatus"] == "800"
               && std::any_of(used.begin(), used.end(),
                              [&r](const parcel& p) { return r["copNo"] == cop(p); });
      },
      used.size(), "the buyer's first parcels");
    auto taxed = await_returns(
      agent_, "CEB622Message",
      [&used](const ceb_return& r) {
        return r["returnStatus"] == "399"
               && r["returnInfo"].find(tax_4000) != std::string::npos
               && std::any_of(used.begin(), used.end(),
                              [&r](const parcel& p) { return r["copNo"] == cop(p); });
      },
      used.size(), "the taxes of the buyer's first parcels");
    out_.check(released.size() == used.size() && taxed.size() == used.size(),
               agent_.party + " got " + std::to_string(taxed.size()) + " x 399 (tax CNY "
                 + tax_4000 + " each) and " + std::to_string(released.size())
                 + " x 800: CNY 24,000.00 of the buyer's year used");
    auto over = make_parcel("QOVER", quota_buyer_, "1", "4000");
    if (!send_all({over}, over.order_no + " (CNY 4,000.00 more)"))
      return std::nullopt;
    expect_return(
      agent_, "CEB622Message", "copNo", cop(over), "100",
      [](const ceb_return& r) { return starts_with(r["returnInfo"], "[Code:1313;"); },
      "(24,000 + 4,000 > 26,000)");
    if (released.empty())
      return std::nullopt;
    return released.front();
  }

  void return_restores_quota(const std::optional<ceb_return>& released) {
    out_.section("A return (CEB625) within 30 days gives the quota back; then a parcel of the "
                 "same size is released");
    if (!released) {
      out_.check(false, "no released parcel of the buyer to return");
      return;
    }
    // the returned parcel: the first released one, whichever of Q1..Q6 it is
    auto invt_no = (*released)["invtNo"];
    parcel p;
    for (int i = 1; i <= quota_parcels; ++i) {
      auto q = make_parcel("Q" + std::to_string(i), quota_buyer_, "1", "4000");
      if (cop(q) == (*released)["copNo"])
        p = q;
    }
    if (p.order_no.empty()) {
      out_.check(false, "copNo " + (*released)["copNo"] + " is none of the buyer's parcels");
      return;
    }
    p.invt_no = invt_no;
    if (!send_ceb(agent_, "ceb625", hub::ceb_docs::refund_message({p}, agent_.transfer()),
                  "return of invtNo " + invt_no + " (order " + p.order_no + ")"))
      return;
    expect_return(
      agent_, "CEB626Message", "invtNo", invt_no, "399",
      [](const ceb_return& r) { return r["returnInfo"].find("4000.00") != std::string::npos; },
      "(CNY 4,000.00 back in the buyer's year)");
    auto again = make_parcel("QNEW", quota_buyer_, "1", "4000");
    if (!send_all({again}, again.order_no + " (CNY 4,000.00, the refused size)"))
      return;
    expect_return(agent_, "CEB622Message", "copNo", cop(again), "800", {},
                  "(20,000 + 4,000 <= 26,000)");
  }

  void inspection() {
    out_.section("Inspection: the risk rules (config/risk-ecommerce.toml) select cosmetics; the "
                 "port officer's result releases the parcel");
    const std::string officer = "CUS-DEMO-2248";
    if (!connect(officer, true))
      return;
    auto p = make_parcel("INS", buyer("140101"), "1", "600");
    p.gcode = "3304990000";
    p.item_name = "保湿面霜";
    p.unit1 = "011";
    p.qty1 = "1";
    if (!send_all({p}, p.order_no + " (cosmetics, HS 3304990000, CNY 600)"))
      return;
    auto sel = expect_return(
      agent_, "CEB622Message", "copNo", cop(p), "500",
      [](const ceb_return& r) { return r["returnInfo"] == "[Code:2500;Desc:查验]"; },
      "(selected for inspection; the rule's reason is shown to officers only)");
    if (!sel)
      return;
    auto invt = (*sel)["invtNo"];
    capnp::MallocMessageBuilder mb;
    auto r = mb.initRoot<swhub::wire::InventoryInspection>();
    r.setInvtNo(invt);
    r.setRelease(true);
    r.setFindings("goods and labels as declared");
    if (!send(officer, "ecommerce.inspection-result", hub::to_bytes(mb),
              "inspection result for " + invt + ": release", hub::receipt::accepted))
      return;
    expect_return(agent_, "CEB622Message", "invtNo", invt, "800",
                  [](const ceb_return& x) { return x["returnInfo"] == "[Code:2600;Desc:放行]"; },
                  "(released after the inspection)");
  }

  void tidy_up() {
    // The other parties' receipts of the later steps (120s for the orders, payments and
    // waybills) are acknowledged, so nothing of this run waits for the next client.
    for (auto* e : {&platform_, &payment_, &logistics_, &agent_}) {
      auto& c = client(e->party);
      size_t n = 0;
      for (auto until = status_deadline(); clock_type::now() < until; ++n) {
        auto x = c.next_notification(std::chrono::milliseconds{400});
        if (!x)
          break;
        static_cast<void>(c.ack(x->id));
      }
      n += pending_[e->party].size();
      if (n > 0)
        out_.note(e->party + ": " + std::to_string(n) + " more receipt(s) of the steps above "
                  "acknowledged");
    }
  }

  const ecommerce_config& cfg_;
  std::string run_, digits_, quota_buyer_;
  enterprise platform_, payment_, logistics_, agent_;
  std::map<std::string, std::vector<ceb_return>> pending_; ///< read, not yet asked for
};

} // namespace

int run_ecommerce(const ecommerce_config& cfg) {
  scenario s{cfg};
  return s.run();
}

} // namespace sim
