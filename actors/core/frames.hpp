#pragma once
// Reading and writing wire Frames (schemas/frame.capnp) safely: untrusted bytes are
// copied to word-aligned memory and read with tight ReaderOptions; every kj::Exception
// becomes an ec error. Used by the gateway, intake, outbox, CLI and clients alike.

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include <caf/expected.hpp>
#include <capnp/message.h>
#include <capnp/serialize.h>
#include <kj/array.h>

#include "actors/actors.hpp"
#include "actors/core/error.hpp"

// Generated schema code lives in swhub::wire (partner contract) and swhub::stored
// (LMDB records); inside the hub they are hub::wire and hub::stored.
namespace swhub::wire {}
namespace swhub::stored {}

namespace hub {

namespace wire = ::swhub::wire;
namespace stored = ::swhub::stored;

/// A Cap'n Proto message held in word-aligned memory, with the limits to read it.
class aligned_message {
public:
  /// Copies `data` into aligned words. Fails with `fail_code` if the size is not a
  /// positive multiple of 8 bytes.
  static caf::expected<aligned_message> copy(const uint8_t* data, size_t size,
                                             ec fail_code = ec::malformed_frame);
  /// Like copy(), but reads `data` in place when it is word-aligned (a vector's or a
  /// Cap'n Proto blob's bytes are): the caller keeps `data` alive and unchanged
  /// while the result is used.
  static caf::expected<aligned_message> view(const uint8_t* data, size_t size,
                                             ec fail_code = ec::malformed_frame);

  /// Reader options: traversal limited to 4x the message's own size (bounded
  /// amplification), nesting to 16 levels.
  capnp::ReaderOptions options() const;

  kj::ArrayPtr<const capnp::word> words() const { return view_; }

private:
  kj::Array<capnp::word> words_; ///< empty when reading the caller's bytes in place
  kj::ArrayPtr<const capnp::word> view_;
};

/// Runs `fn` with the root of type T, turning any kj::Exception (malformed data,
/// limits hit) into `fail_code` with the exception's description.
template <class T, class F>
caf::error with_root(const aligned_message& msg, ec fail_code, F&& fn) {
  try {
    capnp::FlatArrayMessageReader reader{msg.words(), msg.options()};
    auto root = reader.getRoot<T>();
    return fn(root);
  } catch (const kj::Exception& e) {
    return caf::make_error(fail_code, std::string{e.getDescription().cStr()});
  }
}

/// `text` as valid UTF-8 for a Text field a partner reads (Cap'n Proto requires it
/// and strict readers refuse anything else): every byte not part of a well-formed
/// UTF-8 sequence (RFC 3629: no overlong forms, surrogates or code points above
/// U+10FFFF) is written as the four characters "\xNN", so the partner still sees
/// which bytes it sent. Valid text is returned unchanged.
std::string valid_utf8(std::string_view text);

/// Flattens a builder into bytes.
bytes to_bytes(capnp::MessageBuilder& mb);

/// What a receipt says; the gateway and intake both build receipts from it.
struct receipt_info {
  std::string party; ///< whom it is issued to (part of what the hub signs)
  bytes message_id;
  enum status_t { accepted, rejected, duplicate } status = rejected;
  uint16_t code = 0; ///< wire error code (wire_code / wire_code_of); 0: none
  std::string reason;
  bytes digest;
  int64_t hub_time = 0;
  uint64_t sequence = 0;
  uint64_t evidence_index = 0; ///< the document's evidence record (0: none)
  bytes evidence_hash;         ///< that record's hash, signed beside the receipt
};

/// A rejection for `err` (its code and context text), issued to `party`.
receipt_info rejection(const std::string& party, const bytes& message_id,
                       const caf::error& err);

/// The bytes the hub's receipt signature covers (`r.hub_time` must be set).
bytes receipt_signing_input(const receipt_info& r);

/// A Frame holding one Receipt with the signature of its batch and its path (which
/// starts with the evidence witness when the receipt carries one).
bytes receipt_frame(const receipt_info& r, const std::string& key_id, const bytes& signature,
                    const std::vector<bytes>& path);

/// The ordinal of the DocumentStatus enumerant called `name` ("released"), 0
/// (unknown) if there is none; cast it to wire::DocumentStatus.
uint16_t document_status_code(std::string_view name);

/// Unix epoch milliseconds.
int64_t now_ms();

/// The most notification ids one Ack frame may carry (notificationId plus `more`).
inline constexpr size_t max_ack_ids = 1000;

/// Lower-case hex of `b`, and back (empty result on bad input).
std::string to_hex(const bytes& b);
bytes from_hex(std::string_view s);

} // namespace hub
