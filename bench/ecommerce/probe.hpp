#pragma once
// This machine's CEB limits, measured in the same run as the hub figures, on one core
// with no hub running: the XML-DSig verify rate of the generated messages (libxml2
// xmlReadMemory, then hub::ceb::verify_enveloped against the signer's certificate, as
// the hub's CEB reader does) and the adapter's parse rate (hub::ceb::parse: safety
// checks, XSD validation, records). The hub runs both per message on its intake
// workers, so with C cores C / (sum over the four kinds) bounds parcels/s. Rates are
// per second of the probing thread's CPU time (CLOCK_THREAD_CPUTIME_ID), so a shared
// machine does not make them look slower than one free core is.

#include <string>

#include <nlohmann/json_fwd.hpp>

#include "bench/ecommerce/world.hpp"

namespace bench::ceb {

struct rate_probe {
  std::string error;  ///< non-empty: a verify or parse failed (the figures are void)
  std::string way;    ///< how the signature verified ("signer-both", ...)
  size_t documents = 0; ///< documents per message
  size_t bytes = 0;     ///< message size
  uint64_t loops = 0;
  double seconds = 0;       ///< wall
  double cpu_seconds = 0;   ///< this thread's CPU time: the rates below are per CPU second
  double messages_per_s = 0;
  double us_per_document = 0;
};

struct shape_probe {
  rate_probe verify[kinds]; ///< xmlReadMemory + verify_enveloped
  rate_probe parse[kinds];  ///< hub::ceb::parse (XSD, records)
  /// One core's parcels/s if a parcel cost its four verifies (parse) only.
  double verify_parcels_per_core = 0, parse_parcels_per_core = 0;
  /// Both: the CEB reader's work per parcel on one core.
  double reader_parcels_per_core = 0;
};

/// Probes the samples of `plan`, `seconds_each` per kind and measure.
shape_probe probe_shape(const phase_plan& plan, double seconds_each);

nlohmann::json to_json(const rate_probe& r);
nlohmann::json to_json(const shape_probe& s);

} // namespace bench::ceb
