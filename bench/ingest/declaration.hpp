#pragma once
// Valid customs.declaration payloads (schemas/declaration.capnp) of about 1 KB, each
// with a unique declarationId, so the hub does the full work: decode, validate every
// field, digest, dedupe lookup and commit.

#include <cstdint>
#include <string>

#include "actors/actors.hpp"

namespace bench {

/// normal: 1-3 goods items with realistic descriptions, ~1 KB envelope frames.
/// small: one item with short texts, ~0.5 KB frames, for hubs that refuse larger
/// envelopes (see bench/README.md, "Known hub issues").
enum class doc_size { normal, small };

class declaration_factory {
public:
  /// `party` goes into the declarationId; `seed` varies the goods items per connection.
  declaration_factory(std::string party, uint64_t seed, doc_size size = doc_size::normal);

  /// The next declaration as a flat-array Cap'n Proto message.
  hub::bytes next();

private:
  uint64_t random();

  std::string party_;
  doc_size size_;
  uint64_t state_;
  uint64_t counter_ = 0;
};

} // namespace bench
