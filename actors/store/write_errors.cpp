#include "actors/store/write_errors.hpp"

#include <sys/statvfs.h>

#include <cerrno>
#include <cstdio>

#include <lmdb.h>

#include "actors/core/error.hpp"

namespace hub {

int64_t free_bytes(const std::string& dir) {
  struct statvfs vfs {};
  if (statvfs(dir.c_str(), &vfs) != 0)
    return -1;
  return static_cast<int64_t>(vfs.f_bavail) * static_cast<int64_t>(vfs.f_frsize);
}

std::string format_bytes(int64_t n) {
  if (n < 0)
    return "an unknown amount";
  char buf[32];
  if (n < (int64_t{1} << 20))
    std::snprintf(buf, sizeof buf, "%lld KiB", static_cast<long long>(n >> 10));
  else if (n < (int64_t{1} << 30))
    std::snprintf(buf, sizeof buf, "%.1f MiB", static_cast<double>(n) / (1 << 20));
  else
    std::snprintf(buf, sizeof buf, "%.1f GiB", static_cast<double>(n) / (1 << 30));
  return buf;
}

write_failure classify_write_error(int rc, const std::string& dir, int64_t needed) {
  if (rc == MDB_MAP_FULL)
    return write_failure::map_full;
  if (rc == ENOSPC || rc == EDQUOT)
    return write_failure::disk_full;
  if (rc == EIO) {
    // LMDB turns a short pwrite/writev (the filesystem ran out mid-write) into EIO.
    auto free = free_bytes(dir);
    if (free >= 0 && free < needed)
      return write_failure::disk_full;
  }
  return write_failure::other;
}

caf::error write_error(const char* op, int rc, const std::string& dir, int64_t needed,
                       size_t map_size_mb) {
  std::string lmdb = std::string{op} + ": " + mdb_strerror(rc);
  switch (classify_write_error(rc, dir, needed)) {
    case write_failure::map_full:
      return caf::make_error(ec::storage_full,
                             "map full: the LMDB map of " + std::to_string(map_size_mb)
                               + " MiB (store.map-size-mb) is used up (" + lmdb
                               + "); free disk space does not help: raise store.map-size-mb "
                                 "and restart");
    case write_failure::disk_full:
      return caf::make_error(ec::storage_full, "disk full: " + dir + " has "
                                                 + format_bytes(free_bytes(dir)) + " free ("
                                                 + lmdb + ")");
    case write_failure::none:
    case write_failure::other:
      break;
  }
  if (rc == EIO)
    return caf::make_error(ec::store_failure, lmdb + " (" + dir + " has "
                                                + format_bytes(free_bytes(dir))
                                                + " free: not a full disk)");
  if (rc == MDB_PANIC)
    return caf::make_error(ec::store_failure,
                           lmdb + " (the environment is unusable after a failed meta-page "
                                  "write; it is reopened before the next write)");
  return caf::make_error(ec::store_failure, lmdb);
}

} // namespace hub
