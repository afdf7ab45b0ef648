#include "bench/common/machine.hpp"

#include <sys/statfs.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <ctime>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

namespace bench {

namespace {

std::string cpu_model() {
  std::ifstream in{"/proc/cpuinfo"};
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("model name", 0) == 0) {
      auto colon = line.find(':');
      if (colon != std::string::npos)
        return line.substr(line.find_first_not_of(" \t", colon + 1));
    }
  return "unknown";
}

double memory_gib() {
  std::ifstream in{"/proc/meminfo"};
  std::string key;
  double kib = 0;
  while (in >> key) {
    if (key == "MemTotal:") {
      in >> kib;
      break;
    }
    in.ignore(4096, '\n');
  }
  return kib / (1024.0 * 1024.0);
}

std::string kernel() {
  utsname u{};
  if (uname(&u) != 0)
    return "unknown";
  return std::string{u.sysname} + " " + u.release + " " + u.machine;
}

/// Names for the f_type magic numbers one meets under a data directory.
std::string fs_type_name(long magic) {
  switch (static_cast<unsigned long>(magic)) {
    case 0xEF53: return "ext2/3/4";
    case 0x58465342: return "xfs";
    case 0x9123683E: return "btrfs";
    case 0x01021994: return "tmpfs";
    case 0x794C7630: return "overlayfs";
    case 0x2FC12FC1: return "zfs";
    case 0x6969: return "nfs";
    case 0xF2F52010: return "f2fs";
    default: break;
  }
  std::ostringstream out;
  out << "0x" << std::hex << magic;
  return out.str();
}

/// The mountinfo entry with the longest mount point that prefixes `path`: its mount
/// point, filesystem type name and source device (more precise than the magic number).
void find_mount(const std::string& path, machine_info& m) {
  std::ifstream in{"/proc/self/mountinfo"};
  std::string line;
  size_t best = 0;
  while (std::getline(in, line)) {
    std::istringstream fields{line};
    std::string id, parent, devno, root, mount_point, tok;
    fields >> id >> parent >> devno >> root >> mount_point;
    while (fields >> tok && tok != "-") {
    }
    std::string type, source;
    fields >> type >> source;
    bool prefix = path.rfind(mount_point, 0) == 0
                  && (mount_point == "/" || path.size() == mount_point.size()
                      || path[mount_point.size()] == '/');
    if (prefix && mount_point.size() >= best) {
      best = mount_point.size();
      m.fs_mount = mount_point;
      m.fs_device = source;
      m.fs_type = type;
    }
  }
}

std::string local_date() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  localtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S%z", &tm);
  return buf;
}

} // namespace

std::string load_average() {
  std::ifstream in{"/proc/loadavg"};
  std::string a, b, c;
  in >> a >> b >> c;
  return a + " " + b + " " + c;
}

machine_info describe_machine(const std::string& data_dir) {
  machine_info m;
  m.cpu_model = cpu_model();
  auto n = sysconf(_SC_NPROCESSORS_ONLN);
  m.cores = n > 0 ? static_cast<unsigned>(n) : 0;
  m.memory_gib = memory_gib();
  m.kernel = kernel();
  struct statfs sfs{};
  if (statfs(data_dir.c_str(), &sfs) == 0)
    m.fs_type = fs_type_name(static_cast<long>(sfs.f_type));
  find_mount(data_dir, m);
  m.date = local_date();
  m.load_avg = load_average();
  return m;
}

nlohmann::json to_json(const machine_info& m) {
  return nlohmann::json{{"cpuModel", m.cpu_model}, {"cores", m.cores},
                        {"memoryGiB", m.memory_gib}, {"kernel", m.kernel},
                        {"fsType", m.fs_type},     {"fsDevice", m.fs_device},
                        {"fsMount", m.fs_mount},   {"date", m.date},
                        {"loadAvg", m.load_avg}};
}

} // namespace bench
