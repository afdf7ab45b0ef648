#include "adapters/zmq/gateway.hpp"

#include <sys/eventfd.h>
#include <unistd.h>

#include <functional>

#include <caf/all.hpp>
#include <zmq_addon.hpp>

#include "actors/core/admission.hpp"
#include "actors/core/error.hpp"
#include "actors/core/frames.hpp"
#include "actors/core/log.hpp"
#include "actors/crypto/hub_signer.hpp"
#include "actors/crypto/receipt_batch.hpp"
#include "actors/intake/document_types.hpp"
#include "actors/registry/party_registry.hpp"
#include "adapters/zmq/zap.hpp"
#include "schemas/frame.capnp.h"

namespace hub {

caf::expected<std::shared_ptr<gateway>>
gateway::bind(zmq::context_t& ctx, gateway_config cfg, std::shared_ptr<const registry_holder> reg) {
  std::shared_ptr<gateway> g{new gateway};
  g->cfg_ = std::move(cfg);
  g->registry_ = reg;
  auto zap = zap_handler::start(ctx, reg);
  if (!zap)
    return zap.error();
  g->zap_ = std::move(*zap);
  g->wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (g->wake_fd_ < 0)
    return caf::make_error(ec::transport_failure, "eventfd failed");
  try {
    zmq::socket_t sock{ctx, zmq::socket_type::router};
    sock.set(zmq::sockopt::linger, g->cfg_.linger_ms);
    sock.set(zmq::sockopt::router_mandatory, 1);
    sock.set(zmq::sockopt::curve_server, 1);
    sock.set(zmq::sockopt::curve_secretkey, g->cfg_.server_keys.secret_z85);
    sock.set(zmq::sockopt::zap_domain, "swhub");
    // Hard cap well above the soft limit: frames between the two get a clear
    // frame_too_large receipt; beyond it ZeroMQ drops the connection.
    sock.set(zmq::sockopt::maxmsgsize,
             static_cast<int64_t>(g->cfg_.max_frame_bytes) * 4 + 4096);
    sock.set(zmq::sockopt::sndhwm, 100000);
    sock.set(zmq::sockopt::rcvhwm, 100000);
    sock.bind(g->cfg_.endpoint);
    g->endpoint_ = sock.get(zmq::sockopt::last_endpoint);
    g->sock_ = std::move(sock);
  } catch (const zmq::error_t& e) {
    return caf::make_error(ec::transport_failure,
                           "bind " + g->cfg_.endpoint + ": " + std::string{e.what()});
  }
  return g;
}

void gateway::run(std::vector<intake_actor> intakes, outbox_actor outbox,
                  std::shared_ptr<admission> admitted) {
  intakes_ = std::move(intakes);
  admitted_ = std::move(admitted);
  outbox_ = std::make_shared<outbox_actor>(std::move(outbox));
  // The socket was created on the caller's thread; starting the thread is the full
  // memory barrier ZeroMQ requires before another thread uses it.
  thread_ = std::thread{[this] { loop(); }};
}

void gateway::stop() {
  {
    std::lock_guard<std::mutex> guard{mtx_};
    if (closed_)
      return;
    closed_ = true;
  }
  stop_ = true;
  uint64_t one = 1;
  [[maybe_unused]] auto n = write(wake_fd_, &one, sizeof(one));
  if (thread_.joinable())
    thread_.join();
  else
    sock_.close(); // never ran: close on this (the creating) thread
  zap_.reset();
}

gateway::~gateway() {
  stop();
  if (wake_fd_ >= 0)
    close(wake_fd_);
}

bool gateway::post(outgoing item) {
  {
    std::lock_guard<std::mutex> guard{mtx_};
    if (closed_)
      return false;
    queue_.push_back(std::move(item));
  }
  uint64_t one = 1;
  [[maybe_unused]] auto n = write(wake_fd_, &one, sizeof(one));
  return true;
}

bool gateway::reply(const bytes& route, bytes frame) {
  return post(outgoing{route, {}, std::move(frame), std::nullopt});
}

bool gateway::receipt(const bytes& route, receipt_info r) {
  return post(outgoing{route, {}, {}, std::move(r)});
}

bool gateway::to_party(const std::string& party, bytes frame) {
  return post(outgoing{{}, party, std::move(frame), std::nullopt});
}

void gateway::send_now(const bytes& route, const bytes& frame) {
  try {
    auto r = sock_.send(zmq::buffer(route), zmq::send_flags::sndmore | zmq::send_flags::dontwait);
    if (!r) {
      metrics_.dropped_out++;
      return;
    }
    sock_.send(zmq::buffer(frame), zmq::send_flags::dontwait);
    metrics_.frames_out++;
  } catch (const zmq::error_t& e) {
    // EHOSTUNREACH: the connection is gone (ZMQ_ROUTER_MANDATORY). Forget it; the
    // partner re-sends and gets its receipt, the outbox re-sends notifications.
    metrics_.dropped_out++;
    for (auto i = routes_.begin(); i != routes_.end();)
      i = i->second == route ? routes_.erase(i) : std::next(i);
  }
}

void gateway::drain_outgoing() {
  uint64_t count;
  [[maybe_unused]] auto n = read(wake_fd_, &count, sizeof(count));
  std::deque<outgoing> batch;
  {
    std::lock_guard<std::mutex> guard{mtx_};
    batch.swap(queue_);
  }
  for (auto& item : batch) {
    if (item.receipt) {
      receipts_.emplace_back(std::move(item.route), std::move(*item.receipt));
    } else if (!item.route.empty()) {
      send_now(item.route, item.frame);
    } else if (auto i = routes_.find(item.party); i != routes_.end()) {
      send_now(i->second, item.frame);
    } else {
      metrics_.dropped_out++; // offline: the outbox re-sends after its hello
    }
  }
}

void gateway::reject(const bytes& route, const std::string& party, const bytes& message_id,
                     const caf::error& err) {
  metrics_.rejected++;
  receipts_.emplace_back(route, rejection(party, message_id, err));
}

void gateway::flush_receipts() {
  if (receipts_.empty())
    return;
  std::vector<bytes> leaves;
  leaves.reserve(receipts_.size());
  std::vector<bytes> witnesses(receipts_.size()); // a stored document's evidence record
  auto now = now_ms();
  for (size_t i = 0; i < receipts_.size(); ++i) {
    auto& r = receipts_[i].second;
    if (r.hub_time == 0)
      r.hub_time = now;
    auto leaf = crypto::receipt_leaf_hash(receipt_signing_input(r));
    if (r.evidence_index != 0) {
      witnesses[i] = crypto::evidence_witness_hash(r.evidence_index, r.evidence_hash);
      leaf = crypto::pair_with_witness(leaf, witnesses[i]);
    }
    leaves.push_back(std::move(leaf));
  }
  crypto::signed_receipt_batch signed_batch;
  std::string key_id;
  if (cfg_.signer) {
    auto b = crypto::sign_receipt_batch(*cfg_.signer, leaves);
    if (b) {
      signed_batch = std::move(*b);
      key_id = cfg_.signer->key_id();
      metrics_.receipt_batches++;
    } else {
      log::error("gateway", "receipt batch not signed: " + context_text(b.error()));
    }
  }
  for (size_t i = 0; i < receipts_.size(); ++i) {
    std::vector<bytes> path;
    if (!signed_batch.paths.empty()) {
      if (!witnesses[i].empty())
        path.push_back(crypto::witness_path_entry(witnesses[i]));
      auto& rest = signed_batch.paths[i];
      path.insert(path.end(), rest.begin(), rest.end());
    }
    send_now(receipts_[i].first,
             receipt_frame(receipts_[i].second, key_id, signed_batch.signature, path));
  }
  receipts_.clear();
}

void gateway::handle(zmq::message_t& route_msg, std::vector<zmq::message_t>& parts) {
  metrics_.frames_in++;
  bytes route(static_cast<const uint8_t*>(route_msg.data()),
              static_cast<const uint8_t*>(route_msg.data()) + route_msg.size());
  if (parts.size() != 1)
    return reject(route, {}, {}, caf::make_error(ec::unexpected_frame,
                                             "send exactly one message part per frame, got "
                                               + std::to_string(parts.size())));
  auto& part = parts[0];
  std::string party, curve_key;
  try {
    std::string user = part.gets("User-Id"); // "<party>#<curve key>", set by the ZAP handler
    auto hash = user.find('#');
    party = user.substr(0, hash);
    curve_key = hash == std::string::npos ? std::string{} : user.substr(hash + 1);
  } catch (const zmq::error_t&) {
    return reject(route, {}, {}, caf::make_error(ec::malformed_frame, "unauthenticated"));
  }
  auto registry = registry_->get();
  // A connection outlives its handshake: refuse its frames once the key's rotation
  // overlap ended (the refusal names the envelope's message id where there is one).
  caf::error key_refusal;
  if (!registry->curve_key_valid(party, curve_key, now_ms()))
    key_refusal = caf::make_error(ec::key_expired, "this connection's CURVE key is no longer "
                                                   "valid for " + party
                                                     + "; reconnect with the new key");
  auto msg = aligned_message::copy(static_cast<const uint8_t*>(part.data()), part.size());
  if (part.size() > cfg_.max_frame_bytes) {
    // Below ZeroMQ's hard cap (4x the limit): read just the message id, so the
    // partner can match the refusal to what it sent.
    bytes message_id;
    if (msg)
      with_root<wire::Frame>(*msg, ec::malformed_frame, [&message_id](wire::Frame::Reader f) {
        if (f.isEnvelope()) {
          auto id = f.getEnvelope().getMessageId();
          message_id.assign(id.begin(), id.begin() + std::min<size_t>(id.size(), 64));
        }
        return caf::error{};
      });
    return reject(route, party, message_id,
                  caf::make_error(ec::frame_too_large,
                                  std::to_string(part.size()) + " bytes, the limit is "
                                    + std::to_string(cfg_.max_frame_bytes)));
  }
  if (!msg)
    return reject(route, party, {}, msg.error());
  routes_[party] = route;
  auto shard = [this, &party] {
    return intakes_[std::hash<std::string>{}(party) % intakes_.size()];
  };
  // Hands the frame to the party's intake if a slot is free; hub_busy otherwise.
  auto to_intake = [&, this](const bytes& message_id) {
    if (!admitted_->try_admit()) {
      metrics_.busy++;
      reject(route, party, message_id,
             caf::make_error(ec::hub_busy, std::to_string(admitted_->limit())
                                             + " frames in progress; send again shortly"));
      return;
    }
    bytes frame(static_cast<const uint8_t*>(part.data()),
                static_cast<const uint8_t*>(part.data()) + part.size());
    caf::anon_send(shard(), atom::submit_v, submission{party, route, std::move(frame)});
  };
  auto err = with_root<wire::Frame>(*msg, ec::malformed_frame, [&](wire::Frame::Reader f) {
    switch (f.which()) {
      case wire::Frame::HELLO:
        if (key_refusal)
          return key_refusal;
        caf::anon_send(*outbox_, atom::online_v, party, route);
        return caf::error{};
      case wire::Frame::ENVELOPE: {
        auto env = f.getEnvelope();
        auto id = env.getMessageId();
        bytes message_id(id.begin(), id.begin() + std::min<size_t>(id.size(), 64));
        std::string type = env.getDocumentType();
        auto* me = registry->by_id(party);
        caf::error refusal;
        if (key_refusal)
          refusal = key_refusal;
        else if (env.getSender() != party)
          refusal = caf::make_error(ec::spoofed_sender,
                                    "sender \"" + std::string{env.getSender().cStr()}.substr(0, 64)
                                      + "\" is not the authenticated party \"" + party + "\"");
        else if (find_document_type(type) == nullptr)
          refusal = caf::make_error(ec::unknown_document_type,
                                    "documentType \"" + type.substr(0, 64) + "\" is not known");
        else if (me == nullptr || !registry->may_send(me->role, type))
          refusal = caf::make_error(ec::role_not_allowed,
                                    "role \"" + (me ? me->role : std::string{"?"})
                                      + "\" may not send " + type);
        if (refusal) {
          reject(route, party, message_id, refusal);
          return caf::error{};
        }
        to_intake(message_id);
        return caf::error{};
      }
      case wire::Frame::STATUS_QUERY:
        if (key_refusal)
          return key_refusal;
        to_intake({});
        return caf::error{};
      case wire::Frame::ACK: {
        if (key_refusal)
          return key_refusal;
        auto ack = f.getAck();
        auto more = ack.getMore();
        if (more.size() >= max_ack_ids)
          return caf::make_error(ec::malformed_frame,
                                 "an ack frame acknowledges at most "
                                   + std::to_string(max_ack_ids) + " notifications; this one "
                                   + std::to_string(more.size() + 1)
                                   + " (send them in several frames)");
        std::vector<uint64_t> ids;
        ids.reserve(more.size() + 1);
        ids.push_back(ack.getNotificationId());
        for (auto id : more)
          ids.push_back(id);
        caf::anon_send(*outbox_, atom::ack_v, party, std::move(ids), route);
        return caf::error{};
      }
      default:
        return caf::make_error(ec::unexpected_frame,
                               "partners send hello, envelope, ack or statusQuery frames");
    }
  });
  if (err)
    reject(route, party, {}, err);
}

void gateway::loop() {
  zmq::pollitem_t items[] = {
    {sock_.handle(), 0, ZMQ_POLLIN, 0},
    {nullptr, wake_fd_, ZMQ_POLLIN, 0},
  };
  std::vector<zmq::message_t> parts;
  while (!stop_) {
    try {
      zmq::poll(items, 2, std::chrono::milliseconds{-1});
      if (items[1].revents & ZMQ_POLLIN)
        drain_outgoing();
      // Bounded batch so that outgoing receipts are not starved by a flood.
      for (int i = 0; i < 256 && !stop_; ++i) {
        parts.clear();
        if (!zmq::recv_multipart(sock_, std::back_inserter(parts), zmq::recv_flags::dontwait))
          break;
        if (parts.empty())
          continue;
        auto route = std::move(parts.front());
        parts.erase(parts.begin());
        handle(route, parts);
      }
      // Everything answered in this pass is signed as one batch.
      flush_receipts();
    } catch (const zmq::error_t& e) {
      if (e.num() == EINTR)
        continue;
      if (e.num() == ETERM)
        break;
      log::error("gateway", std::string{"socket loop: "} + e.what());
    }
  }
  drain_outgoing(); // last receipts out before the socket closes
  flush_receipts();
  sock_.close();
}

} // namespace hub
