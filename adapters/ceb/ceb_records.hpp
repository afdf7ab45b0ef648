#pragma once
// CEB documents as Cap'n Proto records (internal to swhub_ceb): every child element of a
// head or line sets the field of the same name of schemas/ceb.capnp, through capnp's
// dynamic API, so a schema regeneration needs no code change here.

#include "adapters/ceb/ceb_types.hpp"

#include <libxml/tree.h>

namespace hub::ceb::detail {

/// The flat record (root swhub::ceb::Document) of the valid document `document`, or the
/// problem (a decimal beyond int64 units: out_of_range).
problem build_record(const type_info& type, const xmlNode* document, uint32_t index,
                     bytes& record);

/// The key elements of the document's head that could be read (guid, orderNo, ebpCode,
/// ...), in the order they appear; for receipts of documents that could not be read.
std::vector<std::pair<std::string, std::string>> read_keys(const type_info& type,
                                                           const xmlNode* document);

} // namespace hub::ceb::detail
