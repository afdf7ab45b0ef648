#pragma once
// config/foreign.toml: one descriptor per mutual-recognition arrangement (SR-18.1), in
// the manner of a WCO GNC utility block: the partner customs' hub party, the legal
// basis, the data set and its version, the identifier scheme of the partner's ids,
// whether our operators' consent is required, the cadence, which of our tiers the
// partner recognises and which of its programmes we recognise.

#include <cstdint>
#include <string>
#include <vector>

#include <caf/expected.hpp>

#include "actors/mra/operator_ids.hpp"

namespace hub::foreign {

// The identifier schemes and their rules are shared with the partner's bridge.
using mra::id_scheme;
using mra::id_problem;
using mra::to_string;

struct mra_descriptor {
  std::string id;              ///< "EU-CN"
  std::string partner;         ///< the partner customs' hub party (role foreign-customs)
  std::string name;
  std::string legal_basis;
  std::string data_set;        ///< "eu-us-7/1": batches must name it
  id_scheme scheme = id_scheme::eori;
  bool consent_required = true;
  uint32_t cadence_hours = 24; ///< full exchange at least this often; events at once
  std::vector<std::string> they_recognise; ///< our credit tiers the partner recognises
  std::vector<std::string> we_recognise;   ///< the partner's programmes we recognise ("AEOS")
};

struct foreign_config {
  std::string source;
  std::vector<mra_descriptor> mras;
  size_t max_records = 5000;    ///< per foreign.aeo-batch
  size_t max_held = 1000000;    ///< operators held per arrangement

  /// The arrangement whose partner is hub party `party`, or nullptr.
  const mra_descriptor* mra_of_party(const std::string& party) const;
};

caf::expected<foreign_config> parse_foreign_config(const std::string& text, const std::string& origin);
caf::expected<foreign_config> load_foreign_config(const std::string& path);

} // namespace hub::foreign
