#include "tools/ceb_bridge/make_samples.hpp"

#include <filesystem>
#include <iostream>

#include <nlohmann/json.hpp>

#include "adapters/ceb/xml_signer.hpp"
#include "tools/ceb/parcel_documents.hpp"
#include "tools/ceb_bridge/ceb_files.hpp"

namespace fs = std::filesystem;

namespace ceb_bridge {

namespace {

/// A SAMPLE enterprise of config/ecommerce.toml and how its key signs.
struct sample_party {
  const char* id;
  const char* folder;
  const char* code;
  const char* name;
  const char* dxp_id;
  hub::ceb::dsig_method method;
};

using M = hub::ceb::dsig_method;
const sample_party platform{"PLT-DEMO-0001", "platform", "3301960001",
                            "Demo Cross-border Platform", "DXPENT0000000101", M::sm2_sm3};
const sample_party payment{"PAY-DEMO-0001", "payment", "3101960002", "Demo Payment Company",
                           "DXPENT0000000102", M::rsa_sha1};
const sample_party logistics{"LGS-DEMO-0001", "logistics", "3101960003",
                             "Demo Express Logistics", "DXPENT0000000103",
                             M::ecdsa_p256_sha256};
const sample_party agent{"AGT-DEMO-0001", "agent", "3101960004", "Demo Declaring Agent",
                         "DXPENT0000000104", M::sm2_sm3};

hub::ceb_docs::transfer transfer_of(const sample_party& p) {
  return {p.code, p.name, p.dxp_id, ""};
}

hub::ceb_docs::parcel sample_parcel(const std::string& tag) {
  hub::ceb_docs::parcel p;
  p.order_no = "ORD-SAMPLE-" + tag;
  p.logistics_no = "LN-SAMPLE-" + tag;
  p.pay_transaction_id = "PAY-SAMPLE-" + tag;
  return p;
}

class writer {
public:
  explicit writer(const sample_settings& s) : s_(s) {}

  /// `xml` signed by `p`; "" and a message on stderr when the key does not sign.
  std::string sign(const sample_party& p, const std::string& xml) {
    auto key = read_file_bytes(s_.keys_dir + "/" + p.id + ".key.pem");
    auto cert = read_file_bytes(s_.keys_dir + "/" + p.id + ".cert.pem");
    if (!key.data || !cert.data) {
      fail(p.id, "cannot read its SAMPLE key or certificate in " + s_.keys_dir + ": "
                   + key.error + cert.error + " (tools/ceb/make-sample-keys.sh makes them)");
      return {};
    }
    auto r = hub::ceb::sign_enveloped(hub::ceb::bytes(xml.begin(), xml.end()),
                                      std::string(key.data->begin(), key.data->end()),
                                      std::string(cert.data->begin(), cert.data->end()),
                                      p.method, hub::ceb::dsig_style::real_signer, false);
    if (!r) {
      fail(p.id, "cannot sign: " + r.error);
      return {};
    }
    return std::string(r.xml.begin(), r.xml.end());
  }

  void write(const sample_party& p, const std::string& name, const std::string& xml) {
    if (xml.empty())
      return;
    auto path = (fs::path{s_.out_dir} / p.folder / name).string();
    auto err = write_file_durably(path, hub::ceb::bytes(xml.begin(), xml.end()));
    if (!err.empty())
      return fail(path, err);
    nlohmann::ordered_json j{{"file", path}, {"sender", p.id}, {"bytes", xml.size()}};
    std::cout << j.dump() << std::endl;
  }

  bool ok() const { return ok_; }

private:
  void fail(const std::string& what, const std::string& why) {
    ok_ = false;
    nlohmann::ordered_json j{{"error", "make_samples"}, {"reason", what + ": " + why}};
    std::cerr << j.dump() << std::endl;
  }

  const sample_settings& s_;
  bool ok_ = true;
};

} // namespace

int run_make_samples(const sample_settings& s) {
  namespace docs = hub::ceb_docs;
  writer w{s};
  // One parcel whose four documents agree: released once all four are in.
  auto p = sample_parcel("0001");
  w.write(platform, "parcel-0001-order.xml",
          w.sign(platform, docs::order_message({p}, transfer_of(platform))));
  w.write(payment, "parcel-0001-payment.xml",
          w.sign(payment, docs::payment_message({p}, transfer_of(payment))));
  w.write(logistics, "parcel-0001-waybill.xml",
          w.sign(logistics, docs::waybill_message({p}, transfer_of(logistics))));
  w.write(agent, "parcel-0001-inventory.xml",
          w.sign(agent, docs::inventory_message({p}, transfer_of(agent))));
  // 50 orders in one message, one buyer each, as platforms batch them.
  std::vector<docs::parcel> batch;
  for (int i = 1; i <= 50; ++i) {
    auto tag = std::to_string(1000 + i).substr(1);
    auto b = sample_parcel("B" + tag);
    b.buyer_id = "11010119900101" + std::to_string(1000 + i);
    batch.push_back(b);
  }
  w.write(platform, "batch-50-orders.xml",
          w.sign(platform, docs::order_message(batch, transfer_of(platform))));
  // An order the way a terminal node sends it: signed, then wrapped in a DxpMsg.
  auto d = sample_parcel("DXP1");
  auto signed_order = w.sign(platform, docs::order_message({d}, transfer_of(platform)));
  if (!signed_order.empty())
    w.write(platform, "dxp-order.xml",
            docs::dxp_wrap(signed_order, platform.dxp_id, "CEB311Message"));
  // The cancellation of the parcel's inventory list, once released (invtNo).
  auto c = p;
  c.invt_no = s.invt_no;
  w.write(agent, "cancel-0001-template.xml",
          w.sign(agent, docs::cancel_message({c}, transfer_of(agent))));
  return w.ok() ? 0 : 1;
}

} // namespace ceb_bridge
