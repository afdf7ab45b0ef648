#pragma once
// A DOMAIN MODULE is one business domain (customs today; e-commerce, foreign customs,
// logistics next) as the core sees it. The core (gateway, intake, store, outbox,
// registry, swhubd, the CLI) knows a domain's documents, tables, config, errors, CAF
// types and actors only through this description, and loops over the registered
// modules; it never names a domain. Modelled on tenzir/vast's component plugins: a
// module is a value describing itself, registered once at start-up
// (actors/modules.cpp lists the built-in ones; every main calls
// register_builtin_modules() first).
//
// Adding a domain: docs/design.md, "Adding a domain".

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <capnp/schema.h>
#include <caf/error.hpp>
#include <caf/expected.hpp>
#include <caf/fwd.hpp>
#include <caf/typed_actor.hpp>

#include "actors/actors.hpp"

namespace hub {

class aligned_message;
class registry_holder;
class store_reader;
struct audit_extension;

/// Limits business validation applies (from [intake]).
struct validation_limits {
  size_t max_items = 50;
  uint32_t max_key_overlap_s = 30 * 86400; ///< hub.key-rotation: longest overlap
};

/// Checks a payload already decoded as the kind's schema; fails with the partner-facing
/// error naming the field (e.g. invalid_hs_code "items[2].hsCode: ...").
using payload_validator =
  std::function<caf::error(const aligned_message& payload, const validation_limits& limits)>;

/// One document type partners may send: everything about it in one row.
struct document_kind {
  std::string name;           ///< "customs.declaration": <domain>.<document>
  capnp::StructSchema schema; ///< root struct of the payload
  std::string description;
  payload_validator validate; ///< format and business checks before anything is stored
  /// Addressed to "hub", it is decided by one of the module's desks (the module's
  /// `desks_for`), which commits it with its consequences; otherwise intake commits it.
  bool hub_desk = false;
};

/// A named LMDB table a module owns. Names are "<module>.<table>".
struct table_spec {
  std::string name;
  /// The table's name before modules existed; its rows move to `name` when the store
  /// opens (one transaction, logged), so an older data directory keeps working.
  std::string legacy_name;
  /// Rewrites a legacy key into this table's key (null: the key is unchanged).
  std::function<bytes(const bytes&)> legacy_key;
};

/// The wire error codes a module owns: its own enum and CAF error category whose
/// values are the wire codes, inside [first, last]. Ranges never overlap the core's
/// (1-30, 100-127) or each other's.
struct error_range {
  std::string category;     ///< the CAF error category atom text ("customs")
  uint8_t first = 0, last = 0;
  const char* (*name)(uint8_t code) = nullptr; ///< "unknown_declaration"; "unknown" if none
};

/// What a status query or notification shows of a case a module owns, in the
/// sender's terms. `fields` name fields of the wire StatusReply (e.g. "amountDue"):
/// intake copies each one it finds there and ignores others.
struct case_status {
  std::string case_id;
  std::string status; ///< a wire DocumentStatus name ("released")
  std::string reason;
  std::vector<std::pair<std::string, std::string>> fields;
};

/// What the core lends a module when it starts.
struct module_services {
  caf::actor_system* system = nullptr;
  std::shared_ptr<registry_holder> registry;
  std::shared_ptr<const store_reader> reader;
  store_actor store;
  outbox_actor outbox;
  std::chrono::milliseconds store_timeout{10000};
  size_t intake_workers = 1;
};

/// A started module: what intake and swhubd use while it runs.
class running_module {
public:
  virtual ~running_module() = default;
  /// Desks for intake worker `worker`: document kind -> actor deciding it (every
  /// kind with hub_desk set).
  virtual std::map<std::string, lodge_actor> desks_for(size_t worker) const = 0;
  /// The case a document's dedupe record names (its `subject`), if the module owns it.
  virtual std::optional<case_status> status_of(const std::string& subject) const = 0;
  /// Stops every actor of the module (swhubd calls this after intake stopped).
  virtual void stop() = 0;
  /// One line for the stop log (counters).
  virtual std::string summary() const = 0;
};

struct domain_module {
  std::string name; ///< "customs": config section [customs], table prefix, log tag
  std::vector<document_kind> documents;
  std::vector<table_spec> tables;
  std::optional<error_range> errors;
  /// [[party]] keys the module reads from a party's config ("customs-unit"); the core
  /// keeps them as party attributes.
  std::vector<std::string> party_keys;
  /// Registers the module's CAF type-ID block (chained after the core's) and its
  /// error category.
  void (*add_message_types)(caf::actor_system_config&) = nullptr;
  /// Starts the module from its config file (the `config` key of its section). Not
  /// called when the section is absent: the hub then runs without the domain.
  std::function<caf::expected<std::unique_ptr<running_module>>(const module_services&,
                                                                const std::string& config_file)>
    start;
  /// Reads and checks the module's config file without starting anything
  /// (`swhub config check`): what it holds, as counts by name ("units": 12).
  std::function<caf::expected<std::vector<std::pair<std::string, uint64_t>>>(
    const std::string& config_file)>
    check_config;
  /// Adds the checks of its tables against the evidence log (`swhub audit verify`,
  /// actors/store/audit_extension.hpp).
  std::function<void(std::vector<audit_extension>& out)> audit;
};

/// Adds a module. Call before any actor system or store exists; fails with
/// invalid_config on a name, document kind, table or error range already taken.
caf::error register_module(domain_module m);

/// Every registered module, in registration order.
const std::vector<domain_module>& modules();

/// The module that owns document kind `name`, or nullptr (core kinds have none).
const domain_module* module_of_document(std::string_view name);

/// Registers the built-in modules once (actors/modules.cpp; idempotent).
void register_builtin_modules();

} // namespace hub
