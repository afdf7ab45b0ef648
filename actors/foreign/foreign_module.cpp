#include "actors/foreign/foreign_module.hpp"

#include <caf/all.hpp>

#include "actors/core/error.hpp"
#include "actors/core/error_category.hpp"
#include "actors/core/log.hpp"
#include "actors/foreign/aeo_desk.hpp"
#include "actors/foreign/foreign_config.hpp"
#include "actors/foreign/foreign_documents.hpp"
#include "actors/foreign/foreign_errors.hpp"
#include "actors/foreign/foreign_tables.hpp"

namespace hub::foreign {

namespace {

class running_foreign : public running_module {
public:
  lodge_actor desk;

  std::map<std::string, lodge_actor> desks_for(size_t) const override { return {{doc::aeo_batch, desk}}; }

  std::optional<case_status> status_of(const std::string&) const override { return std::nullopt; }

  void stop() override { caf::anon_send_exit(desk, caf::exit_reason::user_shutdown); }

  std::string summary() const override { return "foreign customs"; }
};

caf::expected<std::unique_ptr<running_module>> start(const module_services& core, const std::string& config_path) {
  auto cfg = load_foreign_config(config_path);
  if (!cfg)
    return cfg.error();
  auto shared = std::make_shared<const foreign_config>(std::move(*cfg));
  auto m = std::make_unique<running_foreign>();
  aeo_desk_deps d;
  d.cfg = shared;
  d.reader = core.reader;
  d.store = core.store;
  d.outbox = core.outbox;
  m->desk = spawn_aeo_desk(*core.system, std::move(d));
  std::string names;
  for (auto& a : shared->mras)
    names += (names.empty() ? "" : ", ") + a.id + " (" + a.partner + ")";
  log::info("foreign", "foreign customs: " + std::to_string(shared->mras.size())
                         + " mutual-recognition arrangements" + (names.empty() ? "" : ": " + names));
  return std::unique_ptr<running_module>{std::move(m)};
}

void add_types(caf::actor_system_config& cfg) {
  add_module_error_category(cfg, "foreign", &error_name);
}

} // namespace

domain_module module() {
  domain_module m;
  m.name = "foreign";
  m.documents = document_kinds();
  m.tables = tables::specs();
  m.errors = error_range{"foreign", first_error, last_error, &error_name};
  m.add_message_types = &add_types;
  m.start = &start;
  m.check_config = [](const std::string& file) -> caf::expected<std::vector<std::pair<std::string, uint64_t>>> {
    auto cfg = load_foreign_config(file);
    if (!cfg)
      return cfg.error();
    return std::vector<std::pair<std::string, uint64_t>>{{"arrangements", cfg->mras.size()}};
  };
  return m;
}

} // namespace hub::foreign
