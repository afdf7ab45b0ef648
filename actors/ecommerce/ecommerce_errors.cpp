#include "actors/ecommerce/ecommerce_errors.hpp"

namespace hub::ecommerce {

const char* error_name(uint8_t code) {
  switch (static_cast<errc>(code)) {
    case errc::ceb_malformed: return "ceb_malformed";
    case errc::ceb_forbidden_markup: return "ceb_forbidden_markup";
    case errc::ceb_too_large: return "ceb_too_large";
    case errc::ceb_wrong_root: return "ceb_wrong_root";
    case errc::ceb_schema_invalid: return "ceb_schema_invalid";
    case errc::ceb_older_layout: return "ceb_older_layout";
    case errc::ceb_signature_missing: return "ceb_signature_missing";
    case errc::ceb_digest_mismatch: return "ceb_digest_mismatch";
    case errc::ceb_bad_signature: return "ceb_bad_signature";
    case errc::ceb_foreign_certificate: return "ceb_foreign_certificate";
    case errc::ceb_signature_method: return "ceb_signature_method";
    case errc::ceb_not_transmitter: return "ceb_not_transmitter";
    case errc::ceb_dxp_sender: return "ceb_dxp_sender";
    case errc::ceb_unknown_sender: return "ceb_unknown_sender";
    case errc::ceb_document_invalid: return "ceb_document_invalid";
    case errc::ceb_unknown_enterprise: return "ceb_unknown_enterprise";
    case errc::ceb_already_declared: return "ceb_already_declared";
    case errc::ceb_document_exists: return "ceb_document_exists";
    case errc::ceb_not_found: return "ceb_not_found";
    case errc::ceb_invalid_state: return "ceb_invalid_state";
    case errc::ceb_return_window: return "ceb_return_window";
    case errc::ceb_single_limit: return "ceb_single_limit";
    case errc::ceb_annual_quota: return "ceb_annual_quota";
    case errc::ceb_mismatch: return "ceb_mismatch";
    case errc::ceb_currency: return "ceb_currency";
    case errc::ceb_expired: return "ceb_expired";
    case errc::ceb_no_guarantee: return "ceb_no_guarantee";
    case errc::ceb_business_rule: return "ceb_business_rule";
  }
  return "unknown";
}

std::string ceb_code_of(errc code, int type_prefix) {
  // Message faults: the DXP codes of table 7-1 (0001 format, 0002 schema, 1001
  // signature invalid, 1004 signature does not match the data, 1999 other security,
  // 2002 address mismatch), negative like every refusal.
  switch (code) {
    case errc::ceb_malformed:
    case errc::ceb_forbidden_markup:
    case errc::ceb_too_large: return "-0001";
    case errc::ceb_wrong_root:
    case errc::ceb_schema_invalid:
    case errc::ceb_older_layout: return "-0002";
    case errc::ceb_signature_missing:
    case errc::ceb_bad_signature:
    case errc::ceb_signature_method: return "-1001";
    case errc::ceb_digest_mismatch: return "-1004";
    case errc::ceb_foreign_certificate:
    case errc::ceb_not_transmitter:
    case errc::ceb_unknown_sender: return "-1999";
    case errc::ceb_dxp_sender: return "-2002";
    default: break;
  }
  // Document refusals: the business codes of table 7-2, per message type. Where the
  // specification has no code of its own the type's "check failed" code is used
  // (-301008, -401009, -504011, -505011, -621001, -623001, -625001, -800001).
  auto check_failed = [&]() -> std::string {
    switch (type_prefix) {
      case 301: return "-301008";
      case 401: return "-401009";
      case 504: return "-504011";
      case 505: return "-505011";
      case 621: return "-621001";
      case 623: return "-623001";
      case 625: return "-625001";
      default: return "-800001";
    }
  };
  switch (code) {
    case errc::ceb_already_declared:
      return type_prefix == 625 ? "-625033" : type_prefix == 623 ? "-623009" : "-621004";
    case errc::ceb_document_exists:
      switch (type_prefix) {
        case 301: return "-301010";
        case 401: return "-401007";
        case 504: return "-504015";
        case 505: return "-505012";
        case 800: return "-800003";
        default: return "-621004";
      }
    case errc::ceb_not_found:
      switch (type_prefix) {
        case 301: return "-301009";
        case 401: return "-401006";
        case 504: return "-504014";
        case 623: return "-623003";
        case 625: return "-625204";
        default: return "-621011";
      }
    case errc::ceb_invalid_state:
      switch (type_prefix) {
        case 301: return "-301011";
        case 401: return "-401008";
        case 504: return "-504016";
        case 623: return "-623005";
        case 625: return "-625022";
        default: return "-621012";
      }
    case errc::ceb_single_limit: return type_prefix == 625 ? "-625014" : "-621005";
    case errc::ceb_annual_quota: return type_prefix == 625 ? "-625015" : "-621018";
    case errc::ceb_unknown_enterprise: return type_prefix == 621 ? "-621016" : check_failed();
    default: return check_failed();
  }
}

} // namespace hub::ecommerce
