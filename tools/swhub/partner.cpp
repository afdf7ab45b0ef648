// `swhub submit`, `swhub status`, `swhub receive`: acting as a partner.

#include <iostream>

#include "actors/core/error.hpp"
#include "actors/core/frames.hpp"
#include "tools/swhub/cli.hpp"

namespace swhub_cli {

namespace {

/// Frames still queued when the tool exits (an ack) get this long to leave.
constexpr int exit_linger_ms = 2000;

/// Hex text to bytes; "" stays empty. Any even length is accepted so the hub's own
/// length check (bad_message_id) can be exercised from the command line.
caf::expected<hub::bytes> parse_id(const std::string& option, const std::string& hex) {
  if (hex.empty())
    return hub::bytes{};
  auto b = hub::from_hex(hex);
  if (b.empty())
    return caf::make_error(hub::ec::invalid_config,
                           option + ": \"" + hex + "\" is not hex (32 hex digits expected)");
  return b;
}

struct submit_args {
  connection_args conn;
  std::string type;
  std::string file;
  std::string recipient = "hub";
  std::string message_id;
  std::string correlation_id;
  bool print_payload = false;
  bool dry_run = false;
};

int run_submit(const submit_args& args) {
  auto json = read_text_file(args.file);
  if (!json)
    return print_error(json.error());
  auto payload = payload_from_json(args.type, *json);
  if (!payload)
    return print_error(payload.error());
  auto message_id = parse_id("--message-id", args.message_id);
  if (!message_id)
    return print_error(message_id.error());
  auto correlation_id = parse_id("--correlation-id", args.correlation_id);
  if (!correlation_id)
    return print_error(correlation_id.error());
  hub::outgoing doc;
  doc.recipient = args.recipient;
  doc.document_type = args.type;
  doc.payload = std::move(*payload);
  doc.message_id = std::move(*message_id);
  doc.correlation_id = std::move(*correlation_id);
  if (args.print_payload || args.dry_run) {
    nlohmann::ordered_json j{{"documentType", doc.document_type},
                     {"recipient", doc.recipient},
                     {"payloadBytes", doc.payload.size()},
                     {"payload", payload_as_json(doc.document_type, doc.payload)}};
    if (args.dry_run) {
      j["dryRun"] = true;
      print_line(j);
      return exit_ok;
    }
    std::cerr << j.dump() << std::endl;
  }
  zmq::context_t ctx;
  auto client = connect_partner(ctx, args.conn);
  if (!client)
    return print_error(client.error());
  auto r = (*client)->submit(doc);
  if (!r)
    return print_error(r.error());
  print_line(r->to_json());
  return r->status == hub::receipt::rejected ? exit_negative : exit_ok;
}

struct status_args {
  connection_args conn;
  std::string message_id;
};

int run_status(const status_args& args) {
  auto id = parse_id("--message-id", args.message_id);
  if (!id)
    return print_error(id.error());
  zmq::context_t ctx;
  auto client = connect_partner(ctx, args.conn);
  if (!client)
    return print_error(client.error());
  auto reply = (*client)->query_status(*id);
  if (!reply)
    return print_error(reply.error());
  print_line(reply->to_json());
  return reply->status == "unknown" || reply->error_code != 0 ? exit_negative : exit_ok;
}

struct receive_args {
  connection_args conn;
  size_t count = 0;
  bool no_ack = false;
};

int run_receive(const receive_args& args) {
  zmq::context_t ctx;
  auto client = connect_partner(ctx, args.conn, exit_linger_ms);
  if (!client)
    return print_error(client.error());
  auto& c = **client;
  auto idle = std::chrono::milliseconds{args.conn.timeout_ms};
  size_t received = 0;
  while (args.count == 0 || received < args.count) {
    auto n = c.next_notification(idle);
    if (!n) {
      if (!hub::is_timeout(n.error()))
        return print_error(n.error());
      if (args.count == 0)
        break; // idle: done
      print_error("request_timeout", "received " + std::to_string(received) + " of "
                                       + std::to_string(args.count)
                                       + " notifications: " + hub::context_text(n.error()));
      return exit_negative;
    }
    auto j = n->to_json();
    if (n->is_delivery) {
      auto doc = payload_as_json(n->document_type, n->payload);
      if (!doc.is_null()) {
        j["document"] = std::move(doc);
        j.erase("payloadHex");
      }
    }
    print_line(j);
    ++received;
    if (!args.no_ack)
      if (auto err = c.ack(n->id))
        return print_error(err);
    // Refused acks come back as receipts; report them without stopping.
    while (c.queued_receipts() > 0)
      if (auto r = c.next_receipt(std::chrono::milliseconds{0}))
        std::cerr << r->to_json().dump() << std::endl;
  }
  return exit_ok;
}

} // namespace

void add_partner_commands(CLI::App& app, int& rc) {
  {
    auto args = std::make_shared<submit_args>();
    auto* cmd = app.add_subcommand(
      "submit", "send one document and print the hub's receipt; exit 0 accepted or "
                "duplicate, 2 rejected, 1 error");
    add_connection_options(*cmd, args->conn);
    cmd->add_option("--type", args->type, "document type, e.g. customs.declaration")
      ->required();
    cmd->add_option("--file", args->file,
                    "the document in Cap'n Proto JSON form (camelCase fields, enums as "
                    "strings); - reads stdin")
      ->required();
    cmd->add_option("--recipient", args->recipient, "\"hub\" or a party id")
      ->capture_default_str();
    cmd->add_option("--message-id", args->message_id,
                    "32 hex digits; default: random (reuse one to retry)");
    cmd->add_option("--correlation-id", args->correlation_id,
                    "32 hex digits: the message this one relates to");
    cmd->add_flag("--print-payload", args->print_payload,
                  "also print the payload as built, on stderr");
    cmd->add_flag("--dry-run", args->dry_run,
                  "build and print the payload; do not connect");
    cmd->callback([args, &rc]() { rc = run_submit(*args); });
  }
  {
    auto args = std::make_shared<status_args>();
    auto* cmd = app.add_subcommand(
      "status", "ask the hub about one of this partner's messages; exit 0 found, 2 unknown, "
                "1 error");
    add_connection_options(*cmd, args->conn);
    cmd->add_option("--message-id", args->message_id, "32 hex digits")->required();
    cmd->callback([args, &rc]() { rc = run_status(*args); });
  }
  {
    auto args = std::make_shared<receive_args>();
    auto* cmd = app.add_subcommand(
      "receive", "print notifications addressed to this partner as JSON lines and "
                 "acknowledge each; stops after --count or when idle for --timeout-ms");
    add_connection_options(*cmd, args->conn);
    cmd->add_option("--count", args->count,
                    "stop after this many (0: until idle); exit 2 if fewer arrive")
      ->capture_default_str();
    cmd->add_flag("--no-ack", args->no_ack,
                  "do not acknowledge (the hub re-sends them later)");
    cmd->callback([args, &rc]() { rc = run_receive(*args); });
  }
}

} // namespace swhub_cli
