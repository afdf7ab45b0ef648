#include "actors/ecommerce/quota_ledger.hpp"

#include <ctime>
#include <filesystem>

#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "actors/core/error.hpp"

namespace hub::ecommerce {

caf::expected<buyer_keys> buyer_keys::open(const std::string& file) {
  buyer_keys k;
  int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd >= 0) {
    k.secret_.resize(64);
    auto n = ::read(fd, k.secret_.data(), k.secret_.size());
    ::close(fd);
    if (n < 32)
      return caf::make_error(ec::invalid_config, "quota secret " + file
                                                   + " holds fewer than 32 bytes");
    k.secret_.resize(static_cast<size_t>(n));
    return k;
  }
  // Only a missing file is created: an unreadable one (permissions, a directory) must
  // not be replaced, or every buyer's ledger would start afresh.
  if (errno != ENOENT)
    return caf::make_error(ec::invalid_config, "cannot read the quota secret " + file + ": "
                                                 + std::strerror(errno));
  std::error_code ec_;
  auto dir = std::filesystem::path{file}.parent_path();
  if (!dir.empty())
    std::filesystem::create_directories(dir, ec_);
  k.secret_.resize(32);
  if (RAND_bytes(k.secret_.data(), 32) != 1)
    return caf::make_error(ec::crypto_failure, "RAND_bytes for the quota secret");
  auto tmp = file + ".tmp";
  int out = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (out < 0 || ::write(out, k.secret_.data(), 32) != 32 || ::fsync(out) != 0) {
    auto why = std::string{std::strerror(errno)};
    if (out >= 0)
      ::close(out);
    return caf::make_error(ec::invalid_config, "cannot write the quota secret " + tmp + ": " + why);
  }
  ::close(out);
  if (::rename(tmp.c_str(), file.c_str()) != 0)
    return caf::make_error(ec::invalid_config, "cannot create the quota secret " + file + ": "
                                                 + std::strerror(errno));
  int d = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (d >= 0) { // the new name durable before any ledger row depends on it
    ::fsync(d);
    ::close(d);
  }
  return k;
}

bytes buyer_keys::key(const std::string& id_type, const std::string& id_number) const {
  auto msg = id_type + ":" + id_number;
  bytes out(32);
  unsigned len = 32;
  HMAC(EVP_sha256(), secret_.data(), static_cast<int>(secret_.size()),
       reinterpret_cast<const unsigned char*>(msg.data()), msg.size(), out.data(), &len);
  out.resize(len);
  return out;
}

namespace {
std::tm china_tm(int64_t unix_ms) {
  std::time_t t = static_cast<std::time_t>(unix_ms / 1000 + 8 * 3600);
  std::tm tm{};
  gmtime_r(&t, &tm);
  return tm;
}
} // namespace

uint16_t china_year(int64_t unix_ms) {
  return static_cast<uint16_t>(china_tm(unix_ms).tm_year + 1900);
}

std::string china_date(int64_t unix_ms) {
  auto tm = china_tm(unix_ms);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y%m%d", &tm);
  return buf;
}

bytes quota_key(const bytes& buyer, uint16_t year) {
  bytes k = buyer;
  k.push_back(static_cast<uint8_t>(year >> 8));
  k.push_back(static_cast<uint8_t>(year & 0xff));
  return k;
}

std::string mask_id(const std::string& id) {
  if (id.size() <= 7)
    return std::string(id.size(), '*');
  return id.substr(0, 3) + std::string(id.size() - 7, '*') + id.substr(id.size() - 4);
}

} // namespace hub::ecommerce
