#include "tools/bridge/process.hpp"

#include <csignal>
#include <iostream>

#include <nlohmann/json.hpp>

namespace bridge {

namespace {

std::atomic<bool> stop_requested{false};

extern "C" void on_stop_signal(int) {
  stop_requested.store(true); // lock-free: async-signal-safe
}

} // namespace

const std::atomic<bool>& install_stop_handlers() {
  struct sigaction sa = {};
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0; // no SA_RESTART: a blocking wait returns and the loop looks at the flag
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);
  std::signal(SIGPIPE, SIG_IGN); // a bridge consumer that went away is not a crash
  return stop_requested;
}

int usage_error(const std::string& reason) {
  nlohmann::ordered_json j{{"error", "usage"}, {"reason", reason}};
  std::cerr << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << std::endl;
  return 1;
}

} // namespace bridge
