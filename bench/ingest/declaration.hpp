#pragma once
// Valid customs.declaration payloads (schemas/declaration.capnp) of about 1 KB, each
// with a unique declarationId, so the hub does the full work: decode, validate every
// field, digest, dedupe lookup and commit.

#include <cstdint>
#include <string>

#include "actors/actors.hpp"

namespace bench {

class declaration_factory {
public:
  /// `party` goes into the declarationId; `seed` varies the goods items per connection.
  declaration_factory(std::string party, uint64_t seed);

  /// The next declaration as a flat-array Cap'n Proto message.
  hub::bytes next();

private:
  uint64_t random();

  std::string party_;
  uint64_t state_;
  uint64_t counter_ = 0;
};

} // namespace bench
