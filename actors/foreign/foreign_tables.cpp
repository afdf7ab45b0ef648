#include "actors/foreign/foreign_tables.hpp"

namespace hub::foreign::tables {

std::vector<table_spec> specs() { return {{partner_aeo, "", nullptr}, {partner_state, "", nullptr}}; }

} // namespace hub::foreign::tables
