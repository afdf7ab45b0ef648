#pragma once
// JSON-lines logging for the hub (CAF's own logging is compiled out in Debian).
// One line per event: {"ts":..., "level":..., "component":..., "msg":...}.

#include <string>
#include <string_view>

namespace hub::log {

/// Sets the threshold ("trace" ... "off"); lines go to stderr.
void init(std::string_view level);

void debug(std::string_view component, std::string_view msg);
void info(std::string_view component, std::string_view msg);
void warn(std::string_view component, std::string_view msg);
void error(std::string_view component, std::string_view msg);

} // namespace hub::log
