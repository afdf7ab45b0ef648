#pragma once
// What a voluntary disclosure earns (SR-14.3): the penalty waived when it comes soon
// enough after the error (or a little later for a small underpayment), else lighter;
// nothing when customs had found or announced it first. Pure, for the desk and tests.

#include <cstdint>
#include <string>

#include "actors/core/money.hpp"
#include "actors/customs/customs_config.hpp"

namespace hub::customs {

struct disclosure_terms {
  bool voluntary = true;     ///< false: customs found or announced it first
  bool penalty_waived = false;
  std::string text;          ///< the outcome in words, for the declarant and the evidence log
};

/// `elapsed_ms`: from the error to the disclosure; `underpaid` and `payable` (the tax
/// that should have been paid), CNY cents; `aware`: why customs knew first, or empty.
disclosure_terms terms_of(const disclosure_config& cfg, int64_t elapsed_ms, cents underpaid, cents payable,
                          const std::string& aware);

} // namespace hub::customs
