#pragma once
// Documents the simulator sends: valid but varied customs declarations of about
// 1 KB (built with Cap'n Proto builders, no JSON on the hot path), deliberately
// invalid ones, and trade messages.

#include <random>
#include <string>
#include <vector>

#include "actors/actors.hpp"

namespace sim {

/// Seeded per thread; documents are reproducible for a given seed.
using rng_type = std::mt19937_64;

/// How to build one declaration.
struct declaration_spec {
  /// Goods items: 2 gives ~0.85 KB payloads (~0.95 KB envelope frames).
  unsigned items = 2;
  /// Non-empty: items[0].hsCode gets this (e.g. "847130", a 6-digit code the hub
  /// must reject with invalid_hs_code).
  std::string hs_code_override;
};

/// A declaration that passes the hub's validation (10-digit HS codes, positive
/// quantities and values, gross >= net, ISO currency and country codes).
hub::bytes make_declaration(rng_type& rng, const declaration_spec& spec = {});

/// A trade.message payload.
hub::bytes make_trade_message(const std::string& subject, const std::string& body,
                              const std::vector<std::string>& references);

/// Random lower-case hex, for readable unique references.
std::string random_hex(rng_type& rng, size_t bytes);

} // namespace sim
