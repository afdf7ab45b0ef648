#include "tools/sim/ceb_receipts.hpp"

#include "adapters/ceb/ceb_receipt.hpp"

namespace sim {


const std::string& ceb_return::operator[](const std::string& k) const {
  static const std::string none;
  auto i = f.find(k);
  return i == f.end() ? none : i->second;
}

std::vector<ceb_return> read_ceb_returns(const hub::notification& n, std::string& error) {
  std::vector<ceb_return> out;
  if (!n.is_document || n.document_format != "ceb-xml") {
    error = "not a CEB receipt (format \"" + n.document_format + "\")";
    return out;
  }
  auto r = hub::ceb::read_receipt(n.content.data(), n.content.size());
  if (!r.error.empty()) {
    error = n.document_name + ": " + r.error;
    return out;
  }
  for (auto& ret : r.returns) {
    ceb_return x;
    x.receipt = r.root;
    x.kind = ret.element;
    x.hub_status = n.status;
    x.notification = n.id;
    x.f = std::move(ret.fields);
    out.push_back(std::move(x));
  }
  return out;
}

} // namespace sim
