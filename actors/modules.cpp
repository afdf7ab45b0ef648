// The built-in domain modules, in registration order: the one place that names them.
// A new domain adds one line here (docs/design.md, "Adding a domain").

#include <cstdio>
#include <cstdlib>
#include <mutex>

#include "actors/core/domain_module.hpp"
#include "actors/core/error.hpp"
#include "actors/customs/customs_module.hpp"
#include "actors/ecommerce/ecommerce_module.hpp"
#include "actors/foreign/foreign_module.hpp"

namespace hub {

void register_builtin_modules() {
  static std::once_flag once;
  std::call_once(once, [] {
    for (auto make : {&customs::module, &ecommerce::module, &foreign::module}) {
      if (auto err = register_module(make())) {
        // A programming error (two modules claiming one name, kind or range): stop
        // before anything runs on a half-registered hub.
        std::fprintf(stderr, "swhub: %s\n", context_text(err).c_str());
        std::abort();
      }
    }
  });
}

} // namespace hub
