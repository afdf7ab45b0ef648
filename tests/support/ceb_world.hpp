#pragma once
// A hub with the e-commerce module and the SAMPLE CEB enterprises (config/ecommerce.toml's
// codes, DXP accounts and certificates, config/samples/ceb/keys), for integration
// tests: CEB messages signed as E-Port signers sign them, sent as the partners send
// them, and the CEB receipts they get back read as they would read them.

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "adapters/ceb/xml_signer.hpp"
#include "tests/support/hub_process.hpp"
#include "tools/ceb/parcel_documents.hpp"

namespace hub::test {

/// One CEB enterprise of the test world: its hub party and how it signs.
struct ceb_partner {
  test_party party;
  std::string code, dxp_id;
  std::string key_pem, cert_pem;
  ceb::dsig_method method = ceb::dsig_method::sm2_sm3;
  ceb_docs::transfer transfer() const { return {code, "SAMPLE", dxp_id, ""}; }
};

/// One `*Return` of a CEB receipt: its fields by element name, and the receipt's own
/// name and hub status.
struct ceb_return {
  std::string receipt;    ///< "CEB622Message"
  std::string hub_status; ///< "accepted", "rejected", "released", ...
  std::map<std::string, std::string> f;
  const std::string& operator[](const std::string& k) const;
};

/// Every *Return of a receipt message (libxml2; REQUIREs well-formed XML).
std::vector<ceb_return> read_receipt(const notification& n);

struct ceb_settings {
  int window_minutes = 4320;
  int window_seconds = 0; ///< set: [matching] window-seconds instead of minutes
  int expiry_check_seconds = 60;
  int keep_unmatched_seconds = 0; ///< set: [matching] keep-unmatched-seconds
  int return_days = 30;
  std::string per_year = "26000";
  std::string per_transaction = "5000";
  std::string guarantee = "1000000"; ///< the agent's tax guarantee
  std::string extra;                 ///< more TOML appended to ecommerce.toml
  std::string risk_toml;             ///< set: [risk] rules-file with this content
  hub_settings hub;                  ///< max-frame-bytes, workers, ...
};

class ceb_world {
public:
  explicit ceb_world(ceb_settings s = {});
  ~ceb_world();

  temp_dir dir;
  ceb_partner platform, platform2, payment, logistics, agent;
  test_party officer = make_party("CUS-2249", "customs-officer"); ///< port inspection officer
  std::unique_ptr<hub_process> hubd;
  zmq::context_t ctx;
  std::string config; ///< hub.toml path

  std::unique_ptr<partner_client> connect(const ceb_partner& p) { return hubd->connect(ctx, p.party); }
  /// Stops (kill -9 if `crash`) and starts the hub again on the same data.
  void restart(bool crash);

  /// `xml` signed by `p` (real-signer style unless `spec`).
  std::string sign(const ceb_partner& p, const std::string& xml, bool spec = false) const;
  /// The envelope carrying `xml` as document type `type` ("ecommerce.ceb311").
  static outgoing message(const std::string& type, const std::string& xml);

  /// A parcel of the demo enterprises with fresh numbers (`tag` makes them unique).
  ceb_docs::parcel parcel(const std::string& tag) const;

  /// The four documents of `p`, signed, sent by their senders; REQUIREs hub receipts
  /// `accepted`.
  void send_order(partner_client& c, const std::vector<ceb_docs::parcel>& p);
  void send_payment(partner_client& c, const std::vector<ceb_docs::parcel>& p);
  void send_waybill(partner_client& c, const std::vector<ceb_docs::parcel>& p);
  void send_inventory(partner_client& c, const std::vector<ceb_docs::parcel>& p);
  /// All four, each by its sender, in the usual order.
  void send_parcels(partner_client& platform_c, partner_client& payment_c, partner_client& logistics_c,
                    partner_client& agent_c, const std::vector<ceb_docs::parcel>& p) {
    send_order(platform_c, p);
    send_payment(payment_c, p);
    send_waybill(logistics_c, p);
    send_inventory(agent_c, p);
  }

private:
  ceb_settings s_;
};

/// The next CEB receipt returns matching `pred` (acknowledging every notification
/// seen); FAILs after `limit` listing what arrived.
std::vector<ceb_return> wait_returns(partner_client& c, const std::string& receipt_name,
                                     const std::function<bool(const ceb_return&)>& pred,
                                     size_t count,
                                     std::chrono::milliseconds limit = std::chrono::seconds{15});

/// The shipped config/ecommerce.toml (SAMPLE enterprises PLT-DEMO-0001, PAY-DEMO-0001,
/// LGS-DEMO-0001, AGT-DEMO-0001, OPR-DEMO-0001 ...) copied into `dir` with its paths made
/// absolute and its quota secret in `dir`; returns the copy's path (for
/// hub_settings::ecommerce_config).
std::string write_shipped_ecommerce_config(const temp_dir& dir);

/// Forgets returns read but not asked for (a world's clients die with it).
void clear_receipt_backlog();

/// The first receipt return about `order_no` whose returnStatus is `status`.
ceb_return wait_return(partner_client& c, const std::string& receipt_name,
                       const std::string& key_field, const std::string& key,
                       const std::string& status,
                       std::chrono::milliseconds limit = std::chrono::seconds{15});

} // namespace hub::test
