#include "actors/crypto/hub_signer.hpp"

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "actors/core/error.hpp"

namespace hub::crypto {

namespace {

caf::error write_file(const std::string& path, const std::string& text, mode_t mode) {
  std::error_code fs_err;
  auto parent = std::filesystem::path{path}.parent_path();
  if (!parent.empty())
    std::filesystem::create_directories(parent, fs_err);
  auto old = umask(static_cast<mode_t>(~mode & 0777)); // never wider, not even briefly
  std::ofstream out{path, std::ios::trunc};
  umask(old);
  out << text;
  out.close();
  if (!out)
    return caf::make_error(ec::invalid_config, path + ": cannot write");
  chmod(path.c_str(), mode);
  return caf::none;
}

} // namespace

std::string public_pem_path_for(const std::string& key_file) {
  const std::string suffix = ".pem";
  if (key_file.size() > suffix.size()
      && key_file.compare(key_file.size() - suffix.size(), suffix.size(), suffix) == 0)
    return key_file.substr(0, key_file.size() - suffix.size()) + ".pub.pem";
  return key_file + ".pub.pem";
}

std::shared_ptr<const hub_signer> hub_signer::from_key(private_key key) {
  auto s = std::make_shared<hub_signer>();
  s->public_ = key.public_part();
  s->key_id_ = s->public_.fingerprint();
  s->key_ = std::move(key);
  return s;
}

caf::expected<std::shared_ptr<const hub_signer>>
hub_signer::load_or_create(const std::string& key_file) {
  std::ifstream in{key_file};
  if (in) {
    std::stringstream ss;
    ss << in.rdbuf();
    auto key = private_key::from_pem(ss.str());
    if (!key)
      return caf::make_error(ec::invalid_config, key_file + ": " + context_text(key.error()));
    // Partners and auditors need the public half; write it again if it went missing.
    auto pub = public_pem_path_for(key_file);
    if (!std::ifstream{pub}.good())
      if (auto err = write_file(pub, key->public_part().pem(), 0644))
        return err;
    return from_key(std::move(*key));
  }
  auto key = private_key::generate(algorithm::ecdsa_p256_sha256);
  if (!key)
    return key.error();
  if (auto err = write_file(key_file, key->pem(), 0600))
    return err;
  if (auto err = write_file(public_pem_path_for(key_file), key->public_part().pem(), 0644))
    return err;
  return from_key(std::move(*key));
}

caf::expected<bytes> hub_signer::sign(const bytes& data) const {
  return crypto::sign(key_, data.data(), data.size());
}

} // namespace hub::crypto
