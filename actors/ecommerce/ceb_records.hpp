#pragma once
// Reading the module's Cap'n Proto records (schemas/ceb.capnp, ecommerce.capnp) from
// bytes, and the keys of its tables.

#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <capnp/message.h>
#include <capnp/serialize.h>

#include "actors/actors.hpp"
#include "schemas/ceb.capnp.h"
#include "schemas/ecommerce.capnp.h"

namespace hub::ecommerce {

/// A decoded record of type T that owns its (word-aligned) bytes.
template <class T>
class held {
public:
  /// nullopt if the bytes are not a message of T.
  static std::optional<held> decode(const bytes& b) {
    if (b.empty() || b.size() % sizeof(capnp::word) != 0)
      return std::nullopt;
    held h;
    h.words_ = kj::heapArray<capnp::word>(b.size() / sizeof(capnp::word));
    std::memcpy(h.words_.begin(), b.data(), b.size());
    try {
      capnp::ReaderOptions opts;
      opts.traversalLimitInWords = 64 * 1024 * 1024;
      h.reader_ = std::make_unique<capnp::FlatArrayMessageReader>(h.words_.asPtr(), opts);
      h.root_ = h.reader_->template getRoot<T>();
    } catch (const kj::Exception&) {
      return std::nullopt;
    }
    return h;
  }
  typename T::Reader operator*() const { return root_; }
  const typename T::Reader* operator->() const { return &root_; }

private:
  kj::Array<capnp::word> words_;
  std::unique_ptr<capnp::FlatArrayMessageReader> reader_;
  typename T::Reader root_;
};

using record = held<swhub::ceb::Document>;
using stored_doc = held<swhub::wire::StoredDocument>;
using stored_inventory = held<swhub::wire::StoredInventory>;

/// Text of a capnp Text field.
inline std::string str(capnp::Text::Reader t) {
  return std::string{t.cStr(), t.size()};
}

/// "a\x1fb": keys of two or more codes, joined by the unit separator (never in codes).
std::string join_key(std::initializer_list<std::string_view> parts);
inline bytes key_bytes(const std::string& k) {
  return bytes(k.begin(), k.end());
}

/// "waiting", "released", ...: a parcel state as receipts, logs and the CLI name it.
const char* state_name(swhub::wire::ParcelState s);

/// SHA-256 of a record without its position in the message (an identical repeat,
/// in the same message or another, has the same digest).
bytes record_digest(const bytes& record);

} // namespace hub::ecommerce
