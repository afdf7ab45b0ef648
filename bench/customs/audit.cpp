#include "bench/customs/audit.hpp"

#include <time.h>

#include <algorithm>
#include <chrono>

#include "actors/customs/post_release_audit.hpp"
#include "bench/common/latency.hpp"

namespace bench {

namespace {

double thread_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

} // namespace

audit_result run_audit(const hub::customs::reference_data& ref,
                       const std::vector<goods_line>& goods, size_t cases, size_t batch,
                       uint64_t seed) {
  namespace cu = hub::customs;
  audit_result out;
  auto all = audit_cases(ref, goods, cases, seed, out.error);
  if (!out.error.empty())
    return out;
  // The policy of config/customs.toml [audit] (also the defaults of audit_policy).
  cu::audit_policy policy;
  policy.similar_deviation = 400'000;
  policy.severe_undervaluation = 500'000;
  policy.min_adjustment = 5000;
  policy.audit_after_findings = 3;
  const int64_t now = 1767225600000 + 86400000; // a day after the last release
  std::vector<int64_t> batch_us;
  batch = std::max<size_t>(batch, 1);
  double wall = 0, cpu = 0;
  for (size_t k = 0; k < all.size(); k += batch) {
    std::vector<cu::audit_case> b(all.begin() + static_cast<std::ptrdiff_t>(k),
                                  all.begin() + static_cast<std::ptrdiff_t>(std::min(all.size(), k + batch)));
    cu::group_report report;
    auto c0 = thread_cpu_seconds();
    auto t0 = std::chrono::steady_clock::now();
    auto results = cu::audit_batch(ref, b, policy, now, report);
    auto t1 = std::chrono::steady_clock::now();
    cpu += thread_cpu_seconds() - c0;
    auto us = std::chrono::duration_cast<std::chrono::microseconds>(t1 - t0).count();
    wall += static_cast<double>(us) / 1e6;
    batch_us.push_back(us);
    out.batches++;
    out.cases += b.size();
    for (auto& c : b)
      out.items += c.items.size();
    for (auto& r : results) {
      out.outcomes[cu::to_string(r.outcome)]++;
      out.adjustments_cny += static_cast<double>(r.adjustment) / 100.0;
      for (auto& f : r.findings) {
        const char* area = f.area == cu::audit_finding::classification ? "classification"
                           : f.area == cu::audit_finding::value        ? "value"
                                                                        : "origin";
        out.findings[area]++;
      }
    }
  }
  out.seconds = wall;
  out.cpu_seconds = cpu;
  out.cases_per_s = wall > 0 ? static_cast<double>(out.cases) / wall : 0;
  auto s = summarize(batch_us);
  out.batch_p50_ms = s.p50_ms;
  out.batch_p99_ms = s.p99_ms;
  out.batch_max_ms = s.max_ms;
  return out;
}

} // namespace bench
