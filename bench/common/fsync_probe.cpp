#include "bench/common/fsync_probe.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <vector>

#include <nlohmann/json.hpp>

namespace bench {

namespace {

using clock_type = std::chrono::steady_clock;

constexpr size_t block_size = 4096;
constexpr size_t blocks = 256; // a 1 MiB file: the loop cycles over its blocks

std::string errno_text(const std::string& what) {
  return what + ": " + std::strerror(errno);
}

/// Writes the whole file once and syncs it, so the timed loop never extends it.
bool prefill(int fd, std::vector<char>& block, std::string& error) {
  for (size_t i = 0; i < blocks; ++i)
    if (pwrite(fd, block.data(), block.size(), static_cast<off_t>(i * block_size))
        != static_cast<ssize_t>(block.size())) {
      error = errno_text("pwrite");
      return false;
    }
  if (fsync(fd) != 0) {
    error = errno_text("fsync");
    return false;
  }
  return true;
}

} // namespace

fsync_result probe_fsync(const std::string& dir, double seconds) {
  fsync_result r;
  auto path = dir + "/fsync-probe.dat";
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) {
    r.error = errno_text("open " + path);
    return r;
  }
  std::vector<char> block(block_size, 'x');
  std::vector<int64_t> samples_us;
  if (prefill(fd, block, r.error)) {
    auto start = clock_type::now();
    auto end = start + std::chrono::duration_cast<clock_type::duration>(
                         std::chrono::duration<double>(seconds));
    for (uint64_t i = 0;; ++i) {
      auto t0 = clock_type::now();
      if (t0 >= end)
        break;
      block[0] = static_cast<char>(i); // a real change each time
      auto off = static_cast<off_t>((i % blocks) * block_size);
      if (pwrite(fd, block.data(), block.size(), off) != static_cast<ssize_t>(block.size())) {
        r.error = errno_text("pwrite");
        break;
      }
      if (fdatasync(fd) != 0) {
        r.error = errno_text("fdatasync");
        break;
      }
      samples_us.push_back(std::chrono::duration_cast<std::chrono::microseconds>(
                             clock_type::now() - t0)
                             .count());
    }
    r.seconds = std::chrono::duration<double>(clock_type::now() - start).count();
  }
  ::close(fd);
  ::unlink(path.c_str());
  r.syncs = samples_us.size();
  r.syncs_per_s = r.seconds > 0 ? static_cast<double>(r.syncs) / r.seconds : 0;
  r.latency = summarize(samples_us);
  return r;
}

void probe_synced_bandwidth(const std::string& dir, double seconds, fsync_result& r) {
  constexpr size_t big = 1 << 20;
  constexpr size_t slots = 16; // cycles over 16 MiB, preallocated: overwrites only
  auto path = dir + "/fsync-bandwidth.dat";
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) {
    r.error = errno_text("open " + path);
    return;
  }
  std::vector<char> block(big, 'y');
  bool ok = true;
  for (size_t i = 0; i < slots && ok; ++i)
    ok = pwrite(fd, block.data(), big, static_cast<off_t>(i * big)) == static_cast<ssize_t>(big);
  ok = ok && fsync(fd) == 0;
  uint64_t n = 0;
  auto start = clock_type::now();
  auto end = start + std::chrono::duration_cast<clock_type::duration>(
                       std::chrono::duration<double>(seconds));
  while (ok && clock_type::now() < end) {
    block[0] = static_cast<char>(n);
    ok = pwrite(fd, block.data(), big, static_cast<off_t>((n % slots) * big))
           == static_cast<ssize_t>(big)
         && fdatasync(fd) == 0;
    n += ok ? 1 : 0;
  }
  if (!ok && r.error.empty())
    r.error = errno_text("1 MiB pwrite/fdatasync");
  double secs = std::chrono::duration<double>(clock_type::now() - start).count();
  ::close(fd);
  ::unlink(path.c_str());
  r.big_syncs_per_s = secs > 0 ? static_cast<double>(n) / secs : 0;
  r.big_mib_per_s = r.big_syncs_per_s; // one MiB each
}

nlohmann::json to_json(const fsync_result& r) {
  nlohmann::json j{{"syncs", r.syncs},
                   {"syncedMiBPerS", r.big_mib_per_s},
                   {"seconds", r.seconds},
                   {"syncsPerS", r.syncs_per_s},
                   {"latency", to_json(r.latency)}};
  if (!r.error.empty())
    j["error"] = r.error;
  return j;
}

} // namespace bench
