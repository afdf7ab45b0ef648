#include "tools/foreign/simulator.hpp"

#include <algorithm>
#include <cstdio>
#include <set>

#include "actors/core/frames.hpp"

namespace foreign {

namespace {

uint64_t splitmix64(uint64_t& x) {
  uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

/// 2019-03-01, the authorisation date of every SAMPLE operator.
constexpr int64_t authorised_at = 1551398400000;

const char* const cities[] = {"Hamburg", "Duisburg", "Frankfurt am Main", "Bremen", "Munich"};

} // namespace

simulator::simulator(unsigned records, const nlohmann::json& progress) : records_(records) {
  if (!progress.is_object())
    return;
  snapshot_sent_ = progress.value("snapshotSent", false);
  next_version_ = std::max<uint64_t>(2, progress.value("nextVersion", uint64_t{2}));
  deltas_ = progress.value("deltas", uint64_t{0});
  if (auto it = progress.find("changed"); it != progress.end() && it->is_array())
    for (auto& c : *it) {
      change ch;
      auto index = c.value("index", 0u);
      ch.status = c.value("status", uint16_t{0});
      ch.version = c.value("version", uint64_t{1});
      ch.reason = c.value("reason", "");
      ch.changed_at = c.value("changedAt", int64_t{0});
      changed_[index] = ch;
    }
}

std::string simulator::operator_id(unsigned i) {
  // Multiplying by a number prime to 10 is one-to-one modulo 10^13: distinct ids.
  constexpr uint64_t modulus = 10000000000000ULL;
  uint64_t n = (static_cast<uint64_t>(i) * 7340033ULL + 4711000000ULL) % modulus;
  char buf[32];
  std::snprintf(buf, sizeof(buf), "DE%013llu", static_cast<unsigned long long>(n));
  return buf;
}

aeo_record simulator::record(unsigned i) const {
  aeo_record r;
  r.id = operator_id(i);
  char name[64];
  std::snprintf(name, sizeof(name), "Sample Operator %04u GmbH (TEST SAMPLE)", i + 1);
  r.name = name;
  r.address = std::to_string(i % 200 + 1) + " Musterstrasse, " + cities[i % 5] + ", DE (TEST SAMPLE)";
  r.status = 0;
  r.validated_at = authorised_at;
  r.programme = i % 3 == 2 ? "AEOS" : "AEOF";
  r.version = 1;
  r.changed_at = authorised_at;
  r.extras = {{"sample", "true"}};
  if (auto it = changed_.find(i); it != changed_.end()) {
    r.status = it->second.status;
    r.version = it->second.version;
    r.reason = it->second.reason;
    r.changed_at = it->second.changed_at;
  }
  return r;
}

std::vector<aeo_record> simulator::snapshot() {
  std::vector<aeo_record> out;
  out.reserve(records_);
  for (unsigned i = 0; i < records_; ++i)
    out.push_back(record(i));
  snapshot_sent_ = true;
  return out;
}

std::vector<aeo_record> simulator::next_delta() {
  ++deltas_;
  if (records_ == 0)
    return {};
  unsigned k = std::clamp(records_ / 10, 1u, 5u);
  uint64_t seed = deltas_;
  std::set<unsigned> picked;
  while (picked.size() < k)
    picked.insert(static_cast<unsigned>(splitmix64(seed) % records_));
  std::vector<aeo_record> out;
  auto now = hub::now_ms();
  for (auto i : picked) {
    auto current = record(i);
    change ch;
    ch.version = next_version_++;
    ch.changed_at = now;
    if (current.status == 0) {
      ch.status = 1;
      ch.reason = "security requirements under review (TEST SAMPLE)";
    }
    changed_[i] = ch;
    out.push_back(record(i));
  }
  return out;
}

nlohmann::json simulator::progress() const {
  nlohmann::json changed = nlohmann::json::array();
  for (auto& [i, c] : changed_)
    changed.push_back({{"index", i},
                       {"status", c.status},
                       {"version", c.version},
                       {"reason", c.reason},
                       {"changedAt", c.changed_at}});
  return {{"snapshotSent", snapshot_sent_},
          {"nextVersion", next_version_},
          {"deltas", deltas_},
          {"changed", std::move(changed)}};
}

} // namespace foreign
