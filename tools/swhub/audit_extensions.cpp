#include "tools/swhub/audit_extensions.hpp"

#include "actors/customs/customs_audit.hpp"

namespace hub {

std::vector<audit_extension> module_audit_extensions() {
  return {customs::audit_extension()};
}

} // namespace hub
