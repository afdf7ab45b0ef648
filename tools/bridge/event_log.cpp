#include "tools/bridge/event_log.hpp"

#include <iostream>
#include <mutex>

#include "actors/core/frames.hpp"

namespace bridge {

namespace {

std::mutex log_mutex;

std::string one_line(const nlohmann::ordered_json& j) {
  // Replacement of invalid UTF-8 keeps a hostile text from aborting the dump.
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

} // namespace

void log_event(std::string_view event, const nlohmann::ordered_json& fields) {
  nlohmann::ordered_json j{{"ts", hub::now_ms()}, {"event", event}};
  if (fields.is_object())
    for (auto& [key, value] : fields.items())
      j[key] = value;
  auto line = one_line(j);
  std::lock_guard<std::mutex> guard{log_mutex};
  std::cerr << line << std::endl;
}

void print_stdout(const nlohmann::ordered_json& j) {
  std::cout << one_line(j) << std::endl;
}

} // namespace bridge
