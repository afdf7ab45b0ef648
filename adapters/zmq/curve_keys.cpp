#include "adapters/zmq/curve_keys.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string_view>
#include <system_error>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <zmq.h>

#include "actors/core/error.hpp"

namespace hub {

namespace {

constexpr size_t z85_key_size = 40;

caf::error config_error(const std::string& file, const std::string& what) {
  return caf::make_error(ec::invalid_config, file + ": " + what);
}

/// Writes `content` to `path` with exactly `mode`: a temporary file created with that
/// mode, fsynced, then renamed over `path`, so readers never see a partial key and
/// a secret never exists with wider permissions.
caf::error write_file(const std::string& path, std::string_view content, mode_t mode) {
  std::error_code fs_err;
  auto parent = std::filesystem::path{path}.parent_path();
  if (!parent.empty())
    std::filesystem::create_directories(parent, fs_err);
  if (fs_err)
    return config_error(path, "cannot create directory " + parent.string() + ": "
                                + fs_err.message());
  auto tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0)
    return config_error(path, std::string{"cannot create file: "} + std::strerror(errno));
  auto fail = [fd, &tmp, &path](const char* what) {
    auto err = config_error(path, std::string{what} + ": " + std::strerror(errno));
    ::close(fd);
    ::unlink(tmp.c_str());
    return err;
  };
  if (::fchmod(fd, mode) != 0) // the umask may have narrowed `mode`; be exact
    return fail("cannot set permissions");
  size_t done = 0;
  while (done < content.size()) {
    auto n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return fail("cannot write");
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0)
    return fail("cannot sync");
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    auto err = config_error(path, std::string{"cannot rename: "} + std::strerror(errno));
    ::unlink(tmp.c_str());
    return err;
  }
  return caf::none;
}

/// The file's content without surrounding whitespace.
caf::expected<std::string> read_trimmed(const std::string& path) {
  std::error_code fs_err;
  if (!std::filesystem::is_regular_file(path, fs_err))
    return config_error(path, "no such key file");
  std::ifstream in{path};
  if (!in)
    return config_error(path, "cannot read key file (permissions?)");
  std::stringstream ss;
  ss << in.rdbuf();
  auto s = ss.str();
  auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string::npos)
    return config_error(path, "key file is empty");
  auto last = s.find_last_not_of(" \t\r\n");
  return s.substr(first, last - first + 1);
}

/// Empty if `key` is a 40-character Z85 key, else what is wrong with it.
std::string z85_problem(const std::string& key) {
  if (key.size() != z85_key_size)
    return "expected a 40-character Z85 key, found " + std::to_string(key.size())
           + " characters";
  uint8_t raw[32];
  if (zmq_z85_decode(raw, key.c_str()) == nullptr)
    return "not valid Z85 text";
  return {};
}

using pkey_ptr = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using bio_ptr = std::unique_ptr<BIO, decltype(&BIO_free)>;

/// The PEM text a writer function puts into a memory BIO.
template <class F>
caf::expected<std::string> to_pem(F&& write) {
  bio_ptr bio{BIO_new(BIO_s_mem()), &BIO_free};
  if (!bio || write(bio.get()) != 1)
    return caf::make_error(ec::crypto_failure, "PEM encoding failed");
  char* data = nullptr;
  auto len = BIO_get_mem_data(bio.get(), &data);
  if (len <= 0 || data == nullptr)
    return caf::make_error(ec::crypto_failure, "PEM encoding produced nothing");
  return std::string{data, static_cast<size_t>(len)};
}

} // namespace

caf::expected<curve_keypair> generate_curve_keypair() {
  char pub[z85_key_size + 1] = {};
  char sec[z85_key_size + 1] = {};
  if (zmq_curve_keypair(pub, sec) != 0)
    return caf::make_error(ec::crypto_failure,
                           std::string{"zmq_curve_keypair failed (libzmq without CURVE?): "}
                             + zmq_strerror(zmq_errno()));
  return curve_keypair{pub, sec};
}

caf::error write_curve_keypair(const std::string& stem, const curve_keypair& keys) {
  if (auto what = z85_problem(keys.public_z85); !what.empty())
    return caf::make_error(ec::invalid_config, "public key: " + what);
  if (auto what = z85_problem(keys.secret_z85); !what.empty())
    return caf::make_error(ec::invalid_config, "secret key: " + what);
  if (auto err = write_file(stem + ".curve.secret", keys.secret_z85 + "\n", 0600))
    return err;
  return write_file(stem + ".curve.pub", keys.public_z85 + "\n", 0644);
}

caf::expected<curve_keypair> read_curve_secret(const std::string& secret_file) {
  auto text = read_trimmed(secret_file);
  if (!text)
    return text.error();
  if (auto what = z85_problem(*text); !what.empty())
    return config_error(secret_file, "not a CURVE secret key: " + what);
  char pub[z85_key_size + 1] = {};
  if (zmq_curve_public(pub, text->c_str()) != 0)
    return caf::make_error(ec::crypto_failure,
                           secret_file + ": cannot derive the public key: "
                             + zmq_strerror(zmq_errno()));
  return curve_keypair{pub, std::move(*text)};
}

caf::expected<std::string> find_curve_secret(const std::string& key) {
  constexpr std::string_view suffix = ".curve.secret";
  std::error_code fs_err;
  bool has_suffix = key.size() > suffix.size()
                    && key.compare(key.size() - suffix.size(), suffix.size(), suffix) == 0;
  if (has_suffix)
    return key;
  auto with_suffix = key + std::string{suffix};
  if (std::filesystem::exists(with_suffix, fs_err))
    return with_suffix;
  if (std::filesystem::is_regular_file(key, fs_err))
    return key;
  return caf::make_error(ec::invalid_config,
                         "key " + key + ": neither " + with_suffix + " nor " + key
                           + " exists (create keys with `swhub keygen --out " + key + "`)");
}

caf::expected<std::string> read_curve_public(const std::string& pub_file) {
  auto text = read_trimmed(pub_file);
  if (!text)
    return text.error();
  if (auto what = z85_problem(*text); !what.empty())
    return config_error(pub_file, "not a CURVE public key: " + what);
  return std::move(*text);
}

std::string public_key_path_for(const std::string& secret_file) {
  constexpr std::string_view suffix = ".secret";
  if (secret_file.size() > suffix.size()
      && secret_file.compare(secret_file.size() - suffix.size(), suffix.size(), suffix) == 0)
    return secret_file.substr(0, secret_file.size() - suffix.size()) + ".pub";
  return secret_file + ".pub";
}

caf::expected<curve_keypair> ensure_server_key(const std::string& secret_file) {
  std::error_code fs_err;
  if (std::filesystem::exists(secret_file, fs_err))
    return read_curve_secret(secret_file);
  auto keys = generate_curve_keypair();
  if (!keys)
    return keys.error();
  if (auto err = write_file(secret_file, keys->secret_z85 + "\n", 0600))
    return err;
  if (auto err = write_file(public_key_path_for(secret_file), keys->public_z85 + "\n", 0644))
    return err;
  return keys;
}

caf::error write_signing_keypair(const std::string& stem) {
  pkey_ptr key{EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"), &EVP_PKEY_free};
  if (!key)
    return caf::make_error(ec::crypto_failure, "EVP_PKEY_Q_keygen(EC, P-256) failed");
  auto priv = to_pem([&key](BIO* bio) {
    // PEM_write_bio_PrivateKey writes PKCS#8 ("BEGIN PRIVATE KEY") in OpenSSL 3.
    return PEM_write_bio_PrivateKey(bio, key.get(), nullptr, nullptr, 0, nullptr, nullptr);
  });
  if (!priv)
    return priv.error();
  auto pub = to_pem([&key](BIO* bio) { return PEM_write_bio_PUBKEY(bio, key.get()); });
  if (!pub)
    return pub.error();
  if (auto err = write_file(stem + ".sign.pem", *priv, 0600))
    return err;
  return write_file(stem + ".sign.pub.pem", *pub, 0644);
}

} // namespace hub
