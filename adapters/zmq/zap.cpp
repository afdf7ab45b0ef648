#include "adapters/zmq/zap.hpp"

#include <array>
#include <vector>

#include <zmq_addon.hpp>

#include "actors/core/error.hpp"
#include "actors/core/frames.hpp"
#include "actors/core/log.hpp"
#include "actors/registry/party_registry.hpp"

namespace hub {

caf::expected<std::unique_ptr<zap_handler>>
zap_handler::start(zmq::context_t& ctx, std::shared_ptr<const registry_holder> registry) {
  std::unique_ptr<zap_handler> h{new zap_handler};
  h->registry_ = std::move(registry);
  try {
    zmq::socket_t sock{ctx, zmq::socket_type::rep};
    sock.set(zmq::sockopt::linger, 0);
    sock.bind("inproc://zeromq.zap.01");
    // Starting the thread is the full memory barrier ZeroMQ needs to move a socket.
    h->thread_ = std::thread{[p = h.get(), s = std::move(sock)]() mutable { p->run(std::move(s)); }};
  } catch (const zmq::error_t& e) {
    return caf::make_error(ec::transport_failure, std::string{"ZAP bind: "} + e.what());
  }
  return h;
}

zap_handler::~zap_handler() {
  stop_ = true;
  if (thread_.joinable())
    thread_.join();
}

void zap_handler::run(zmq::socket_t sock) {
  zmq::pollitem_t items[] = {{sock.handle(), 0, ZMQ_POLLIN, 0}};
  while (!stop_) {
    try {
      zmq::poll(items, 1, std::chrono::milliseconds{100});
      if (!(items[0].revents & ZMQ_POLLIN))
        continue;
      std::vector<zmq::message_t> req;
      if (!zmq::recv_multipart(sock, std::back_inserter(req)))
        continue;
      // version, request id, domain, address, identity, mechanism, credentials...
      std::string status = "400", text = "unknown key", user;
      if (req.size() >= 7 && req[0].to_string_view() == "1.0"
          && req[5].to_string_view() == "CURVE" && req[6].size() == 32) {
        std::array<char, 41> z85{};
        zmq_z85_encode(z85.data(), static_cast<const uint8_t*>(req[6].data()), 32);
        auto reg = registry_->get();
        if (auto found = reg->by_curve_key(z85.data())) {
          auto [p, key] = *found;
          if (!p->enabled) {
            text = "party disabled";
          } else if (!key->valid_at(now_ms())) {
            text = "key expired or not yet valid";
          } else {
            status = "200";
            text = "OK";
            user = p->id + "#" + z85.data();
          }
        }
        if (status != "200") {
          refused_++;
          // A refused client reconnects every few hundred ms: log the 1st, 10th,
          // 100th... refusal of each key, not every one.
          auto n = ++refusals_[z85.data()];
          if (n == 1 || n == 10 || n == 100 || n % 1000 == 0)
            log::warn("zap", "refused connection from " + req[3].to_string() + " key "
                               + std::string{z85.data()} + ": " + text + " (refusal "
                               + std::to_string(n) + ")");
        }
      } else {
        text = "CURVE required";
        refused_++;
      }
      std::array<zmq::const_buffer, 6> rep{
        zmq::str_buffer("1.0"), zmq::buffer(req.size() > 1 ? req[1].data() : nullptr,
                                            req.size() > 1 ? req[1].size() : 0),
        zmq::buffer(status), zmq::buffer(text), zmq::buffer(user), zmq::str_buffer("")};
      zmq::send_multipart(sock, rep);
    } catch (const zmq::error_t& e) {
      if (e.num() == ETERM)
        break;
      log::error("zap", std::string{"ZAP handler: "} + e.what());
    }
  }
}

} // namespace hub
