#include "bench/common/thread_cpu.hpp"

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

/// wchar and write_bytes of /proc/<pid>/io.
void read_io(pid_t pid, cpu_snapshot& s) {
  std::ifstream in{"/proc/" + std::to_string(pid) + "/io"};
  std::string key;
  uint64_t value = 0;
  while (in >> key >> value) {
    if (key == "wchar:")
      s.hub_wchar = value;
    else if (key == "write_bytes:")
      s.hub_write_bytes = value;
  }
}

/// Sectors (512 bytes) written to `disk` since boot, from /proc/diskstats.
uint64_t sectors_written(const std::string& disk) {
  std::ifstream in{"/proc/diskstats"};
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream f{line};
    std::string major, minor, name;
    f >> major >> minor >> name;
    if (name != disk)
      continue;
    uint64_t v[7] = {};
    for (auto& x : v) // reads, merged, sectors read, ms, writes, merged, sectors written
      f >> x;
    return v[6];
  }
  return 0;
}

double seconds_now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
    .count();
}

} // namespace

std::string disk_name(const std::string& mount_source) {
  auto slash = mount_source.rfind('/');
  if (mount_source.rfind("/dev/", 0) != 0 || slash == std::string::npos)
    return {};
  return mount_source.substr(slash + 1);
}

cpu_snapshot take_cpu_snapshot(pid_t hub_pid, const std::string& disk) {
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
  read_io(hub_pid, s);
  if (!disk.empty())
    s.disk_sectors_written = sectors_written(disk);
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
  u.seconds = secs;
  u.hub_wchar = b.hub_wchar - std::min(a.hub_wchar, b.hub_wchar);
  u.hub_write_bytes = b.hub_write_bytes - std::min(a.hub_write_bytes, b.hub_write_bytes);
  u.disk_write_bytes =
    512 * (b.disk_sectors_written - std::min(a.disk_sectors_written, b.disk_sectors_written));
  auto total = b.machine_total - a.machine_total;
  if (total > 0)
    u.machine_percent = 100.0 * static_cast<double>(b.machine_busy - a.machine_busy)
                        / static_cast<double>(total);
  auto cores = sysconf(_SC_NPROCESSORS_ONLN);
  if (cores > 0)
    u.others_percent = std::max(
      0.0, u.machine_percent - (u.hub_percent + u.bench_percent) / static_cast<double>(cores));
  return u;
}

nlohmann::json to_json(const cpu_usage& u) {
  auto threads = nlohmann::json::array();
  for (auto& t : u.hub_threads)
    threads.push_back({{"tid", t.tid}, {"name", t.name}, {"percent", t.percent}});
  return nlohmann::json{{"hubPercent", u.hub_percent},
                        {"benchPercent", u.bench_percent},
                        {"machinePercent", u.machine_percent},
                        {"othersPercent", u.others_percent},
                        {"hubWcharBytes", u.hub_wchar},
                        {"hubWriteBytes", u.hub_write_bytes},
                        {"diskWriteBytes", u.disk_write_bytes},
                        {"seconds", u.seconds},
                        {"hubThreads", threads}};
}

} // namespace bench
