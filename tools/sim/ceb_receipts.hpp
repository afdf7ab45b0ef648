#pragma once
// Reading the CEB receipts the hub sends to e-commerce partners (CEB312, CEB412, CEB512,
// CEB622, CEB626, ...) as a partner's system reads them: every child of the root is one
// `*Return` whose children are its fields (returnStatus, returnInfo, copNo, invtNo ...).

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "adapters/zmq/client.hpp"

namespace sim {

/// One `*Return` of a CEB receipt message.
struct ceb_return {
  std::string receipt;    ///< the message's root, e.g. "CEB622Message"
  std::string kind;       ///< the return's element, e.g. "InventoryReturn"
  std::string hub_status; ///< the notification's status: "accepted", "rejected", "released"
  uint64_t notification = 0; ///< the notification that carried it (one per receipt message)
  std::map<std::string, std::string> f; ///< fields by element name

  /// The field `k`, or "" if the return has none.
  const std::string& operator[](const std::string& k) const;
};

/// Every return of the CEB receipt in `n` (libxml2, no network, no entities); empty
/// with `error` set if `n` is not a ceb-xml document or not well-formed.
std::vector<ceb_return> read_ceb_returns(const hub::notification& n, std::string& error);

} // namespace sim
