#include "tools/bridge/files.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>

#include "actors/core/error.hpp"

namespace bridge {

caf::error state_error(const std::string& path, const std::string& what) {
  return caf::make_error(hub::ec::invalid_config, path + ": " + what);
}

void sync_parent_dir(const std::string& path) {
  auto dir = std::filesystem::path{path}.parent_path();
  if (dir.empty())
    dir = ".";
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

} // namespace bridge
