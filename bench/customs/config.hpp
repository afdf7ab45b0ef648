#pragma once
// The customs configuration a benchmark hub runs with: customs.toml (organisation and
// tax centres of config/customs.toml, the bench enterprises with large guarantees,
// review batches large enough that no post-release review runs during the load) and a
// generated risk-parameters.toml with N realistic risk parameters.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "bench/customs/goods.hpp"

namespace bench {

struct rule_mix {
  size_t total = 0, hs = 0, origin = 0, trader = 0, special = 0;
  size_t with_origin = 0, district = 0, valuation_evidence = 0, red = 0, yellow = 0;
};

/// risk-parameters.toml: the tier selectivity of config/risk-parameters.toml and `n`
/// risk parameters (n >= 10): the 4 generic ones of the sample (restricted goods,
/// price below the reference, ruling deviation, prior findings); 90 % on HS prefixes
/// of 2-10 digits of the lines in `goods` (many chapters), 30 % of them with an origin
/// list, 10 % district (level 2); 5 % on origins alone; 5 % on tiers or enterprises.
/// Lanes 70 % yellow / 30 % red, each selecting 0.1-2 % of its hits.
std::string risk_parameters_toml(size_t n, const std::vector<goods_line>& goods,
                                 const std::vector<bench_enterprise>& enterprises,
                                 uint64_t seed, rule_mix& mix);

/// customs.toml; `risk_file` relative to the customs.toml's directory or absolute.
/// `agencies_toml` ([[agency]] and [[routing]] tables, may be empty) goes in as given.
std::string customs_toml(const std::string& reference_dir, const std::string& risk_file,
                         const std::vector<bench_enterprise>& enterprises,
                         const std::string& guarantee, size_t review_batch,
                         size_t review_interval_ms, const std::string& agencies_toml = {});

/// A single-window agency of the bench (issue 5): id ag<i>, party AGY-BENCH-<i>, the
/// HS chapters (2-digit prefixes) routed to it.
struct bench_agency {
  std::string id;
  std::string party;
  std::vector<std::string> prefixes;
};

/// `count` (1..3) agencies over the chapters of `goods`: the chapters, in order, go
/// round-robin to "no agency", ag1, ag2, ..., so each agency gets about 1/(count+1) of
/// them.
std::vector<bench_agency> bench_agencies(size_t count, const std::vector<goods_line>& goods);

/// [[agency]] (deadline 1 h) and one [[routing]] per agency (its chapters, any regime).
std::string agencies_toml(const std::vector<bench_agency>& agencies);

/// The agencies (bitmask: bit i = agencies[i]) whose prefixes match an item of `items`.
unsigned agencies_of(const std::vector<bench_agency>& agencies,
                     const std::vector<item_spec>& items);

} // namespace bench
