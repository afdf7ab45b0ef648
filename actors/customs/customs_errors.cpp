#include "actors/customs/customs_errors.hpp"

namespace hub::customs {

const char* error_name(uint8_t code) {
  switch (static_cast<errc>(code)) {
    case errc::unknown_hs_code: return "unknown_hs_code";
    case errc::unit_mismatch: return "unit_mismatch";
    case errc::unknown_enterprise: return "unknown_enterprise";
    case errc::unknown_declaration: return "unknown_declaration";
    case errc::declaration_id_reused: return "declaration_id_reused";
    case errc::invalid_case_state: return "invalid_case_state";
    case errc::amendment_window_closed: return "amendment_window_closed";
    case errc::payment_mismatch: return "payment_mismatch";
    case errc::unknown_customs_unit: return "unknown_customs_unit";
    case errc::out_of_scope: return "out_of_scope";
    case errc::unknown_ruling: return "unknown_ruling";
    case errc::unknown_licence: return "unknown_licence";
    case errc::licence_not_valid: return "licence_not_valid";
    case errc::licence_exhausted: return "licence_exhausted";
    case errc::not_routed: return "not_routed";
  }
  return "unknown";
}

} // namespace hub::customs
