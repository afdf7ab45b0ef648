#pragma once
#include <caf/fwd.hpp>

namespace hub {
/// Registers every hub message type and the error renderer. Call before
/// constructing the actor_system (main, tools, test fixtures).
void add_message_types(caf::actor_system_config& cfg);
} // namespace hub
