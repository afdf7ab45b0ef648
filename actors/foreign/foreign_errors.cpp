#include "actors/foreign/foreign_errors.hpp"

namespace hub::foreign {

const char* error_name(uint8_t code) {
  switch (static_cast<errc>(code)) {
    case errc::no_arrangement: return "no_arrangement";
    case errc::data_set_mismatch: return "data_set_mismatch";
    case errc::invalid_identifier: return "invalid_identifier";
  }
  return "unknown";
}

} // namespace hub::foreign
