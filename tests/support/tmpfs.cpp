#include "tests/support/tmpfs.hpp"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <vector>

namespace hub::test {

tmpfs_mount::tmpfs_mount(std::string path, const std::string& size) : path_(std::move(path)) {
  std::filesystem::create_directories(path_);
  auto opts = "size=" + size;
  if (mount("tmpfs", path_.c_str(), "tmpfs", 0, opts.c_str()) == 0)
    mounted_ = true;
  else
    why_ = std::strerror(errno);
}

tmpfs_mount::~tmpfs_mount() {
  if (mounted_)
    umount2(path_.c_str(), MNT_DETACH);
}

size_t fill_file(const std::string& path, size_t max) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0)
    return 0;
  std::vector<char> chunk(64 * 1024, 'f');
  size_t written = 0;
  while (written < max) {
    auto want = std::min(chunk.size(), max - written);
    auto n = ::write(fd, chunk.data(), want);
    if (n <= 0)
      break; // ENOSPC
    written += static_cast<size_t>(n);
  }
  fsync(fd);
  close(fd);
  return written;
}

size_t free_space(const std::string& path) {
  struct statvfs vfs {};
  if (statvfs(path.c_str(), &vfs) != 0)
    return 0;
  return static_cast<size_t>(vfs.f_bavail) * vfs.f_frsize;
}

} // namespace hub::test
