#include "tests/support/ceb_world.hpp"

#include <fstream>
#include <sstream>

#include <capnp/message.h>
#include <catch2/catch.hpp>

#include "actors/core/frames.hpp"
#include "adapters/ceb/ceb_receipt.hpp"
#include "schemas/ecommerce.capnp.h"
#include "tests/support/exchange_checks.hpp"

namespace hub::test {

namespace {

std::string keys_dir() {
  return std::string{SWHUB_SOURCE_DIR} + "/config/samples/ceb/keys/";
}

ceb_partner partner(const std::string& id, const std::string& role, const std::string& code,
                    const std::string& dxp, ceb::dsig_method m) {
  ceb_partner p;
  p.party = make_party(id, role);
  p.code = code;
  p.dxp_id = dxp;
  p.key_pem = read_text(keys_dir() + id + ".key.pem");
  p.cert_pem = read_text(keys_dir() + id + ".cert.pem");
  REQUIRE_FALSE(p.key_pem.empty());
  p.method = m;
  return p;
}

std::string enterprise_toml(const ceb_partner& p, const std::string& kinds, const std::string& extra = "") {
  return "[[enterprise]]\ncode = \"" + p.code + "\"\nname = \"" + p.party.id + "\"\nkinds = " + kinds
         + "\nparty = \"" + p.party.id + "\"\ndxp-id = \"" + p.dxp_id + "\"\ncertificate-file = \""
         + keys_dir() + p.party.id + ".cert.pem\"\n" + extra + "\n";
}

} // namespace

const std::string& ceb_return::operator[](const std::string& k) const {
  static const std::string none;
  auto i = f.find(k);
  return i == f.end() ? none : i->second;
}

std::vector<ceb_return> read_receipt(const notification& n) {
  std::vector<ceb_return> out;
  REQUIRE(n.is_document);
  REQUIRE(n.document_format == "ceb-xml");
  auto r = ceb::read_receipt(n.content.data(), n.content.size());
  INFO(r.error);
  REQUIRE(r.error.empty());
  CHECK(r.root == n.document_name);
  for (auto& ret : r.returns)
    out.push_back(ceb_return{n.document_name, n.status, std::move(ret.fields)});
  return out;
}

ceb_world::ceb_world(ceb_settings s) : s_(std::move(s)) {
  using M = ceb::dsig_method;
  platform = partner("PLT-DEMO-0001", "platform", "3301960001", "DXPENT0000000101", M::sm2_sm3);
  platform2 = partner("PLT-DEMO-0002", "platform", "3301960009", "DXPENT0000000109", M::ecdsa_p256_sha256);
  payment = partner("PAY-DEMO-0001", "payment-company", "3101960002", "DXPENT0000000102", M::rsa_sha1);
  logistics = partner("LGS-DEMO-0001", "logistics-company", "3101960003", "DXPENT0000000103",
                      M::ecdsa_p256_sha256);
  agent = partner("AGT-DEMO-0001", "declaring-agent", "3101960004", "DXPENT0000000104", M::sm2_sm3);
  std::ostringstream t;
  t << "customs-code = \"2249\"\n[matching]\n";
  if (s_.window_seconds > 0)
    t << "window-seconds = " << s_.window_seconds;
  else
    t << "window-minutes = " << s_.window_minutes;
  t
    << "\nexpiry-check-seconds = " << s_.expiry_check_seconds << "\nreturn-days = " << s_.return_days
    << (s_.keep_unmatched_seconds > 0
          ? "\nkeep-unmatched-seconds = " + std::to_string(s_.keep_unmatched_seconds)
          : std::string{})
    << "\n[quota]\nper-transaction = \""
    << s_.per_transaction << "\"\nper-year = \"" << s_.per_year << "\"\nsecret-file = \""
    << dir.file("quota.key") << "\"\n"
    << "[tax]\nvat = \"13\"\n[[tax.line]]\nprefix = \"3304\"\nvat = \"13\"\nconsumption = \"15\"\n"
       "duty = \"5\"\n\n"
    << enterprise_toml(platform, R"(["platform", "ecommerce"])")
    << enterprise_toml(platform2, R"(["platform", "ecommerce"])")
    << enterprise_toml(payment, R"(["payment"])")
    << enterprise_toml(logistics, R"(["logistics"])")
    << enterprise_toml(agent, R"(["agent", "guarantor"])", "guarantee = \"" + s_.guarantee + "\"")
    << s_.extra;
  if (!s_.risk_toml.empty()) {
    std::ofstream{dir.file("risk-ecommerce.toml")} << s_.risk_toml;
    t << "\n[risk]\nrules-file = \"" << dir.file("risk-ecommerce.toml") << "\"\n";
  }
  std::ofstream{dir.file("ecommerce.toml")} << t.str();
  auto hs = s_.hub;
  hs.ecommerce_config = dir.file("ecommerce.toml");
  config = write_hub_config(dir, {platform.party, platform2.party, payment.party, logistics.party, agent.party, officer},
                            hs);
  hubd = std::make_unique<hub_process>(dir, config);
}

ceb_world::~ceb_world() {
  clear_receipt_backlog(); // the clients of this world die with it
}

void ceb_world::restart(bool crash) {
  if (crash)
    hubd->kill9();
  else
    REQUIRE(hubd->terminate() == 0);
  hubd.reset();
  hubd = std::make_unique<hub_process>(dir, config);
}

std::string ceb_world::sign(const ceb_partner& p, const std::string& xml, bool spec) const {
  auto r = ceb::sign_enveloped(bytes(xml.begin(), xml.end()), p.key_pem, p.cert_pem, p.method,
                               spec ? ceb::dsig_style::specification : ceb::dsig_style::real_signer,
                               false);
  INFO(r.error);
  REQUIRE(r);
  return std::string(r.xml.begin(), r.xml.end());
}

outgoing ceb_world::message(const std::string& type, const std::string& xml) {
  capnp::MallocMessageBuilder mb;
  mb.initRoot<wire::CebMessage>().setXml(
    kj::arrayPtr(reinterpret_cast<const uint8_t*>(xml.data()), xml.size()));
  return doc(type, to_bytes(mb));
}

ceb_docs::parcel ceb_world::parcel(const std::string& tag) const {
  ceb_docs::parcel p;
  p.order_no = "ORD-" + tag;
  p.logistics_no = "LN-" + tag;
  p.pay_transaction_id = "PAY-" + tag;
  return p;
}

void ceb_world::send_order(partner_client& c, const std::vector<ceb_docs::parcel>& p) {
  accepted(c, message("ecommerce.ceb311", sign(platform, ceb_docs::order_message(p, platform.transfer()))));
}
void ceb_world::send_payment(partner_client& c, const std::vector<ceb_docs::parcel>& p) {
  accepted(c, message("ecommerce.ceb411", sign(payment, ceb_docs::payment_message(p, payment.transfer()))));
}
void ceb_world::send_waybill(partner_client& c, const std::vector<ceb_docs::parcel>& p) {
  accepted(c, message("ecommerce.ceb511", sign(logistics, ceb_docs::waybill_message(p, logistics.transfer()))));
}
void ceb_world::send_inventory(partner_client& c, const std::vector<ceb_docs::parcel>& p) {
  accepted(c, message("ecommerce.ceb621", sign(agent, ceb_docs::inventory_message(p, agent.transfer()))));
}

namespace {
/// Returns read from a client's notifications but not yet asked for: one receipt
/// message may answer several waits (receipts of one commit are grouped).
std::map<const partner_client*, std::vector<ceb_return>>& backlog() {
  static std::map<const partner_client*, std::vector<ceb_return>> b;
  return b;
}
} // namespace

std::string write_shipped_ecommerce_config(const temp_dir& dir) {
  auto text = read_text(std::string{SWHUB_SOURCE_DIR} + "/config/ecommerce.toml");
  REQUIRE_FALSE(text.empty());
  auto replace = [&](const std::string& from, const std::string& to) {
    for (auto i = text.find(from); i != std::string::npos; i = text.find(from, i + to.size()))
      text.replace(i, from.size(), to);
  };
  replace("\"samples/", "\"" + std::string{SWHUB_SOURCE_DIR} + "/config/samples/");
  replace("\"risk-ecommerce.toml\"", "\"" + std::string{SWHUB_SOURCE_DIR} + "/config/risk-ecommerce.toml\"");
  replace("\"../var/keys/ecommerce.quota.key\"", "\"" + dir.file("quota.key") + "\"");
  std::ofstream{dir.file("ecommerce.toml")} << text;
  return dir.file("ecommerce.toml");
}

void clear_receipt_backlog() {
  backlog().clear();
}

std::vector<ceb_return> wait_returns(partner_client& c, const std::string& receipt_name,
                                     const std::function<bool(const ceb_return&)>& pred,
                                     size_t count, std::chrono::milliseconds limit) {
  std::vector<ceb_return> out;
  std::string seen;
  auto& pending = backlog()[&c];
  auto take = [&] {
    for (auto i = pending.begin(); i != pending.end() && out.size() < count;) {
      if (i->receipt == receipt_name && pred(*i)) {
        out.push_back(*i);
        i = pending.erase(i);
      } else {
        ++i;
      }
    }
  };
  take();
  auto until = std::chrono::steady_clock::now() + limit;
  while (out.size() < count && std::chrono::steady_clock::now() < until) {
    auto n = c.next_notification(std::chrono::milliseconds{200});
    if (!n)
      continue;
    c.ack(n->id);
    if (!n->is_document)
      continue;
    for (auto& r : read_receipt(*n)) {
      seen += " [" + r.receipt + " " + r["returnStatus"] + " " + r["orderNo"] + r["copNo"]
              + r["logisticsNo"] + r["payTransactionId"] + " " + r["returnInfo"].substr(0, 120) + "]";
      pending.push_back(std::move(r));
    }
    take();
  }
  if (out.size() < count) {
    for (auto& r : pending)
      seen += " (earlier: " + r.receipt + " " + r["returnStatus"] + " " + r["orderNo"] + r["copNo"] + ")";
    FAIL("expected " << count << " " << receipt_name << " returns, got " << out.size()
                     << "; seen:" << seen);
  }
  return out;
}

ceb_return wait_return(partner_client& c, const std::string& receipt_name, const std::string& key_field,
                       const std::string& key, const std::string& status,
                       std::chrono::milliseconds limit) {
  return wait_returns(
           c, receipt_name,
           [&](const ceb_return& r) { return r[key_field] == key && r["returnStatus"] == status; }, 1,
           limit)
    .at(0);
}

} // namespace hub::test
