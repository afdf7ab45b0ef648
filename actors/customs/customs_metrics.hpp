#pragma once
// What the customs actors count, read by swhubd's stop line and the customs bench:
// lanes chosen, releases, and the time step 1 takes inside the hub for each
// declaration (from the desk receiving it to the commit of its lane decision).

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

namespace hub::customs {

class customs_metrics {
public:
  std::atomic<uint64_t> declarations{0};
  std::atomic<uint64_t> green{0}, yellow{0}, red{0}, rejected{0};
  std::atomic<uint64_t> released{0};
  std::atomic<uint64_t> reviewed{0};

  /// Step-1 time of one declaration: evaluation and commit, microseconds.
  void step1(uint32_t decide_us, uint32_t total_us) {
    std::lock_guard<std::mutex> guard{mtx_};
    if (decide_.size() < max_samples) {
      decide_.push_back(decide_us);
      total_.push_back(total_us);
    }
  }

  /// "step1 n=… decide_p50_us=… decide_p99_us=… p50_us=… p99_us=… max_us=…"
  std::string summary() const {
    std::lock_guard<std::mutex> guard{mtx_};
    auto d = decide_, t = total_;
    std::sort(d.begin(), d.end());
    std::sort(t.begin(), t.end());
    auto pct = [](const std::vector<uint32_t>& v, double p) -> uint32_t {
      return v.empty() ? 0 : v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
    };
    return "step1 n=" + std::to_string(t.size()) + " decide_p50_us=" + std::to_string(pct(d, 0.5))
           + " decide_p99_us=" + std::to_string(pct(d, 0.99)) + " p50_us=" + std::to_string(pct(t, 0.5))
           + " p99_us=" + std::to_string(pct(t, 0.99)) + " max_us=" + std::to_string(t.empty() ? 0 : t.back())
           + " green=" + std::to_string(green.load()) + " yellow=" + std::to_string(yellow.load())
           + " red=" + std::to_string(red.load()) + " rejected=" + std::to_string(rejected.load())
           + " released=" + std::to_string(released.load()) + " reviewed=" + std::to_string(reviewed.load());
  }

private:
  static constexpr size_t max_samples = 2'000'000;
  mutable std::mutex mtx_;
  std::vector<uint32_t> decide_, total_;
};

} // namespace hub::customs
