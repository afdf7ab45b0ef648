#include "actors/core/log.hpp"

#include <memory>

#include <nlohmann/json.hpp>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

namespace hub::log {

namespace {

std::shared_ptr<spdlog::logger>& logger() {
  static std::shared_ptr<spdlog::logger> instance = [] {
    auto l = spdlog::stderr_logger_mt("swhub");
    // The message is already a JSON object without its closing brace (see emit).
    l->set_pattern(R"({"ts":"%Y-%m-%dT%H:%M:%S.%fZ","level":"%l",%v)", spdlog::pattern_time_type::utc);
    l->flush_on(spdlog::level::info);
    return l;
  }();
  return instance;
}

void emit(spdlog::level::level_enum lvl, std::string_view component, std::string_view msg) {
  auto& l = logger();
  if (!l->should_log(lvl))
    return;
  nlohmann::json c = std::string{component};
  nlohmann::json m = std::string{msg};
  auto line = "\"component\":" + c.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
              + ",\"msg\":" + m.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
              + "}";
  l->log(lvl, "{}", line);
}

} // namespace

void init(std::string_view level) {
  logger()->set_level(spdlog::level::from_str(std::string{level}));
}

void debug(std::string_view c, std::string_view m) { emit(spdlog::level::debug, c, m); }
void info(std::string_view c, std::string_view m) { emit(spdlog::level::info, c, m); }
void warn(std::string_view c, std::string_view m) { emit(spdlog::level::warn, c, m); }
void error(std::string_view c, std::string_view m) { emit(spdlog::level::err, c, m); }

} // namespace hub::log
