#pragma once
// A module's CAF error category: errors of category `category` render as
// "category::error_name context" (log lines, test output). Each module's
// add_message_types calls it once. Include from .cpp files (actor_system_config).

#include <cstddef>
#include <cstdint>
#include <string>

#include <caf/actor_system_config.hpp>
#include <caf/atom.hpp>
#include <caf/message.hpp>

namespace hub {

template <size_t N>
void add_module_error_category(caf::actor_system_config& cfg, const char (&category)[N],
                               const char* (*name)(uint8_t)) {
  cfg.add_error_category(caf::atom(category),
                         [prefix = std::string{category} + "::", name](uint8_t code, caf::atom_value,
                                                                        const caf::message& ctx) {
                           auto out = prefix + name(code);
                           if (!ctx.empty())
                             out += ' ' + caf::to_string(ctx);
                           return out;
                         });
}

} // namespace hub
