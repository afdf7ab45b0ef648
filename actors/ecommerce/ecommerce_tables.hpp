#pragma once
// The e-commerce module's LMDB tables (docs/design.md, storage layout). Keys join codes
// with the unit separator (ceb_records.hpp join_key).

#include <vector>

#include "actors/core/domain_module.hpp"

namespace hub::ecommerce::tables {

/// ebpCode|orderNo -> StoredDocument (CEB311 order)
inline constexpr const char* orders = "ecommerce.orders";
/// ebpCode|orderNo -> StoredDocument (CEB411 payment)
inline constexpr const char* payments = "ecommerce.payments";
/// logisticsCode|logisticsNo -> StoredDocument (CEB511 waybill)
inline constexpr const char* waybills = "ecommerce.waybills";
/// logisticsCode|logisticsNo -> StoredDocument (latest CEB513 status)
inline constexpr const char* waybill_status = "ecommerce.waybill_status";
/// ebpCode|orderNo -> StoredInventory: the live (or last) inventory of an order
inline constexpr const char* inventories = "ecommerce.inventories";
/// logisticsCode|logisticsNo -> ebpCode|orderNo of an inventory waiting for that waybill
inline constexpr const char* waybill_waiters = "ecommerce.waybill_waiters";
/// 8-byte big-endian deadline | ebpCode|orderNo -> empty: waiting inventories by deadline
inline constexpr const char* deadlines = "ecommerce.deadlines";
/// HMAC(buyer id) | year (2 bytes) -> 8-byte big-endian units used (quota ledger)
inline constexpr const char* quota = "ecommerce.quota";
/// assureCode -> 8-byte big-endian units of tax guaranteed so far
inline constexpr const char* guarantees = "ecommerce.guarantees";
/// operatorCode|guid -> StoredDocument (CEB711 inbound note)
inline constexpr const char* deliveries = "ecommerce.deliveries";
/// invtNo -> ebpCode|orderNo of the inventory it numbers (inspection results, look-ups)
inline constexpr const char* invt_refs = "ecommerce.invt_refs";
/// counter name -> 8-byte big-endian last value (preNo and invtNo serials)
inline constexpr const char* counters = "ecommerce.counters";

std::vector<table_spec> specs();

} // namespace hub::ecommerce::tables
