#include "actors/ecommerce/ecommerce_tables.hpp"

namespace hub::ecommerce::tables {

std::vector<table_spec> specs() {
  std::vector<table_spec> out;
  for (auto name : {orders, payments, waybills, waybill_status, inventories, waybill_waiters,
                    deadlines, quota, guarantees, deliveries, counters, invt_refs})
    out.push_back({name, "", nullptr});
  return out;
}

} // namespace hub::ecommerce::tables
