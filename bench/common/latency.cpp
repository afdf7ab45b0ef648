#include "bench/common/latency.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include <nlohmann/json.hpp>

namespace bench {

int64_t percentile_us(const std::vector<int64_t>& sorted_us, double q) {
  if (sorted_us.empty())
    return 0;
  auto rank = static_cast<size_t>(std::ceil(q * static_cast<double>(sorted_us.size())));
  rank = std::clamp<size_t>(rank, 1, sorted_us.size());
  return sorted_us[rank - 1];
}

latency_summary summarize(std::vector<int64_t>& samples_us) {
  latency_summary s;
  if (samples_us.empty())
    return s;
  std::sort(samples_us.begin(), samples_us.end());
  auto ms = [](int64_t us) { return static_cast<double>(us) / 1000.0; };
  s.count = samples_us.size();
  s.p50_ms = ms(percentile_us(samples_us, 0.50));
  s.p99_ms = ms(percentile_us(samples_us, 0.99));
  s.p999_ms = ms(percentile_us(samples_us, 0.999));
  s.max_ms = ms(samples_us.back());
  auto sum = std::accumulate(samples_us.begin(), samples_us.end(), 0.0,
                             [](double a, int64_t b) { return a + static_cast<double>(b); });
  s.mean_ms = sum / static_cast<double>(samples_us.size()) / 1000.0;
  return s;
}

nlohmann::json to_json(const latency_summary& s) {
  return nlohmann::json{{"count", s.count},   {"p50Ms", s.p50_ms}, {"p99Ms", s.p99_ms},
                        {"p999Ms", s.p999_ms}, {"maxMs", s.max_ms}, {"meanMs", s.mean_ms}};
}

} // namespace bench
