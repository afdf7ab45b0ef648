#include "tools/agency/simulator.hpp"

#include <random>

namespace agency {

namespace {

uint64_t fnv1a(const std::string& text) {
  uint64_t h = 1469598103934665603ULL;
  for (unsigned char ch : text) {
    h ^= ch;
    h *= 1099511628211ULL;
  }
  return h;
}

std::string goods_of(const hub::notification& c) {
  std::string out;
  for (auto& item : c.items)
    if (!item.hs_code.empty())
      out += (out.empty() ? "" : ", ") + item.hs_code;
  return out.empty() ? std::string{} : " (goods " + out + ")";
}

} // namespace

simulated_decision simulate(const simulator_settings& s, const hub::notification& c) {
  std::mt19937_64 rng{s.seed ^ fnv1a(c.case_id)};
  simulated_decision out;
  out.what.case_id = c.case_id;
  auto roll = static_cast<unsigned>(rng() % 100);
  auto goods = goods_of(c);
  if (roll < s.approve) {
    out.what.verdict = wire::AgencyVerdict::APPROVE;
    out.what.reason = "simulated: approved" + goods;
  } else if (roll < s.approve + s.reject) {
    out.what.verdict = wire::AgencyVerdict::REJECT;
    out.what.reason = "simulated: goods not admissible" + goods;
  } else if (roll < s.approve + s.reject + s.inspect) {
    out.what.verdict = wire::AgencyVerdict::NEED_INSPECTION;
    out.what.reason = "simulated: inspection of the goods required" + goods;
  } else {
    out.what.verdict = wire::AgencyVerdict::NEED_DOCUMENTS;
    out.what.reason = "simulated: documents required (health certificate)" + goods;
  }
  uint64_t jitter = s.latency_jitter_ms == 0 ? 0 : rng() % (uint64_t{s.latency_jitter_ms} + 1);
  out.latency = std::chrono::milliseconds{static_cast<int64_t>(s.latency_ms + jitter)};
  return out;
}

} // namespace agency
