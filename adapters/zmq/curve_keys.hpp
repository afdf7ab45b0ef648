#pragma once
// Key files of hub and partners: CURVE key pairs (ZeroMQ transport authentication)
// and ECDSA P-256 signing key pairs (detached envelope signatures). The file layout
// is shared by `swhub keygen`, swhubd (server key) and every client:
//   <stem>.curve.pub        Z85 public key + "\n", mode 0644
//   <stem>.curve.secret     Z85 secret key + "\n", mode 0600
//   <stem>.sign.pem         PKCS#8 private key (PEM), mode 0600
//   <stem>.sign.pub.pem     SubjectPublicKeyInfo (PEM), mode 0644
// Every function reports failures as ec::invalid_config (bad or missing files) or
// ec::crypto_failure (libzmq/OpenSSL refused), with text naming the file.

#include <string>

#include <caf/error.hpp>
#include <caf/expected.hpp>

namespace hub {

/// A CURVE key pair, both halves as 40-character Z85 text.
struct curve_keypair {
  std::string public_z85;
  std::string secret_z85;
};

/// A fresh key pair from libzmq (zmq_curve_keypair; needs libzmq built with CURVE).
caf::expected<curve_keypair> generate_curve_keypair();

/// Writes `<stem>.curve.pub` (0644) and `<stem>.curve.secret` (0600), creating parent
/// directories. Existing files are replaced; callers that must not overwrite check
/// first. The secret file never exists with wider permissions, not even briefly.
caf::error write_curve_keypair(const std::string& stem, const curve_keypair& keys);

/// Reads a secret key file and derives its public half (zmq_curve_public), so a
/// partner needs only its secret file to connect.
caf::expected<curve_keypair> read_curve_secret(const std::string& secret_file);

/// The secret key file a user means by `key`: `key` itself if it ends in
/// ".curve.secret" or is an existing file, else `key + ".curve.secret"` if that
/// exists (so `--key var/keys/acme` works). ec::invalid_config if neither exists.
caf::expected<std::string> find_curve_secret(const std::string& key);

/// Reads a public key file (e.g. the hub's `hub.curve.pub`); checks it is valid Z85.
caf::expected<std::string> read_curve_public(const std::string& pub_file);

/// The hub's server key: reads `secret_file` if it exists; otherwise generates a pair,
/// writes the secret to `secret_file` (0600) and the public key next to it (a trailing
/// ".secret" replaced by ".pub", else ".pub" appended) so partners can be given it.
caf::expected<curve_keypair> ensure_server_key(const std::string& secret_file);

/// The public-key file written beside `secret_file` by ensure_server_key.
std::string public_key_path_for(const std::string& secret_file);

/// Writes a fresh ECDSA P-256 key pair: `<stem>.sign.pem` (PKCS#8 private key, 0600)
/// and `<stem>.sign.pub.pem` (SubjectPublicKeyInfo, 0644). OpenSSL 3 EVP only.
caf::error write_signing_keypair(const std::string& stem);

} // namespace hub
