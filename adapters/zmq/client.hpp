#pragma once
// The partner side of the wire protocol (docs/protocol.md): a ZeroMQ DEALER socket
// with CURVE, one Cap'n Proto Frame per message. Used by the `swhub` CLI, the
// simulator, benchmarks and integration tests.
//
// Threading: a partner_client is not thread-safe; one thread owns it. Several
// clients may share one zmq::context_t (the context is thread-safe); destroy every
// client before the context, or closing the context blocks.
// Errors: nothing throws out of this API. Failures are hub::ec errors
// (transport_failure, invalid_config, malformed_frame, ...); a wait that ran out of
// time is caf::sec::request_timeout (test it with is_timeout()). When the hub
// refuses our key (ZAP), every wait ends at once with transport_failure.
// Reconnects are automatic (ZeroMQ); after each one the client says hello again so
// the hub routes notifications to the new connection. Frames in flight when a
// connection broke are lost: resend with the same message id (dedupe makes it safe).

#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <caf/error.hpp>
#include <caf/expected.hpp>
#include <capnp/schema.h>
#include <nlohmann/json_fwd.hpp>
#include <zmq.hpp>

#include "actors/actors.hpp"
#include "actors/crypto/signature.hpp"
#include "adapters/zmq/curve_keys.hpp"

namespace hub {

/// A partner's signing key and the key id the hub knows it by.
struct signing_identity {
  crypto::private_key key;
  std::string key_id; ///< empty: the key's fingerprint
};

/// Reads `<stem>.sign.pem` (or a PEM file) as a signing identity.
caf::expected<signing_identity> load_signing_identity(const std::string& stem_or_file);

struct client_options;

/// Client options from key files, the way every tool takes them: `key` is the stem
/// given to `swhub keygen --out` or a `.curve.secret` file; `hub_key_file` holds the
/// hub's CURVE public key. Documents are signed with `sign_key` if given, else with
/// `<stem>.sign.pem` if it exists, unless `no_sign`.
caf::expected<client_options> client_options_from_files(const std::string& endpoint,
                                                        const std::string& hub_key_file,
                                                        const std::string& key,
                                                        const std::string& sign_key = {},
                                                        bool no_sign = false);

/// Where and as whom to connect.
struct client_options {
  std::string endpoint = "tcp://127.0.0.1:7700";
  std::string server_public_key; ///< the hub's Z85 CURVE public key
  curve_keypair keys;            ///< this partner's key pair (registered at the hub)
  std::string client_name = "swhub-client"; ///< sent in hello; shows up in hub logs
  /// Bound for the welcome in connect(), for submit() and query_status() answers,
  /// and for a blocked send (ZMQ_SNDTIMEO).
  std::chrono::milliseconds timeout{10000};
  /// How long closing the client may wait to flush unsent frames. 0 drops them (tests,
  /// simulators); a CLI that exits right after an ack sets it so the ack gets out.
  std::chrono::milliseconds linger{0};
  /// Signs every envelope sent through this client (unset: unsigned).
  std::optional<signing_identity> signing;
};

/// What the hub answered to one envelope (or to an unreadable frame or a bad ack:
/// then message_id is empty).
struct receipt {
  bytes message_id;
  enum status_t { accepted, rejected, duplicate } status = rejected;
  uint16_t error_code = 0;
  std::string error_name; ///< e.g. "invalid_hs_code"; empty unless rejected
  std::string reason;
  bool retryable = false;
  bytes digest;
  int64_t hub_time = 0;
  uint64_t sequence = 0;
  std::string party;       ///< whom the hub issued it to
  std::string hub_key_id;  ///< the hub key that signed it
  bytes hub_signature;     ///< over the root of the receipt's batch; empty: unsigned
  std::vector<bytes> hub_batch_path; ///< Merkle path from this receipt to that root
  uint64_t evidence_index = 0; ///< the document's record in the hub's evidence log (0: none)
  bytes evidence_hash;         ///< that record's hash (a witness for `swhub audit verify`)

  /// Checks the hub's signature with the hub's public key (offline; no connection),
  /// including the evidence record it vouches for, if any.
  /// ec::bad_signature if it does not verify or the receipt is unsigned,
  /// ec::unknown_key_id if it was signed by another key.
  caf::error verify(const crypto::public_key& hub_key) const;

  /// {"messageId": hex, "status": "accepted", "errorCode", "errorName", "reason",
  ///  "retryable", "digest": hex, "hubTime", "sequence", "party", "hubKeyId",
  ///  "hubSignature": hex, "hubBatchPath": [hex, ...], "evidenceIndex",
  ///  "evidenceHash": hex}
  nlohmann::ordered_json to_json() const;
  /// The inverse of to_json (for `swhub receipt verify`); ec::invalid_field on bad JSON.
  /// "evidenceIndex" and "evidenceHash" may be absent (receipts of older hubs).
  static caf::expected<receipt> from_json(const nlohmann::json& j);
};

/// "accepted", "rejected" or "duplicate".
const char* to_string(receipt::status_t x);

/// A notification the hub pushed: a routed document (delivery), a status change,
/// (single window) a declaration routed to an agency for its decision (agency case), or
/// a document in the receiver's own format (e-commerce: a CEB receipt).
/// The caller acknowledges it with partner_client::ack(id) once it has processed it;
/// until then the hub re-sends it with the same id.
struct notification {
  uint64_t id = 0;
  int64_t created_at = 0;
  bool is_delivery = false;
  bool is_agency_case = false; ///< agencyCase: case_id, reason and the agency_* fields
  /// A document in the receiver's own format (e-commerce: a CEB receipt message):
  /// subject_message_id, status, reason and the document_* fields and content.
  bool is_document = false;
  std::string document_format; ///< "ceb-xml"
  std::string document_name;   ///< "CEB622Message"
  bytes content;               ///< the document's bytes (UTF-8 XML for ceb-xml)
  // delivery: the document exactly as the sender's envelope carried it
  uint64_t sequence = 0;
  bytes message_id;
  std::string sender;
  std::string recipient;
  std::string document_type;
  int64_t sent_at = 0; ///< the envelope's createdAt (sender clock)
  bytes correlation_id;
  bytes payload;
  // status change
  bytes subject_message_id;
  std::string case_id;
  std::string status; ///< DocumentStatus enumerant name, e.g. "released"
  std::string reason;
  int64_t at = 0;
  std::string declaration_id; ///< customs: the declarant's reference
  std::string amount_due;     ///< customs: CNY decimal, empty = none
  std::string waiting_on;     ///< customs: what the case waits for
  // agency case (case_id and reason above are filled too: the declaration number and
  // why it was routed); an item's fields the agency may not see are left empty/zero
  struct agency_item {
    uint16_t sequence = 0;
    std::string hs_code;
    std::string description;
    double quantity = 0;
    std::string unit;
    std::string origin_country;
    double net_weight_kg = 0;
    std::string customs_value;
    std::string currency;
  };
  std::string agency;           ///< the agency id the case is routed to
  std::string customs_unit;
  std::string declaration_type; ///< "import" or "export"
  std::string enterprise;       ///< empty if the agency may not see it
  int64_t deadline = 0;         ///< answer by (Unix ms)
  std::vector<agency_item> items;
  std::vector<std::string> transport_documents;

  /// One JSON object; a delivery's payload is shown as "payloadHex" (decode it
  /// with payload_to_json when the schema is known).
  nlohmann::ordered_json to_json() const;
};

/// The hub's answer to query_status.
struct status_reply {
  uint64_t query_id = 0;
  bytes message_id;
  std::string status; ///< DocumentStatus enumerant name; "unknown" if not found
  uint64_t sequence = 0;
  int64_t hub_time = 0;
  std::string document_type;
  bytes digest;
  std::string recipient;
  uint16_t error_code = 0; ///< non-zero if the hub refused the query
  std::string reason;
  std::string case_id;        ///< customs: the case, its declarant reference and state
  std::string declaration_id;
  std::string amount_due;
  std::string waiting_on;

  nlohmann::ordered_json to_json() const;
};

/// A document to send. Defaults make the common case short.
struct outgoing {
  std::string recipient = "hub";
  std::string document_type;
  bytes payload;        ///< flat-array Cap'n Proto message of the type's schema
  bytes message_id;     ///< empty: 16 fresh random bytes are chosen
  bytes correlation_id; ///< empty or 16 bytes
  int64_t created_at = 0; ///< 0: now
  std::string sender;   ///< empty: the authenticated party (tests set it to spoof)
  /// Signs this envelope (overrides client_options::signing; null: use the client's).
  const signing_identity* signer = nullptr;
  /// Explicit signature fields, used as given when `key_id` is set (tests: a forged,
  /// tampered or mislabelled signature). Takes precedence over any signer.
  struct raw_signature {
    std::string key_id;
    crypto::algorithm algorithm = crypto::algorithm::none;
    bytes value;
  };
  std::optional<raw_signature> signature;
};

/// 16 random bytes from OpenSSL's RAND_bytes (a message id).
bytes random_message_id();

/// Frame{envelope{...}} for `doc` from `sender`, signed by `signer` if given (and
/// `doc` carries no explicit signature). A missing message id or createdAt is filled
/// in here, and the id chosen is written to `message_id_out` if given.
bytes build_envelope_frame(const std::string& sender, const outgoing& doc,
                           bytes* message_id_out = nullptr,
                           const signing_identity* signer = nullptr);

/// True if `err` means "nothing arrived in time" rather than a failure.
bool is_timeout(const caf::error& err);

/// The error's symbolic name ("transport_failure", "request_timeout", ...).
std::string error_name(const caf::error& err);

/// A connected, welcomed partner session.
class partner_client {
public:
  /// Connects, sends hello and waits up to opts.timeout for the welcome. A key the
  /// hub refuses, a wrong hub key or an unreachable hub is ec::transport_failure
  /// "no welcome from <endpoint>..." naming the cause when libzmq reported one.
  static caf::expected<std::unique_ptr<partner_client>> connect(zmq::context_t& ctx,
                                                                client_options opts);

  ~partner_client();
  partner_client(const partner_client&) = delete;
  partner_client& operator=(const partner_client&) = delete;

  /// The party id the hub authenticated our key as (from the welcome).
  const std::string& party() const { return party_; }
  const std::string& hub_id() const { return hub_id_; }
  /// Notifications the hub held for us when it last welcomed us.
  uint32_t pending_notifications() const { return pending_; }
  /// Times the connection was re-established (and hello re-sent) after connect().
  uint64_t reconnects() const { return reconnects_; }
  const client_options& options() const { return opts_; }

  /// Sends `doc` and waits (up to options().timeout) for its receipt. Notifications
  /// and other receipts arriving meanwhile are queued for next_notification() and
  /// next_receipt().
  caf::expected<receipt> submit(const outgoing& doc);

  /// Sends `doc` without waiting; the id used is written to `message_id_out`.
  caf::error send_envelope(const outgoing& doc, bytes* message_id_out = nullptr);

  /// Sends arbitrary bytes as one message (tests: garbage, other frame kinds).
  caf::error send_raw(const bytes& frame);

  /// The next receipt (queued first, then from the socket), waiting up to `timeout`
  /// (0 = only what is already there).
  caf::expected<receipt> next_receipt(std::chrono::milliseconds timeout);

  /// The next notification, queued first; it is not acknowledged automatically.
  caf::expected<notification> next_notification(std::chrono::milliseconds timeout);

  /// Acknowledges a notification (fire and forget; a refused ack comes back as a
  /// receipt with error_name "unknown_notification" and an empty message id).
  caf::error ack(uint64_t notification_id);
  /// Acknowledges several in as few frames as the hub allows (max_ack_ids each): for a
  /// partner that takes notifications in bursts, one frame instead of one per id.
  caf::error ack(const std::vector<uint64_t>& notification_ids);

  /// Asks the hub about one of our messages; waits up to options().timeout.
  caf::expected<status_reply> query_status(const bytes& message_id);

  /// The next frame straight from the socket, unparsed (frames already consumed into
  /// the queues by other calls are not returned again).
  caf::expected<bytes> next_frame(std::chrono::milliseconds timeout);

  /// Receipts / notifications already read from the socket and waiting in queues.
  size_t queued_receipts() const { return receipts_.size(); }
  size_t queued_notifications() const { return notifications_.size(); }

  /// The DEALER socket, for zmq::poll over many clients. Only read from it through
  /// this class; check the queued_* counts before blocking in a poll.
  zmq::socket_t& socket() { return sock_; }

private:
  explicit partner_client(client_options opts);
  caf::error start(zmq::context_t& ctx);
  caf::error send_bytes(const bytes& data);
  caf::error send_hello();
  /// Waits for one event (frame or monitor) until `deadline`, queueing parsed frames.
  /// Returns request_timeout when the deadline passes first.
  caf::error pump(std::chrono::steady_clock::time_point deadline);
  caf::expected<bytes> recv_one(std::chrono::steady_clock::time_point deadline);
  caf::error dispatch(const bytes& frame);
  caf::error drain_monitor();

  client_options opts_;
  zmq::socket_t sock_;
  zmq::socket_t monitor_;   ///< PAIR end of zmq_socket_monitor on sock_
  std::string party_;
  std::string hub_id_;
  uint32_t pending_ = 0;
  bool welcomed_ = false;
  uint64_t handshakes_ = 0;
  uint64_t reconnects_ = 0;
  std::string last_problem_; ///< last connection trouble libzmq reported
  bool auth_refused_ = false;
  uint64_t next_query_id_ = 1;
  std::deque<receipt> receipts_;
  std::deque<notification> notifications_;
  std::deque<status_reply> replies_;
};

/// Builds a document payload from its Cap'n Proto JSON form (camelCase field names,
/// enums as strings) for the struct `schema`. Fails with ec::malformed_payload
/// naming what the codec could not read. Unknown fields are an error, so typos in
/// hand-written files do not silently vanish.
caf::expected<bytes> json_to_payload(capnp::StructSchema schema, std::string_view json);

/// The payload as Cap'n Proto JSON text (for printing deliveries).
caf::expected<std::string> payload_to_json(capnp::StructSchema schema, const bytes& payload);

} // namespace hub
