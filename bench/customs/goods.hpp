#pragma once
// Goods, enterprises and declarations for swhub-bench-customs, all taken from the real
// reference data (config/reference: tariff, prices, restrictions, certificates), so
// that every declaration the bench sends is one the hub assesses and decides in full:
// HS codes that are tariff lines, their statutory units, CNY values inside the
// reference price range where prices.toml has one, no prohibited or restricted goods.

#include <cstdint>
#include <string>
#include <vector>

#include "actors/actors.hpp"
#include "actors/customs/post_release_audit.hpp"
#include "actors/customs/reference_data.hpp"

namespace bench {

/// splitmix64: small, deterministic, good enough for synthetic data.
struct rng {
  uint64_t s;
  uint64_t next() {
    uint64_t z = (s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  size_t below(size_t n) { return n == 0 ? 0 : static_cast<size_t>(next() % n); }
  bool chance(double percent) { return static_cast<double>(next() % 1000000) < percent * 10000.0; }
  double uniform(double a, double b) {
    return a + (b - a) * static_cast<double>(next() >> 11) / 9007199254740992.0;
  }
};

/// One tariff line the bench declares.
struct goods_line {
  std::string hs;            ///< 10 digits, a line of tariff.toml
  std::string unit;          ///< its statutory unit
  std::string description;   ///< the tariff description (realistic length)
  hub::cents typical = 0;          ///< typical CNY cents per unit
  hub::cents ref_min = 0, ref_max = 0; ///< prices.toml range (0: none)
  double kg_per_unit = 1;
  std::vector<std::string> agreements;       ///< preferential agreements of the line
};

/// Every tariff line that is neither prohibited nor restricted. A unit value comes
/// from prices.toml where it has a range for the line (same unit): the geometric
/// middle of the range; else a plausible value per unit.
std::vector<goods_line> goods_catalogue(const hub::customs::reference_data& ref);

/// An enterprise registered in the bench's customs.toml.
struct bench_enterprise {
  std::string code;
  std::string tier;
};
/// A few enterprises over the three tiers that may release on guarantee.
std::vector<bench_enterprise> bench_enterprises();

/// Origins: the first `common_origins` are drawn 90 % of the time.
extern const std::vector<std::string> origins;
extern const size_t common_origins;

/// One generated goods item.
struct item_spec {
  const goods_line* line = nullptr;
  double quantity = 0;
  hub::cents value = 0; ///< CNY cents, the item's customs value
  std::string origin;
  std::string claim, certificate; ///< preferential claim (audit cases only)
};

/// Draws 1-5 items with unit values within +-25 % of the line's typical value (and
/// inside its reference range), item values of about CNY 5,000-60,000.
std::vector<item_spec> draw_items(const std::vector<goods_line>& goods, rng& r);

/// A customs.declaration payload: import, settlement guarantee, currency CNY,
/// customs unit 2248 (Yangshan), one bill of lading, importer `importer`.
hub::bytes declaration_payload(const std::string& declaration_id, const std::string& importer,
                               const std::vector<item_spec>& items);

/// `cases` released declarations for the tax centres' batch review: items as above,
/// assessed with hub::customs::assess over `ref`; a few anomalies so the review has
/// something to find (about 3 % of items undervalued well below the reference, 5 %
/// with a preferential claim, half of them without a valid certificate).
std::vector<hub::customs::audit_case> audit_cases(const hub::customs::reference_data& ref,
                                                  const std::vector<goods_line>& goods,
                                                  size_t cases, uint64_t seed, std::string& error);

} // namespace bench
