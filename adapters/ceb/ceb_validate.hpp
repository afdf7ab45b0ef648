#pragma once
// Validation of a CEB import message with batch semantics (internal to swhub_ceb):
// what is wrong outside the documents refuses the message, what is wrong inside one
// document refuses that document only. libxml2 validates against ceb-import.xsd; its
// errors are attributed by node and described from the schema's own declarations.

#include "adapters/ceb/ceb_types.hpp"

#include <libxml/tree.h>

#include <optional>
#include <vector>

namespace hub::ceb::detail {

/// The documents of `root` (children named type.document), or a refusal: root attributes,
/// the order of the root's children, BaseTransfer present once, more than
/// lim.max_documents documents.
problem check_skeleton(xmlNode* root, const type_info& type, const limits& lim,
                       std::vector<xmlNode*>& documents);

/// Validates `doc` against ceb-import.xsd. Returns the refusal of the message (a fault
/// outside the documents), or fills errors[i] with the first fault of documents[i].
problem validate_message(xmlDoc* doc, const type_info& type, const limits& lim,
                         const std::vector<xmlNode*>& documents,
                         std::vector<std::optional<problem>>& errors);

/// Validates a DxpMsg against dxp-terminal.xsd: the first fault as bad_envelope.
problem validate_envelope(xmlDoc* doc);

/// "OrderList[2]/price": the path of `n` below `top` (exclusive), with a 1-based index
/// where an element has siblings of the same name.
std::string path_below(const xmlNode* n, const xmlNode* top);

} // namespace hub::ceb::detail
