// The one translation unit that registers the hub's message types with CAF.
#include "actors/core/add_message_types.hpp"

#include <caf/actor_system_config.hpp>
#include <caf/atom.hpp>
#include <caf/message.hpp>

#include "actors/actors.hpp"
#include "actors/core/domain_module.hpp"
#include "actors/core/error.hpp"

namespace hub {

void add_message_types(caf::actor_system_config& cfg) {
  cfg.add_message_types<caf::id_block::hub>();
  cfg.add_error_category(caf::atom("hub"),
                         [](uint8_t code, caf::atom_value, const caf::message& ctx) {
                           std::string out = "hub::";
                           out += to_string(static_cast<ec>(code));
                           if (!ctx.empty()) {
                             out += ' ';
                             out += caf::to_string(ctx);
                           }
                           return out;
                         });
  // Each module's block is chained after the core's (and after the modules before it).
  for (auto& m : modules())
    if (m.add_message_types)
      m.add_message_types(cfg);
}

} // namespace hub
