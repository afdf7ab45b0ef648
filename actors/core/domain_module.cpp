#include "actors/core/domain_module.hpp"

#include <mutex>
#include <set>

#include "actors/core/error.hpp"

namespace hub {

namespace {

/// Written only before the actor system starts (register_module), read afterwards.
std::vector<domain_module>& registry() {
  static std::vector<domain_module> mods;
  return mods;
}

std::mutex& registry_mutex() {
  static std::mutex m;
  return m;
}

caf::error taken(const std::string& module, const std::string& what) {
  return caf::make_error(ec::invalid_config, "module " + module + ": " + what);
}

/// The core's own wire codes (actors/core/error.hpp): partner-facing and internal.
bool core_code(unsigned code) {
  return (code >= 1 && code <= 30) || (code >= 100 && code <= 127);
}

} // namespace

caf::error register_module(domain_module m) {
  std::lock_guard<std::mutex> guard{registry_mutex()};
  auto& mods = registry();
  if (m.name.empty() || m.name.find('.') != std::string::npos)
    return taken(m.name, "a module name is non-empty and has no '.'");
  for (auto& other : mods) {
    if (other.name == m.name)
      return taken(m.name, "registered twice");
    for (auto& k : m.documents)
      for (auto& o : other.documents)
        if (k.name == o.name)
          return taken(m.name, "document kind " + k.name + " belongs to module " + other.name);
    if (m.errors && other.errors
        && !(m.errors->last < other.errors->first || m.errors->first > other.errors->last))
      return taken(m.name, "error codes " + std::to_string(m.errors->first) + "-"
                             + std::to_string(m.errors->last) + " overlap module " + other.name);
  }
  for (auto& t : m.tables)
    if (t.name.rfind(m.name + ".", 0) != 0)
      return taken(m.name, "table " + t.name + " is not prefixed \"" + m.name + ".\"");
  if (m.errors) {
    if (m.errors->first == 0 || m.errors->first > m.errors->last || m.errors->name == nullptr)
      return taken(m.name, "an error range needs first <= last, both > 0, and a name function");
    for (unsigned c = m.errors->first; c <= m.errors->last; ++c)
      if (core_code(c))
        return taken(m.name, "error code " + std::to_string(c) + " is the core's");
  }
  mods.push_back(std::move(m));
  return caf::none;
}

const std::vector<domain_module>& modules() {
  return registry();
}

const domain_module* module_of_document(std::string_view name) {
  for (auto& m : registry())
    for (auto& k : m.documents)
      if (k.name == name)
        return &m;
  return nullptr;
}

} // namespace hub
