#pragma once
// The foreign-customs module (issue 11, SR-18): mutual-recognition arrangements with
// foreign customs administrations. Today: a partner customs sends its AEO list
// (foreign.aeo-batch), versioned per record and receipted per batch; what the hub
// holds is read by customs through actors/mra/.

#include "actors/core/domain_module.hpp"

namespace hub::foreign {

/// The module's description (registered in actors/modules.cpp).
domain_module module();

} // namespace hub::foreign
