#pragma once
// A small tmpfs for disk-full tests (as root: CAP_SYS_ADMIN), and a filler file that
// takes its room.

#include <cstddef>
#include <string>

namespace hub::test {

/// A tmpfs of `size` ("8m") mounted at `path` (created if missing), detached when the
/// object dies. `mounted()` is false, and `why()` says why, without the capability.
class tmpfs_mount {
public:
  tmpfs_mount(std::string path, const std::string& size);
  ~tmpfs_mount();
  tmpfs_mount(const tmpfs_mount&) = delete;
  tmpfs_mount& operator=(const tmpfs_mount&) = delete;
  bool mounted() const { return mounted_; }
  const std::string& why() const { return why_; }

private:
  std::string path_;
  bool mounted_ = false;
  std::string why_;
};

/// Writes `path` in 64 KiB steps until `max` bytes or the filesystem is full (each
/// step synced); returns the bytes written.
size_t fill_file(const std::string& path, size_t max);

/// Bytes free on the filesystem holding `path`.
size_t free_space(const std::string& path);

} // namespace hub::test
