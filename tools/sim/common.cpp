#include "tools/sim/common.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <numeric>
#include <sstream>

#include "adapters/zmq/curve_keys.hpp"

namespace sim {

caf::expected<std::unique_ptr<hub::partner_client>>
connect_as(zmq::context_t& ctx, const hub_target& target, const std::string& key,
           const std::string& client_name, bool sign) {
  auto opts = hub::client_options_from_files(target.endpoint, target.hub_key_file, key, {}, !sign);
  if (!opts)
    return opts.error();
  opts->client_name = client_name;
  opts->timeout = std::chrono::milliseconds{target.timeout_ms};
  return hub::partner_client::connect(ctx, std::move(*opts));
}

std::string describe(const hub::receipt& r) {
  std::string s = hub::to_string(r.status);
  if (r.status == hub::receipt::rejected)
    s += " " + r.error_name + (r.reason.empty() ? "" : ": " + r.reason);
  else
    s += ", sequence " + std::to_string(r.sequence);
  return s;
}

std::string utc_run_id() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%y%m%d-%H%M%S", &tm);
  return buf;
}

double ms_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0)
    .count();
}

std::string ms_text(double ms) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.0f ms", ms);
  return buf;
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

latency_summary summarize(std::vector<double>& ms) {
  latency_summary s;
  s.samples = ms.size();
  if (ms.empty())
    return s;
  std::sort(ms.begin(), ms.end());
  auto rank = [&ms](double q) {
    auto idx = static_cast<size_t>(std::ceil(q * static_cast<double>(ms.size())));
    return ms[std::min(ms.size() - 1, idx == 0 ? 0 : idx - 1)];
  };
  s.p50 = rank(0.50);
  s.p90 = rank(0.90);
  s.p99 = rank(0.99);
  s.p999 = rank(0.999);
  s.max = ms.back();
  s.mean = std::accumulate(ms.begin(), ms.end(), 0.0) / static_cast<double>(ms.size());
  return s;
}

namespace {

/// Rounded to microseconds, so JSON output stays short.
double round3(double v) {
  return std::round(v * 1000) / 1000;
}

} // namespace

nlohmann::ordered_json to_json(const latency_summary& s) {
  return {{"samples", s.samples}, {"p50", round3(s.p50)},   {"p90", round3(s.p90)},
          {"p99", round3(s.p99)}, {"p99.9", round3(s.p999)}, {"max", round3(s.max)},
          {"mean", round3(s.mean)}};
}

std::string to_text(const latency_summary& s) {
  char buf[200];
  std::snprintf(buf, sizeof(buf),
                "p50 %.2f  p90 %.2f  p99 %.2f  p99.9 %.2f  max %.2f ms (%zu samples)", s.p50,
                s.p90, s.p99, s.p999, s.max, s.samples);
  return buf;
}

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream ss{text};
  std::string item;
  while (std::getline(ss, item, ','))
    if (!item.empty())
      out.push_back(item);
  return out;
}

void checklist::section(const std::string& title) {
  std::printf("%zu. %s\n", ++sections_, title.c_str());
  std::fflush(stdout);
}

bool checklist::check(bool ok, const std::string& text) {
  ++checks_;
  if (!ok)
    ++failures_;
  std::printf("   %-4s %s\n", ok ? "ok" : "FAIL", text.c_str());
  std::fflush(stdout);
  return ok;
}

void checklist::note(const std::string& text) {
  std::printf("        %s\n", text.c_str());
  std::fflush(stdout);
}

int checklist::finish() {
  if (!latencies_.empty())
    std::printf("Round trip of %zu submits: %s\n", latencies_.size(),
                to_text(summarize(latencies_)).c_str());
  if (failures_ == 0)
    std::printf("All %zu outcomes as expected.\n", checks_);
  else
    std::printf("%zu of %zu outcomes NOT as expected.\n", failures_, checks_);
  std::fflush(stdout);
  return failures_ == 0 && checks_ > 0 ? 0 : 1;
}

} // namespace sim
