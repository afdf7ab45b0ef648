#pragma once
// The hub's own signing key: it signs receipts and evidence checkpoints. Thread-safe
// (the key is read-only; OpenSSL contexts are per call), so the gateway thread, every
// intake and the store sign through one instance.

#include <memory>
#include <string>

#include <caf/expected.hpp>

#include "actors/crypto/signature.hpp"

namespace hub::crypto {

class hub_signer {
public:
  /// Reads the PKCS#8 key at `key_file`, or creates an ECDSA P-256 key there (0600)
  /// with its public key beside it (`.pem` -> `.pub.pem`) on first start.
  static caf::expected<std::shared_ptr<const hub_signer>> load_or_create(const std::string& key_file);

  /// A signer over an in-memory key (tests).
  static std::shared_ptr<const hub_signer> from_key(private_key key);

  /// Signs `data`; an OpenSSL failure is returned, never thrown.
  caf::expected<bytes> sign(const bytes& data) const;

  const std::string& key_id() const { return key_id_; }
  const public_key& public_part() const { return public_; }
  algorithm alg() const { return key_.alg(); }

private:
  private_key key_;
  public_key public_;
  std::string key_id_;
};

/// The public key file written beside a hub key file.
std::string public_pem_path_for(const std::string& key_file);

} // namespace hub::crypto
