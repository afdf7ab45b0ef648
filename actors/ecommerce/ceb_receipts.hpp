#pragma once
// CEB receipts (CEB312 ... CEB712) as E-Port writes them, gathered per recipient and
// receipt type so one commit sends one receipt message holding a `*Return` per
// document (ecommerce.md §10.2), and turned into outbox notices
// (wire FormattedDocument, format "ceb-xml").

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "actors/actors.hpp"
#include "adapters/ceb/ceb_message.hpp"

namespace hub::ecommerce {

/// returnStatus values (ecommerce.md §5) and the customs codes of returnInfo.
namespace status {
inline constexpr const char* stored = "120";     ///< [Code:1800;Desc:逻辑校验通过]
inline constexpr const char* refused = "100";    ///< customs refusal with its reason
inline constexpr const char* concluded = "399";  ///< [Code:2300;Desc:审核通过], tax assessed
inline constexpr const char* inspection = "500"; ///< [Code:2500;Desc:查验] selected for inspection
inline constexpr const char* released = "800";   ///< [Code:2600;Desc:放行]
} // namespace status

/// One `*Return` element: fields by element name (order does not matter: the writer
/// puts them in the XSD's order and drops names the return type does not have).
using return_fields = std::vector<std::pair<std::string, std::string>>;

struct pending_receipt {
  std::string recipient;
  ceb::message_type answers;
  bytes subject;            ///< the recipient's message it answers (empty: none)
  return_fields fields;
  std::string hub_status;   ///< wire DocumentStatus name: "accepted", "rejected", "released"
  std::string reason;       ///< returnInfo
};

/// Collects the receipts of one commit.
class receipt_set {
public:
  void add(pending_receipt r) { items_.push_back(std::move(r)); }
  bool empty() const { return items_.empty(); }
  /// The notices: one receipt message per (recipient, subject, type, status group).
  std::vector<notice> notices(int64_t now_ms) const;

private:
  std::vector<pending_receipt> items_;
};

/// returnInfo for a customs code: "[Code:1800;Desc:逻辑校验通过]".
std::string code_info(const std::string& code, const std::string& desc);

} // namespace hub::ecommerce
