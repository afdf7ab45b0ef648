#pragma once
// partner_link: how actors send frames to partners without touching a socket. The
// ZeroMQ gateway implements it with a queue its own thread drains; tests implement
// it with a recording fake. Thread-safe: any actor may call it at any time.

#include <string>

#include "actors/actors.hpp"
#include "actors/core/frames.hpp"

namespace hub {

class partner_link {
public:
  virtual ~partner_link() = default;
  /// Sends `frame` on the connection `route` (answers to what came in on it).
  /// Returns false if the link is closed; delivery is best effort either way.
  virtual bool reply(const bytes& route, bytes frame) = 0;
  /// Sends receipt `r` on `route`. The link signs it: receipts that leave together
  /// are signed as one batch (actors/crypto/receipt_batch.hpp).
  virtual bool receipt(const bytes& route, receipt_info r) = 0;
  /// Sends `frame` to `party` on its most recent connection. Returns false if the
  /// link is closed; a party with no connection drops it (the outbox re-sends).
  virtual bool to_party(const std::string& party, bytes frame) = 0;
};

} // namespace hub
