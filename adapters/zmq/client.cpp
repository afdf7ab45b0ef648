#include "adapters/zmq/client.hpp"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <fstream>
#include <sstream>

#include <capnp/compat/json.h>
#include <capnp/dynamic.h>
#include <capnp/message.h>
#include <caf/atom.hpp>
#include <caf/sec.hpp>
#include <nlohmann/json.hpp>
#include <openssl/rand.h>
#include <zmq.h>

#include "actors/core/error.hpp"
#include "actors/core/frames.hpp"
#include "actors/crypto/receipt_batch.hpp"
#include "actors/crypto/signing_input.hpp"
#include "schemas/frame.capnp.h"

namespace hub {

namespace {

using clock_type = std::chrono::steady_clock;

bytes to_vec(capnp::Data::Reader d) {
  return bytes(d.begin(), d.end());
}

kj::ArrayPtr<const kj::byte> as_ptr(const bytes& b) {
  return kj::arrayPtr(b.data(), b.size());
}

std::string document_status_name(wire::DocumentStatus s) {
  auto enumerants = capnp::Schema::from<wire::DocumentStatus>().getEnumerants();
  auto raw = static_cast<uint16_t>(s);
  if (raw < enumerants.size())
    return enumerants[raw].getProto().getName();
  return std::to_string(raw);
}

receipt read_receipt(wire::Receipt::Reader r) {
  receipt out;
  out.message_id = to_vec(r.getMessageId());
  switch (r.getStatus()) {
    case wire::ReceiptStatus::ACCEPTED: out.status = receipt::accepted; break;
    case wire::ReceiptStatus::REJECTED: out.status = receipt::rejected; break;
    case wire::ReceiptStatus::DUPLICATE: out.status = receipt::duplicate; break;
  }
  out.error_code = r.getErrorCode();
  out.error_name = r.getErrorName();
  out.reason = r.getReason();
  out.retryable = r.getRetryable();
  out.digest = to_vec(r.getDigest());
  out.hub_time = r.getHubTime();
  out.sequence = r.getSequence();
  out.party = r.getParty();
  out.hub_key_id = r.getHubKeyId();
  out.hub_signature = to_vec(r.getHubSignature());
  for (auto step : r.getHubBatchPath())
    out.hub_batch_path.push_back(to_vec(step));
  out.evidence_index = r.getEvidenceIndex();
  out.evidence_hash = to_vec(r.getEvidenceHash());
  return out;
}

notification read_notification(wire::Notification::Reader n) {
  notification out;
  out.id = n.getNotificationId();
  out.created_at = n.getCreatedAt();
  switch (n.which()) {
    case wire::Notification::DELIVERY: {
      auto d = n.getDelivery();
      auto env = d.getEnvelope();
      out.is_delivery = true;
      out.sequence = d.getSequence();
      out.message_id = to_vec(env.getMessageId());
      out.sender = env.getSender();
      out.recipient = env.getRecipient();
      out.document_type = env.getDocumentType();
      out.sent_at = env.getCreatedAt();
      out.correlation_id = to_vec(env.getCorrelationId());
      out.payload = to_vec(env.getPayload());
      break;
    }
    case wire::Notification::STATUS: {
      auto s = n.getStatus();
      out.subject_message_id = to_vec(s.getSubjectMessageId());
      out.case_id = s.getCaseId();
      out.status = document_status_name(s.getStatus());
      out.reason = s.getReason();
      out.at = s.getAt();
      out.declaration_id = s.getDeclarationId();
      out.amount_due = s.getAmountDue();
      out.waiting_on = s.getWaitingOn();
      break;
    }
    case wire::Notification::AGENCY_CASE: {
      auto a = n.getAgencyCase();
      out.is_agency_case = true;
      out.case_id = a.getCaseId();
      out.agency = a.getAgency();
      out.customs_unit = a.getCustomsUnit();
      out.declaration_type = a.getDeclarationType();
      out.enterprise = a.getEnterprise();
      out.deadline = a.getDeadline();
      for (auto item : a.getItems()) {
        notification::agency_item x;
        x.sequence = item.getSequence();
        x.hs_code = item.getHsCode();
        x.description = item.getDescription();
        x.quantity = item.getQuantity();
        x.unit = item.getUnit();
        x.origin_country = item.getOriginCountry();
        x.net_weight_kg = item.getNetWeightKg();
        x.customs_value = item.getCustomsValue();
        x.currency = item.getCurrency();
        out.items.push_back(std::move(x));
      }
      for (auto doc : a.getTransportDocuments())
        out.transport_documents.emplace_back(doc);
      out.reason = a.getReason();
      break;
    }
    case wire::Notification::DOCUMENT: {
      auto d = n.getDocument();
      out.is_document = true;
      out.subject_message_id = to_vec(d.getSubjectMessageId());
      out.document_format = d.getFormat();
      out.document_name = d.getName();
      out.content = to_vec(d.getContent());
      out.status = document_status_name(d.getStatus());
      out.reason = d.getReason();
      break;
    }
  }
  return out;
}

status_reply read_status_reply(wire::StatusReply::Reader r) {
  status_reply out;
  out.query_id = r.getQueryId();
  out.message_id = to_vec(r.getMessageId());
  out.status = document_status_name(r.getStatus());
  out.sequence = r.getSequence();
  out.hub_time = r.getHubTime();
  out.document_type = r.getDocumentType();
  out.digest = to_vec(r.getDigest());
  out.recipient = r.getRecipient();
  out.error_code = r.getErrorCode();
  out.reason = r.getReason();
  out.case_id = r.getCaseId();
  out.declaration_id = r.getDeclarationId();
  out.amount_due = r.getAmountDue();
  out.waiting_on = r.getWaitingOn();
  return out;
}

caf::error transport_error(std::string text) {
  return caf::make_error(ec::transport_failure, std::move(text));
}

caf::error timeout_error(std::string text) {
  return caf::make_error(caf::sec::request_timeout, std::move(text));
}

std::string ms_text(std::chrono::milliseconds ms) {
  return std::to_string(ms.count()) + " ms";
}

} // namespace

// -- value types --------------------------------------------------------------

const char* to_string(receipt::status_t x) {
  switch (x) {
    case receipt::accepted: return "accepted";
    case receipt::rejected: return "rejected";
    case receipt::duplicate: return "duplicate";
  }
  return "unknown";
}

nlohmann::ordered_json receipt::to_json() const {
  return nlohmann::ordered_json{{"messageId", to_hex(message_id)},
                        {"status", to_string(status)},
                        {"errorCode", error_code},
                        {"errorName", error_name},
                        {"reason", reason},
                        {"retryable", retryable},
                        {"digest", to_hex(digest)},
                        {"hubTime", hub_time},
                        {"sequence", sequence},
                        {"party", party},
                        {"hubKeyId", hub_key_id},
                        {"hubSignature", to_hex(hub_signature)},
                        {"hubBatchPath", [this] {
                           auto a = nlohmann::ordered_json::array();
                           for (auto& step : hub_batch_path)
                             a.push_back(to_hex(step));
                           return a;
                         }()},
                        {"evidenceIndex", evidence_index},
                        {"evidenceHash", to_hex(evidence_hash)}};
}

caf::expected<receipt> receipt::from_json(const nlohmann::json& j) {
  try {
    receipt r;
    r.message_id = from_hex(j.at("messageId").get<std::string>());
    auto st = j.at("status").get<std::string>();
    if (st == "accepted")
      r.status = accepted;
    else if (st == "duplicate")
      r.status = duplicate;
    else if (st == "rejected")
      r.status = rejected;
    else
      return caf::make_error(ec::invalid_field, "status \"" + st + "\" is not a receipt status");
    r.error_code = j.at("errorCode").get<uint16_t>();
    r.error_name = j.at("errorName").get<std::string>();
    r.reason = j.at("reason").get<std::string>();
    r.retryable = j.at("retryable").get<bool>();
    r.digest = from_hex(j.at("digest").get<std::string>());
    r.hub_time = j.at("hubTime").get<int64_t>();
    r.sequence = j.at("sequence").get<uint64_t>();
    r.party = j.at("party").get<std::string>();
    r.hub_key_id = j.at("hubKeyId").get<std::string>();
    r.hub_signature = from_hex(j.at("hubSignature").get<std::string>());
    for (auto& step : j.at("hubBatchPath"))
      r.hub_batch_path.push_back(from_hex(step.get<std::string>()));
    r.evidence_index = j.value("evidenceIndex", uint64_t{0});
    r.evidence_hash = from_hex(j.value("evidenceHash", std::string{}));
    if (r.evidence_index != 0 && r.evidence_hash.size() != 32)
      return caf::make_error(ec::invalid_field, "receipt JSON: evidenceHash must be 64 hex "
                                                "digits when evidenceIndex is set");
    return r;
  } catch (const nlohmann::json::exception& e) {
    return caf::make_error(ec::invalid_field, std::string{"receipt JSON: "} + e.what());
  }
}

caf::error receipt::verify(const crypto::public_key& hub_key) const {
  if (hub_signature.empty())
    return caf::make_error(ec::bad_signature, "the receipt is not signed");
  if (hub_key_id != hub_key.fingerprint())
    return caf::make_error(ec::unknown_key_id, "signed by hub key " + hub_key_id
                                                 + ", not by " + hub_key.fingerprint());
  auto status_value = static_cast<uint8_t>(status == accepted   ? wire::ReceiptStatus::ACCEPTED
                                            : status == rejected ? wire::ReceiptStatus::REJECTED
                                                                 : wire::ReceiptStatus::DUPLICATE);
  auto input = crypto::receipt_signing_input({party, message_id, status_value, error_code,
                                              error_name, reason, retryable, digest, hub_time,
                                              sequence});
  // A receipt naming an evidence record is paired with its witness leaf: the first
  // path entry must be exactly that witness (receipt_batch.hpp).
  if (evidence_index != 0
      && (hub_batch_path.empty()
          || hub_batch_path.front()
               != crypto::witness_path_entry(
                 crypto::evidence_witness_hash(evidence_index, evidence_hash))))
    return caf::make_error(ec::bad_signature,
                           "the evidence record the receipt names (index "
                             + std::to_string(evidence_index)
                             + ") is not the one the hub signed with it");
  auto root = crypto::fold_receipt_path(crypto::receipt_leaf_hash(input), hub_batch_path);
  auto signed_input = crypto::receipt_batch_signing_input(root);
  if (root.empty()
      || crypto::verify(hub_key, signed_input.data(), signed_input.size(), hub_signature))
    return caf::make_error(ec::bad_signature,
                           "the hub's signature does not match this receipt's content");
  return caf::none;
}

nlohmann::ordered_json notification::to_json() const {
  nlohmann::ordered_json j{{"notificationId", id}, {"createdAt", created_at}};
  if (is_delivery) {
    j["kind"] = "delivery";
    j["sequence"] = sequence;
    j["messageId"] = to_hex(message_id);
    j["sender"] = sender;
    j["recipient"] = recipient;
    j["documentType"] = document_type;
    j["sentAt"] = sent_at;
    j["correlationId"] = to_hex(correlation_id);
    j["payloadHex"] = to_hex(payload);
  } else if (is_document) {
    j["kind"] = "document";
    j["subjectMessageId"] = to_hex(subject_message_id);
    j["format"] = document_format;
    j["name"] = document_name;
    j["status"] = status;
    j["reason"] = reason;
    j["content"] = std::string(content.begin(), content.end());
  } else if (is_agency_case) {
    j["kind"] = "agencyCase";
    j["caseId"] = case_id;
    j["agency"] = agency;
    j["customsUnit"] = customs_unit;
    j["declarationType"] = declaration_type;
    j["enterprise"] = enterprise;
    j["deadline"] = deadline;
    auto items_json = nlohmann::ordered_json::array();
    for (auto& x : items)
      items_json.push_back({{"sequence", x.sequence},
                            {"hsCode", x.hs_code},
                            {"description", x.description},
                            {"quantity", x.quantity},
                            {"unit", x.unit},
                            {"originCountry", x.origin_country},
                            {"netWeightKg", x.net_weight_kg},
                            {"customsValue", x.customs_value},
                            {"currency", x.currency}});
    j["items"] = std::move(items_json);
    j["transportDocuments"] = transport_documents;
    j["reason"] = reason;
  } else {
    j["kind"] = "status";
    j["subjectMessageId"] = to_hex(subject_message_id);
    j["caseId"] = case_id;
    j["status"] = status;
    j["reason"] = reason;
    j["at"] = at;
    if (!declaration_id.empty())
      j["declarationId"] = declaration_id;
    if (!amount_due.empty())
      j["amountDue"] = amount_due;
    if (!waiting_on.empty())
      j["waitingOn"] = waiting_on;
  }
  return j;
}

nlohmann::ordered_json status_reply::to_json() const {
  nlohmann::ordered_json j{{"queryId", query_id},
                        {"messageId", to_hex(message_id)},
                        {"status", status},
                        {"sequence", sequence},
                        {"hubTime", hub_time},
                        {"documentType", document_type},
                        {"digest", to_hex(digest)},
                        {"recipient", recipient},
                        {"errorCode", error_code},
                        {"reason", reason}};
  if (!case_id.empty()) {
    j["caseId"] = case_id;
    j["declarationId"] = declaration_id;
    j["amountDue"] = amount_due;
    j["waitingOn"] = waiting_on;
  }
  return j;
}

bytes random_message_id() {
  bytes id(16);
  if (RAND_bytes(id.data(), static_cast<int>(id.size())) != 1) {
    // OpenSSL's DRBG does not fail once seeded; fall back to a clock-and-counter id
    // rather than sending a predictable all-zero one.
    static std::atomic<uint64_t> counter{0};
    uint64_t a = static_cast<uint64_t>(now_ms()), b = ++counter;
    std::memcpy(id.data(), &a, 8);
    std::memcpy(id.data() + 8, &b, 8);
  }
  return id;
}

caf::expected<signing_identity> load_signing_identity(const std::string& stem_or_file) {
  auto path = stem_or_file;
  if (path.size() < 4 || path.compare(path.size() - 4, 4, ".pem") != 0)
    path += ".sign.pem";
  std::ifstream in{path};
  if (!in)
    return caf::make_error(ec::invalid_config, path + ": cannot read the signing key "
                                                 "(create it with `swhub keygen`)");
  std::stringstream ss;
  ss << in.rdbuf();
  auto key = crypto::private_key::from_pem(ss.str());
  if (!key)
    return caf::make_error(ec::invalid_config, path + ": " + context_text(key.error()));
  signing_identity id;
  id.key_id = key->public_part().fingerprint();
  id.key = std::move(*key);
  return id;
}

caf::expected<client_options> client_options_from_files(const std::string& endpoint,
                                                        const std::string& hub_key_file,
                                                        const std::string& key,
                                                        const std::string& sign_key,
                                                        bool no_sign) {
  auto secret_file = find_curve_secret(key);
  if (!secret_file)
    return secret_file.error();
  auto keys = read_curve_secret(*secret_file);
  if (!keys)
    return keys.error();
  auto hub_key = read_curve_public(hub_key_file);
  if (!hub_key)
    return hub_key.error();
  client_options opts;
  opts.endpoint = endpoint;
  opts.server_public_key = *hub_key;
  opts.keys = std::move(*keys);
  if (no_sign)
    return opts;
  auto stem = *secret_file;
  const std::string suffix = ".curve.secret";
  if (stem.size() > suffix.size()
      && stem.compare(stem.size() - suffix.size(), suffix.size(), suffix) == 0)
    stem.erase(stem.size() - suffix.size());
  auto sign_file = sign_key.empty() ? stem + ".sign.pem" : sign_key;
  if (!sign_key.empty() || std::ifstream{sign_file}.good()) {
    auto id = load_signing_identity(sign_file);
    if (!id)
      return id.error();
    opts.signing = std::move(*id);
  }
  return opts;
}

bytes build_envelope_frame(const std::string& sender, const outgoing& doc,
                           bytes* message_id_out, const signing_identity* signer) {
  auto id = doc.message_id.empty() ? random_message_id() : doc.message_id;
  capnp::MallocMessageBuilder mb;
  auto env = mb.initRoot<wire::Frame>().initEnvelope();
  env.setMessageId(as_ptr(id));
  env.setSender(sender);
  env.setRecipient(doc.recipient);
  env.setDocumentType(doc.document_type);
  auto created_at = doc.created_at != 0 ? doc.created_at : now_ms();
  env.setCreatedAt(created_at);
  env.setCorrelationId(as_ptr(doc.correlation_id));
  env.setPayload(as_ptr(doc.payload));
  if (doc.signature) {
    auto sig = env.initSignature();
    sig.setKeyId(doc.signature->key_id);
    sig.setAlgorithm(static_cast<wire::SignatureAlgorithm>(doc.signature->algorithm));
    sig.setValue(as_ptr(doc.signature->value));
  } else if (signer != nullptr) {
    auto input = crypto::envelope_signing_input(sender, id, doc.recipient, doc.document_type,
                                                created_at, doc.correlation_id,
                                                doc.payload.data(), doc.payload.size());
    if (auto value = crypto::sign(signer->key, input.data(), input.size())) {
      auto sig = env.initSignature();
      sig.setKeyId(signer->key_id.empty() ? signer->key.public_part().fingerprint()
                                          : signer->key_id);
      sig.setAlgorithm(static_cast<wire::SignatureAlgorithm>(signer->key.alg()));
      sig.setValue(as_ptr(*value));
    }
  }
  if (message_id_out != nullptr)
    *message_id_out = std::move(id);
  return to_bytes(mb);
}

bool is_timeout(const caf::error& err) {
  return err == caf::sec::request_timeout;
}

std::string error_name(const caf::error& err) {
  if (!err)
    return "none";
  if (err.category() == caf::atom("hub"))
    return to_string(static_cast<ec>(err.code()));
  if (err.category() == caf::atom("system"))
    return caf::to_string(static_cast<caf::sec>(err.code()));
  // A registered module's code (customs' unknown_declaration, ...), by its wire name.
  if (auto name = wire_code_name(wire_code_of(err)); name != "unknown" && name != "hub_busy")
    return name;
  return "error";
}

// -- partner_client: setup ----------------------------------------------------

partner_client::partner_client(client_options opts) : opts_(std::move(opts)) {
  // nop
}

partner_client::~partner_client() {
  if (sock_.handle() != nullptr)
    zmq_socket_monitor(sock_.handle(), nullptr, 0);
}

caf::expected<std::unique_ptr<partner_client>>
partner_client::connect(zmq::context_t& ctx, client_options opts) {
  if (opts.endpoint.empty())
    return caf::make_error(ec::invalid_config, "no hub endpoint given");
  if (opts.server_public_key.size() != 40)
    return caf::make_error(ec::invalid_config,
                           "the hub public key must be 40 Z85 characters");
  if (opts.keys.public_z85.size() != 40 || opts.keys.secret_z85.size() != 40)
    return caf::make_error(ec::invalid_config,
                           "the client key pair must be 40 Z85 characters each");
  if (opts.timeout.count() <= 0 || opts.linger.count() < 0)
    return caf::make_error(ec::invalid_config,
                           "the timeout must be positive and the linger not negative");
  std::unique_ptr<partner_client> c{new partner_client(std::move(opts))};
  if (auto err = c->start(ctx))
    return err;
  return c;
}

caf::error partner_client::start(zmq::context_t& ctx) {
  // One inproc address per monitored socket; the context is process-wide.
  static std::atomic<uint64_t> monitor_counter{0};
  auto monitor_addr = "inproc://swhub-client-monitor-" + std::to_string(++monitor_counter);
  try {
    sock_ = zmq::socket_t{ctx, zmq::socket_type::dealer};
    sock_.set(zmq::sockopt::linger, static_cast<int>(opts_.linger.count()));
    sock_.set(zmq::sockopt::sndtimeo, static_cast<int>(opts_.timeout.count()));
    sock_.set(zmq::sockopt::curve_serverkey, opts_.server_public_key);
    sock_.set(zmq::sockopt::curve_publickey, opts_.keys.public_z85);
    sock_.set(zmq::sockopt::curve_secretkey, opts_.keys.secret_z85);
    // The monitor tells "hub refused our key" and "hub gone" apart from silence,
    // and tells us when a reconnect needs a fresh hello.
    int events = ZMQ_EVENT_HANDSHAKE_SUCCEEDED | ZMQ_EVENT_HANDSHAKE_FAILED_AUTH
                 | ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL
                 | ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL | ZMQ_EVENT_DISCONNECTED
                 | ZMQ_EVENT_CONNECT_RETRIED;
    if (zmq_socket_monitor(sock_.handle(), monitor_addr.c_str(), events) != 0)
      throw zmq::error_t{};
    monitor_ = zmq::socket_t{ctx, zmq::socket_type::pair};
    monitor_.set(zmq::sockopt::linger, 0);
    monitor_.connect(monitor_addr);
    sock_.connect(opts_.endpoint);
  } catch (const zmq::error_t& e) {
    return transport_error("cannot connect to " + opts_.endpoint + ": " + e.what());
  }
  if (auto err = send_hello())
    return err;
  auto deadline = clock_type::now() + opts_.timeout;
  while (!welcomed_) {
    if (auto err = pump(deadline)) {
      if (auth_refused_)
        return transport_error("no welcome from " + opts_.endpoint + ": " + last_problem_);
      if (!is_timeout(err))
        return err;
      auto text = "no welcome from " + opts_.endpoint + " within " + ms_text(opts_.timeout);
      text += last_problem_.empty() ? " (unknown key or hub down?)"
                                    : " (" + last_problem_ + ")";
      return transport_error(std::move(text));
    }
  }
  return caf::none;
}

caf::error partner_client::send_hello() {
  capnp::MallocMessageBuilder mb;
  mb.initRoot<wire::Frame>().initHello().setClientName(opts_.client_name);
  return send_bytes(to_bytes(mb));
}

// -- partner_client: I/O ------------------------------------------------------

caf::error partner_client::send_bytes(const bytes& data) {
  try {
    if (!sock_.send(zmq::buffer(data), zmq::send_flags::none))
      return transport_error("send blocked for " + ms_text(opts_.timeout)
                             + " (send queue full; hub unreachable or too slow?)");
  } catch (const zmq::error_t& e) {
    return transport_error(std::string{"send failed: "} + e.what());
  }
  return caf::none;
}

caf::expected<bytes> partner_client::recv_one(clock_type::time_point deadline) {
  zmq::pollitem_t items[] = {
    {sock_.handle(), 0, ZMQ_POLLIN, 0},
    {monitor_.handle(), 0, ZMQ_POLLIN, 0},
  };
  for (;;) {
    try {
      zmq::message_t msg;
      if (sock_.recv(msg, zmq::recv_flags::dontwait)) {
        // The hub sends single-part messages; drop any extra parts.
        for (bool more = msg.more(); more;) {
          zmq::message_t extra;
          if (!sock_.recv(extra, zmq::recv_flags::dontwait))
            break;
          more = extra.more();
        }
        auto* p = msg.data<uint8_t>();
        return bytes(p, p + msg.size());
      }
      auto now = clock_type::now();
      if (now >= deadline)
        return timeout_error("timeout");
      // Round up so a sub-millisecond remainder still waits instead of spinning.
      auto wait = std::chrono::ceil<std::chrono::milliseconds>(deadline - now);
      zmq::poll(items, 2, wait);
      if (items[1].revents & ZMQ_POLLIN) {
        if (auto err = drain_monitor())
          return err;
        if (auth_refused_) // waiting longer cannot help
          return transport_error(last_problem_);
      }
    } catch (const zmq::error_t& e) {
      if (e.num() == EINTR)
        continue;
      return transport_error(std::string{"receive failed: "} + e.what());
    }
  }
}

caf::error partner_client::drain_monitor() {
  for (;;) {
    zmq::message_t event;
    if (!monitor_.recv(event, zmq::recv_flags::dontwait))
      return caf::none;
    zmq::message_t addr;
    if (event.more())
      (void) monitor_.recv(addr); // the second part arrives with the first
    if (event.size() < 6)
      continue;
    uint16_t id = 0;
    uint32_t value = 0;
    std::memcpy(&id, event.data(), 2);
    std::memcpy(&value, static_cast<const char*>(event.data()) + 2, 4);
    switch (id) {
      case ZMQ_EVENT_HANDSHAKE_SUCCEEDED:
        last_problem_.clear();
        auth_refused_ = false;
        if (++handshakes_ > 1) {
          // A new connection (hub restarted or network blip): introduce ourselves
          // again so the hub routes notifications to this connection.
          ++reconnects_;
          if (auto err = send_hello())
            return err;
        }
        break;
      case ZMQ_EVENT_HANDSHAKE_FAILED_AUTH:
        auth_refused_ = true;
        last_problem_ = "the hub refused our CURVE key (ZAP status " + std::to_string(value)
                        + "): is this party registered and enabled?";
        break;
      case ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL:
      case ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL:
        last_problem_ = "CURVE handshake failed (wrong hub public key?)";
        break;
      case ZMQ_EVENT_DISCONNECTED:
        if (auth_refused_)
          break; // keep the more telling reason
        last_problem_ = handshakes_ == 0
                          ? "the hub closed the connection during the CURVE handshake "
                            "(wrong hub public key?)"
                          : "connection to the hub lost";
        break;
      case ZMQ_EVENT_CONNECT_RETRIED:
        if (last_problem_.empty())
          last_problem_ = "cannot reach the hub at " + opts_.endpoint;
        break;
      default:
        break;
    }
  }
}

caf::error partner_client::pump(clock_type::time_point deadline) {
  auto frame = recv_one(deadline);
  if (!frame)
    return frame.error();
  if (auto err = dispatch(*frame))
    last_problem_ = "unreadable frame from the hub: " + context_text(err);
  return caf::none;
}

caf::error partner_client::dispatch(const bytes& frame) {
  auto msg = aligned_message::copy(frame.data(), frame.size());
  if (!msg)
    return msg.error();
  return with_root<wire::Frame>(*msg, ec::malformed_frame,
                                [this](wire::Frame::Reader f) -> caf::error {
    switch (f.which()) {
      case wire::Frame::WELCOME: {
        auto w = f.getWelcome();
        party_ = w.getParty();
        hub_id_ = w.getHubId();
        pending_ = w.getPendingNotifications();
        welcomed_ = true;
        return caf::none;
      }
      case wire::Frame::RECEIPT:
        receipts_.push_back(read_receipt(f.getReceipt()));
        return caf::none;
      case wire::Frame::NOTIFICATION:
        notifications_.push_back(read_notification(f.getNotification()));
        return caf::none;
      case wire::Frame::STATUS_REPLY:
        replies_.push_back(read_status_reply(f.getStatusReply()));
        return caf::none;
      case wire::Frame::HELLO:
      case wire::Frame::ENVELOPE:
      case wire::Frame::ACK:
      case wire::Frame::STATUS_QUERY:
        break;
    }
    return caf::make_error(ec::unexpected_frame, "a partner-to-hub frame kind");
  });
}

// -- partner_client: protocol -------------------------------------------------

caf::error partner_client::send_envelope(const outgoing& doc, bytes* message_id_out) {
  bytes frame;
  try {
    const signing_identity* signer = doc.signer;
    if (signer == nullptr && opts_.signing)
      signer = &*opts_.signing;
    frame = build_envelope_frame(doc.sender.empty() ? party_ : doc.sender, doc,
                                 message_id_out, signer);
  } catch (const kj::Exception& e) {
    return caf::make_error(ec::malformed_frame, std::string{e.getDescription().cStr()});
  }
  return send_bytes(frame);
}

caf::error partner_client::send_raw(const bytes& frame) {
  return send_bytes(frame);
}

caf::expected<receipt> partner_client::submit(const outgoing& doc) {
  bytes id;
  if (auto err = send_envelope(doc, &id))
    return err;
  auto deadline = clock_type::now() + opts_.timeout;
  for (;;) {
    auto it = std::find_if(receipts_.begin(), receipts_.end(),
                           [&id](const receipt& r) { return r.message_id == id; });
    if (it != receipts_.end()) {
      auto r = std::move(*it);
      receipts_.erase(it);
      return r;
    }
    if (auto err = pump(deadline)) {
      if (!is_timeout(err))
        return err;
      auto text = "no receipt for " + to_hex(id) + " within " + ms_text(opts_.timeout);
      if (!last_problem_.empty())
        text += " (" + last_problem_ + ")";
      return timeout_error(std::move(text));
    }
  }
}

caf::expected<receipt> partner_client::next_receipt(std::chrono::milliseconds timeout) {
  auto deadline = clock_type::now() + timeout;
  while (receipts_.empty()) {
    if (auto err = pump(deadline)) {
      if (!is_timeout(err))
        return err;
      return timeout_error("no receipt within " + ms_text(timeout)
                           + (last_problem_.empty() ? "" : " (" + last_problem_ + ")"));
    }
  }
  auto r = std::move(receipts_.front());
  receipts_.pop_front();
  return r;
}

caf::expected<notification>
partner_client::next_notification(std::chrono::milliseconds timeout) {
  auto deadline = clock_type::now() + timeout;
  while (notifications_.empty()) {
    if (auto err = pump(deadline)) {
      if (!is_timeout(err))
        return err;
      return timeout_error("no notification within " + ms_text(timeout)
                           + (last_problem_.empty() ? "" : " (" + last_problem_ + ")"));
    }
  }
  auto n = std::move(notifications_.front());
  notifications_.pop_front();
  return n;
}

caf::error partner_client::ack(uint64_t notification_id) {
  capnp::MallocMessageBuilder mb;
  mb.initRoot<wire::Frame>().initAck().setNotificationId(notification_id);
  return send_bytes(to_bytes(mb));
}

caf::error partner_client::ack(const std::vector<uint64_t>& notification_ids) {
  for (size_t at = 0; at < notification_ids.size(); at += max_ack_ids) {
    auto n = std::min(max_ack_ids, notification_ids.size() - at);
    capnp::MallocMessageBuilder mb;
    auto a = mb.initRoot<wire::Frame>().initAck();
    a.setNotificationId(notification_ids[at]);
    auto more = a.initMore(static_cast<unsigned>(n - 1));
    for (size_t i = 1; i < n; ++i)
      more.set(static_cast<unsigned>(i - 1), notification_ids[at + i]);
    if (auto err = send_bytes(to_bytes(mb)))
      return err;
  }
  return caf::error{};
}

caf::expected<status_reply> partner_client::query_status(const bytes& message_id) {
  auto query_id = next_query_id_++;
  {
    capnp::MallocMessageBuilder mb;
    auto q = mb.initRoot<wire::Frame>().initStatusQuery();
    q.setMessageId(as_ptr(message_id));
    q.setQueryId(query_id);
    if (auto err = send_bytes(to_bytes(mb)))
      return err;
  }
  auto deadline = clock_type::now() + opts_.timeout;
  for (;;) {
    auto it = std::find_if(replies_.begin(), replies_.end(),
                           [query_id](const status_reply& r) {
                             return r.query_id == query_id;
                           });
    if (it != replies_.end()) {
      auto r = std::move(*it);
      replies_.erase(it);
      return r;
    }
    if (auto err = pump(deadline)) {
      if (!is_timeout(err))
        return err;
      return timeout_error("no status reply within " + ms_text(opts_.timeout)
                           + (last_problem_.empty() ? "" : " (" + last_problem_ + ")"));
    }
  }
}

caf::expected<bytes> partner_client::next_frame(std::chrono::milliseconds timeout) {
  return recv_one(clock_type::now() + timeout);
}

// -- payload JSON ---------------------------------------------------------------

caf::expected<bytes> json_to_payload(capnp::StructSchema schema, std::string_view json) {
  try {
    capnp::JsonCodec codec;
    codec.setRejectUnknownFields(true);
    capnp::MallocMessageBuilder mb;
    auto root = mb.initRoot<capnp::DynamicStruct>(schema);
    codec.decode(kj::ArrayPtr<const char>(json.data(), json.size()), root);
    return to_bytes(mb);
  } catch (const kj::Exception& e) {
    return caf::make_error(ec::malformed_payload,
                           std::string{schema.getShortDisplayName().cStr()} + ": "
                             + e.getDescription().cStr());
  }
}

caf::expected<std::string> payload_to_json(capnp::StructSchema schema,
                                           const bytes& payload) {
  auto msg = aligned_message::copy(payload.data(), payload.size(), ec::malformed_payload);
  if (!msg)
    return msg.error();
  try {
    capnp::FlatArrayMessageReader reader{msg->words(), msg->options()};
    capnp::JsonCodec codec;
    auto text = codec.encode(reader.getRoot<capnp::DynamicStruct>(schema));
    return std::string{text.cStr()};
  } catch (const kj::Exception& e) {
    return caf::make_error(ec::malformed_payload, std::string{e.getDescription().cStr()});
  }
}

} // namespace hub
