#pragma once
// The AEO desk: decides every foreign.aeo-batch a partner customs sends (SR-18.2). One
// actor for all arrangements: it holds the version of every record it has applied, so
// a record is replaced only by a higher version of the partner's, and a batch sent
// twice (a partner's resend after a lost receipt, a bridge restarted by kill -9)
// changes nothing. Each batch is committed with its records, the arrangement's state
// and its evidence in one transaction; the partner gets a receipt notification naming
// what was applied. A suspension or revocation applies when it is committed: customs
// reads the record at the next declaration.

#include <memory>

#include <caf/fwd.hpp>
#include <caf/typed_actor.hpp>

#include "actors/actors.hpp"

namespace hub {
class store_reader;
}

namespace hub::foreign {

struct foreign_config;

struct aeo_desk_deps {
  std::shared_ptr<const foreign_config> cfg;
  std::shared_ptr<const store_reader> reader;
  store_actor store;
  outbox_actor outbox;
};

lodge_actor spawn_aeo_desk(caf::actor_system& sys, aeo_desk_deps deps);

} // namespace hub::foreign
