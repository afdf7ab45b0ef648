#include "adapters/ceb/ceb_types.hpp"

namespace hub::ceb {

namespace detail {

namespace {

const type_info types[type_count] = {
  {message_type::ceb311, "CEB311Message", "CEB312Message", "ceb311", "Order", "OrderHead",
   "OrderList", "order", "OrderReturn"},
  {message_type::ceb411, "CEB411Message", "CEB412Message", "ceb411", "Payment", "PaymentHead",
   nullptr, "payment", "PaymentReturn"},
  {message_type::ceb511, "CEB511Message", "CEB512Message", "ceb511", "Logistics",
   "LogisticsHead", nullptr, "waybill", "LogisticsReturn"},
  {message_type::ceb513, "CEB513Message", "CEB514Message", "ceb513", "LogisticsStatus", nullptr,
   nullptr, "waybillStatus", "LogisticsStatusReturn"},
  {message_type::ceb621, "CEB621Message", "CEB622Message", "ceb621", "Inventory",
   "InventoryHead", "InventoryList", "inventory", "InventoryReturn"},
  {message_type::ceb623, "CEB623Message", "CEB624Message", "ceb623", "InvtCancel", nullptr,
   nullptr, "cancel", "InvtCancelReturn"},
  {message_type::ceb625, "CEB625Message", "CEB626Message", "ceb625", "InvtRefund",
   "InvtRefundHead", "InvtRefundList", "refund", "InvtRefundReturn"},
  {message_type::ceb711, "CEB711Message", "CEB712Message", "ceb711", "Delivery", "DeliveryHead",
   "DeliveryList", "delivery", "DeliveryReturn"},
};

} // namespace

const type_info& info(message_type t) {
  return types[static_cast<size_t>(t)];
}

const type_info* all_types() {
  return types;
}

} // namespace detail

const char* root_name(message_type t) {
  return detail::info(t).root;
}

const char* receipt_root_name(message_type t) {
  return detail::info(t).receipt_root;
}

const char* short_name(message_type t) {
  return detail::info(t).short_name;
}

std::optional<message_type> from_root_name(std::string_view root) {
  for (size_t i = 0; i < detail::type_count; ++i)
    if (root == detail::all_types()[i].root)
      return detail::all_types()[i].type;
  return std::nullopt;
}

} // namespace hub::ceb
