#pragma once
// `swhub-sim demo`: a short, human-readable walk through what the hub does: valid
// declarations accepted (customs admissible: registered enterprises, tariff lines;
// see documents.hpp), a resend answered as duplicate, a reused id and an invalid
// document rejected with their error names, a spoofed sender and a forbidden
// document type refused, a trade message routed to another party and acknowledged,
// status queries (a declaration's is its customs case's). Every step states what it
// expects; the exit code says whether every outcome was the expected one.

#include <string>
#include <vector>

#include "tools/sim/common.hpp"

namespace sim {

struct demo_config {
  hub_target target;
  std::string keys_dir = "var/keys"; ///< <keys_dir>/<party>.curve.secret
  /// Parties whose role may send customs.declaration.
  std::vector<std::string> parties;
  size_t per_party = 3;       ///< valid declarations each party sends
  std::string message_from;   ///< sends the trade.message; default: parties[0]
  std::string message_to;     ///< receives it (must be allowed to receive it)
  std::string unauthorized;   ///< a party whose role may not send declarations; "" skips
};

/// Runs the demo; 0 if every outcome was the expected one, 1 otherwise.
int run_demo(const demo_config& cfg);

} // namespace sim
