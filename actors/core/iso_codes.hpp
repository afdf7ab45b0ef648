#pragma once
// ISO 4217 currency and ISO 3166-1 alpha-2 country codes in force (reference data
// of international standards, not samples; see docs/design.md).

#include <string_view>

namespace hub {

/// True for an active ISO 4217 alphabetic currency code ("USD", "CNY", ...).
bool is_currency_code(std::string_view code);

/// True for an officially assigned ISO 3166-1 alpha-2 country code ("CN", "DE", ...).
bool is_country_code(std::string_view code);

} // namespace hub
