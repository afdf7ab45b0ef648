#pragma once
// The CEB partners of swhub-bench-ecommerce and what they send: N platforms, payment
// companies, logistics companies and declaring agents, each its own hub party with a
// fresh CURVE key and a fresh signing identity (hub::ceb::make_test_identity, P-256 or
// SM2 for every party), registered in a generated ecommerce.toml; and the parcels'
// CEB messages, generated and SIGNED before any timed phase.

#include <cstdint>
#include <string>
#include <vector>

#include "adapters/ceb/xml_signer.hpp"
#include "adapters/zmq/curve_keys.hpp"

namespace bench::ceb {

/// The four senders a parcel needs, in the order of the documents' arrival checks.
enum class kind : uint8_t { platform = 0, payment = 1, logistics = 2, agent = 3 };
inline constexpr size_t kinds = 4;
const char* to_string(kind k);      ///< "platform", ...
const char* role_of(kind k);        ///< hub role: "platform", "payment-company", ...
const char* document_type(kind k);  ///< "ecommerce.ceb311", ...

struct partner {
  kind k = kind::platform;
  size_t index = 0;        ///< among the partners of its kind
  std::string party;       ///< hub party id, e.g. "PLT-BENCH-01"
  std::string code;        ///< 10-digit enterprise code
  std::string dxp_id;      ///< DXPENT + 10 digits
  hub::curve_keypair curve;
  hub::ceb::test_identity identity;
  std::string cert_file;   ///< the identity's certificate, for ecommerce.toml
};

struct world_settings {
  size_t platforms = 2, payments = 2, logistics = 2, agents = 2;
  hub::ceb::signer_key key = hub::ceb::signer_key::ec_p256;
};

struct world {
  std::vector<partner> partners; ///< platforms, then payments, logistics, agents
  hub::ceb::dsig_method method = hub::ceb::dsig_method::ecdsa_p256_sha256;
  /// Partners of one kind, in index order.
  std::vector<const partner*> of(kind k) const;
};

/// Fresh identities (certificates written under `dir`). Empty partners + `error` on failure.
world make_world(const world_settings& s, const std::string& dir, std::string& error);

/// ecommerce.toml for `w`: every enterprise, a guarantee no run can exhaust, quota and
/// window settings that never bind (each parcel has its own buyer). Returns its path.
std::string write_ecommerce_toml(const world& w, const std::string& dir);

/// hub.toml tables for swhub-bench-ecommerce (bench::hub_process::set_extra_toml):
/// [ecommerce] config and one [[party]] per partner with its role and CURVE key.
std::string hub_extra_toml(const world& w, const std::string& ecommerce_toml);

/// One prepared envelope payload (wire CebMessage{xml}, a flat Cap'n Proto array).
struct prepared {
  std::vector<uint8_t> payload;
  std::vector<uint32_t> parcels; ///< the parcels its documents belong to
  double planned_s = 0;          ///< open loop: when it is due, from the phase start
};

/// What one partner sends in a phase, in sending order.
struct partner_plan {
  const partner* who = nullptr;
  std::vector<prepared> messages;
  uint64_t documents = 0;
  uint64_t xml_bytes = 0;
};

struct plan_settings {
  size_t parcels = 10000;
  size_t batch = 1;            ///< documents per message (1..100)
  size_t shuffle_window = 1000;///< each kind's order is shuffled within blocks of this size
  double rate = 0;             ///< > 0: open loop, each kind's n-th document due at n/rate
  std::string prefix = "CEBS"; ///< start of the order numbers (copNo: first 20 chars)
  uint64_t seed = 1;
  unsigned threads = 2;        ///< signing threads
  /// Open loop with batches: false (default) spreads the partners' batch sends evenly
  /// over one batch period, as independent platforms would send; true sends every
  /// partner's n-th batch at the same instant (the worst burst).
  bool lockstep = false;
};

struct phase_plan {
  std::vector<partner_plan> plans;   ///< one per partner
  std::vector<double> fourth_planned_s; ///< open loop: per parcel, its last document due
  std::string prefix;
  size_t parcels = 0;
  double sign_s = 0;                 ///< wall time of generating and signing
  /// The first signed message (XML) of each kind and its signer, for the verify probe.
  std::string sample_xml[kinds];
  const partner* sample_who[kinds] = {};
  std::string error;
};

/// Parcel i: platform i % platforms (orders), payment company i % payments, logistics
/// company i % logistics, agent i % agents (declares and guarantees it); buyer
/// "B" + prefix + i (18 characters), so no buyer's quota ever binds. Messages hold
/// `batch` consecutive parcels of the partner's shuffled sequence.
phase_plan make_plan(const world& w, const plan_settings& s);

/// The parcel number in an order number / copNo of this plan's prefix, or -1.
int64_t parcel_of(const std::string& cop_no, const std::string& prefix);

} // namespace bench::ceb
