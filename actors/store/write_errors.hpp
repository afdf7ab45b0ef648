#pragma once
// How a failed LMDB write is named. A full disk does not always say so: a page write
// cut short by a full filesystem comes back from mdb_txn_commit as EIO, so the free
// space of the data directory's filesystem decides whether an EIO is a full disk.

#include <cstdint>
#include <string>

#include <caf/error.hpp>

namespace hub {

/// Bytes an unprivileged writer may still use on the filesystem holding `dir`
/// (statvfs f_bavail); -1 if it cannot be read.
int64_t free_bytes(const std::string& dir);

/// "12 KiB", "6.6 MiB", "3.0 GiB".
std::string format_bytes(int64_t n);

/// What failed, as the store needs to know it to decide when to try again.
enum class write_failure : uint8_t {
  none,
  map_full,  ///< MDB_MAP_FULL: the map size is reached; free disk space does not help
  disk_full, ///< ENOSPC, EDQUOT, or EIO while (nearly) nothing is free
  other,     ///< another error (a real I/O error, MDB_PANIC, ...)
};

/// The kind of failure LMDB's `rc` is for a write in `dir`: EIO counts as a full disk
/// when less than `needed` bytes are free there.
write_failure classify_write_error(int rc, const std::string& dir, int64_t needed);

/// The error for LMDB's `rc` in `op` on `dir`: ec::storage_full naming "map full" or
/// "disk full" (with the free space and LMDB's own message), else ec::store_failure
/// with LMDB's message (and, for EIO, the free space that shows it is no full disk).
caf::error write_error(const char* op, int rc, const std::string& dir, int64_t needed,
                       size_t map_size_mb);

} // namespace hub
