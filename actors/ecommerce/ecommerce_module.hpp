#pragma once
// The e-commerce module (cross-border retail import, SR-15): CEB messages from
// platforms, payment companies, logistics companies and declaring agents, matched per
// parcel, taxed within the buyer's quota, answered with CEB receipts.

#include "actors/core/domain_module.hpp"

namespace hub::ecommerce {

/// The module's description (registered in actors/modules.cpp).
domain_module module();

} // namespace hub::ecommerce
