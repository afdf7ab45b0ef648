#include "bench/ingest/thread_cpu.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

namespace bench {

namespace {

/// utime + stime and comm from a /proc/.../stat line. comm is in parentheses and may
/// contain spaces, so fields are counted from the last ')'.
bool read_stat(const std::string& path, thread_ticks& out) {
  std::ifstream in{path};
  std::string line;
  if (!std::getline(in, line))
    return false;
  auto open = line.find('(');
  auto close = line.rfind(')');
  if (open == std::string::npos || close == std::string::npos || close < open)
    return false;
  out.name = line.substr(open + 1, close - open - 1);
  std::istringstream rest{line.substr(close + 2)};
  std::string field;
  // Fields after comm start at 3 (state); utime is field 14, stime 15.
  for (int i = 3; i < 14 && rest >> field; ++i) {
  }
  uint64_t utime = 0, stime = 0;
  if (!(rest >> utime >> stime))
    return false;
  out.ticks = utime + stime;
  return true;
}

void read_machine(uint64_t& busy, uint64_t& total) {
  std::ifstream in{"/proc/stat"};
  std::string cpu;
  in >> cpu; // "cpu": the sum over all cores
  uint64_t v[10] = {};
  for (auto& x : v)
    in >> x;
  total = 0;
  for (auto x : v)
    total += x;
  // guest time is already inside user; counting it twice would overstate busy.
  total -= v[8] + v[9];
  busy = total - v[3] - v[4]; // idle, iowait
}

double seconds_now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
    .count();
}

} // namespace

cpu_snapshot take_cpu_snapshot(pid_t hub_pid) {
  cpu_snapshot s;
  s.at_s = seconds_now();
  std::error_code ec;
  auto dir = "/proc/" + std::to_string(hub_pid) + "/task";
  for (auto& entry : std::filesystem::directory_iterator{dir, ec}) {
    thread_ticks t;
    if (read_stat(entry.path().string() + "/stat", t))
      s.hub_threads[static_cast<pid_t>(std::stol(entry.path().filename().string()))] = t;
  }
  thread_ticks self;
  if (read_stat("/proc/self/stat", self))
    s.self_ticks = self.ticks;
  read_machine(s.machine_busy, s.machine_total);
  return s;
}

cpu_usage cpu_between(const cpu_snapshot& a, const cpu_snapshot& b, pid_t hub_pid) {
  cpu_usage u;
  double hz = static_cast<double>(sysconf(_SC_CLK_TCK));
  double secs = b.at_s - a.at_s;
  if (secs <= 0 || hz <= 0)
    return u;
  auto pct = [&](uint64_t ticks) { return 100.0 * static_cast<double>(ticks) / hz / secs; };
  for (auto& [tid, t] : b.hub_threads) {
    auto i = a.hub_threads.find(tid);
    uint64_t before = i == a.hub_threads.end() ? 0 : i->second.ticks;
    double p = pct(t.ticks - std::min(before, t.ticks));
    u.hub_percent += p;
    if (p >= 1.0)
      u.hub_threads.push_back({tid, tid == hub_pid ? "main" : t.name, p});
  }
  std::sort(u.hub_threads.begin(), u.hub_threads.end(),
            [](const thread_usage& x, const thread_usage& y) { return x.percent > y.percent; });
  u.bench_percent = pct(b.self_ticks - std::min(a.self_ticks, b.self_ticks));
  auto total = b.machine_total - a.machine_total;
  if (total > 0)
    u.machine_percent = 100.0 * static_cast<double>(b.machine_busy - a.machine_busy)
                        / static_cast<double>(total);
  return u;
}

nlohmann::json to_json(const cpu_usage& u) {
  auto threads = nlohmann::json::array();
  for (auto& t : u.hub_threads)
    threads.push_back({{"tid", t.tid}, {"name", t.name}, {"percent", t.percent}});
  return nlohmann::json{{"hubPercent", u.hub_percent},
                        {"benchPercent", u.bench_percent},
                        {"machinePercent", u.machine_percent},
                        {"hubThreads", threads}};
}

} // namespace bench
