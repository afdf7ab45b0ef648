#pragma once
// The real swhubd as a child process, for integration and fault tests: started on a
// generated config, ready once it wrote its endpoint file, stopped with SIGTERM or
// killed with SIGKILL.

#include <sys/types.h>

#include <chrono>
#include <memory>
#include <string>

#include <zmq.hpp>

#include "adapters/zmq/client.hpp"
#include "tests/support/support.hpp"

namespace hub::test {

class hub_process {
public:
  /// Starts swhubd on `config` (in `dir`) and waits until it is ready (REQUIREs it).
  hub_process(const temp_dir& dir, std::string config);
  ~hub_process(); // SIGKILL if still running

  /// SIGTERM and wait; returns the exit status (or -1 on timeout, then SIGKILL).
  int terminate(std::chrono::seconds timeout = std::chrono::seconds{20});
  /// SIGKILL and reap: the crash every receipt must survive.
  void kill9();
  bool running();

  const std::string& endpoint() const { return endpoint_; }
  const std::string& server_public_key() const { return server_key_; }
  std::string log() const;

  /// Client options for `party` against this hub.
  client_options options_for(const test_party& party) const;

  /// Connects `party` (REQUIREs success).
  std::unique_ptr<partner_client> connect(zmq::context_t& ctx, const test_party& party) const;

private:
  const temp_dir& dir_;
  std::string config_;
  pid_t pid_ = -1;
  std::string endpoint_;
  std::string server_key_;
};

} // namespace hub::test
