#pragma once
// Format checks of the customs case documents (schemas/customs.capnp) before anything
// is stored: required fields, enumerants, amounts, dates. What a document may change
// (the case's state, the sender's scope) is the customs desk's decision.

#include <caf/error.hpp>

#include "actors/intake/document_types.hpp"

namespace hub {

class aligned_message;

/// `type` is one of the customs.* document types other than customs.declaration.
caf::error validate_customs_document(const document_type_info& type, const aligned_message& msg,
                                     const validation_limits& limits);

} // namespace hub
