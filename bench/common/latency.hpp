#pragma once
// Latency samples and their summary (nearest-rank percentiles over every sample: the
// runs are short enough to keep them all, so no histogram rounding).

#include <cstdint>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace bench {

struct latency_summary {
  uint64_t count = 0;
  double p50_ms = 0;
  double p99_ms = 0;
  double p999_ms = 0;
  double max_ms = 0;
  double mean_ms = 0;
};

/// Summarises `samples_us` (microseconds); sorts it in place.
latency_summary summarize(std::vector<int64_t>& samples_us);

/// The nearest-rank percentile `q` (0..1) of sorted samples, in microseconds.
int64_t percentile_us(const std::vector<int64_t>& sorted_us, double q);

nlohmann::json to_json(const latency_summary& s);

} // namespace bench
