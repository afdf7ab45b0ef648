#pragma once
// The tax centres' post-release batch review (step 2), in-process: audit_batch over
// generated released cases, in batches as a tax centre takes them.

#include <cstddef>
#include <map>
#include <string>

#include "actors/customs/reference_data.hpp"
#include "bench/customs/goods.hpp"

namespace bench {

struct audit_result {
  std::string error;
  size_t cases = 0, batches = 0, items = 0;
  double seconds = 0;          ///< wall time of the audit_batch calls only
  double cpu_seconds = 0;      ///< this thread's CPU time over the same calls
  double cases_per_s = 0;      ///< cases / seconds
  double batch_p50_ms = 0, batch_p99_ms = 0, batch_max_ms = 0;
  std::map<std::string, size_t> outcomes; ///< per case: "no-action", "tax-adjustment", ...
  std::map<std::string, size_t> findings; ///< per finding area: "classification", "value", "origin"
  double adjustments_cny = 0;  ///< total additional tax found
};

/// Generates `cases` released cases (seed `seed`) and reviews them in batches of
/// `batch` with the audit policy of config/customs.toml.
audit_result run_audit(const hub::customs::reference_data& ref,
                       const std::vector<goods_line>& goods, size_t cases, size_t batch,
                       uint64_t seed);

} // namespace bench
