#pragma once
// A CEB READER: the e-commerce module's desk for every CEB message kind, one per intake
// worker so that XML parsing and signature checks run in parallel. It reads the
// message with the CEB adapter (adapters/ceb), checks who sent it (copCode, DxpMsg
// SenderId) and its signature against the sender's registered certificate, and hands
// the documents to the parcel matcher, which decides and commits them. A message it
// refuses is answered with the error (nothing stored).

#include <memory>

#include <caf/typed_actor.hpp>

#include "actors/ecommerce/ecommerce_actors.hpp"
#include "actors/ecommerce/ecommerce_config.hpp"
#include "actors/ecommerce/parcel_matcher.hpp"

namespace hub::ecommerce {

class signer_cache;

struct reader_deps {
  std::shared_ptr<const ecommerce_config> cfg;
  std::shared_ptr<const signer_cache> signers;
  matcher_actor matcher;
};

/// The registered signing certificates of the CEB enterprises, parsed once.
class signer_cache {
public:
  /// Fails naming the enterprise whose certificate does not parse.
  static caf::expected<std::shared_ptr<const signer_cache>> build(const ecommerce_config& cfg);
  struct impl;
  std::shared_ptr<const impl> p;
};

lodge_actor spawn_ceb_reader(caf::actor_system& sys, reader_deps deps);

} // namespace hub::ecommerce
