#pragma once
// Simulator mode: decides every case by a configured mix of verdicts after a fixed or
// jittered latency. Deterministic for a given seed: each case draws from a generator
// seeded with (seed, caseId), so a restart decides a pending case the same way.

#include <chrono>
#include <cstdint>

#include "adapters/zmq/client.hpp"
#include "tools/agency/decision.hpp"

namespace agency {

struct simulator_settings {
  // verdict mix in percent; they add up to 100
  unsigned approve = 100;
  unsigned reject = 0;
  unsigned inspect = 0;
  unsigned documents = 0;
  unsigned latency_ms = 0;        ///< time from receiving a case to deciding it
  unsigned latency_jitter_ms = 0; ///< plus a uniform 0..jitter on top
  uint64_t seed = 0;              ///< 0: chosen at random at start (and logged)
};

/// A simulated decision and when to give it.
struct simulated_decision {
  decision what;
  std::chrono::milliseconds latency{0};
};

/// Decides `c` (an agency case) the simulated way.
simulated_decision simulate(const simulator_settings& s, const hub::notification& c);

} // namespace agency
