#pragma once
// A bridge's log: one JSON object per line on stderr, {"ts": Unix ms, "event": name,
// ...fields}, flushed per line so a supervisor (or a test) can follow it.

#include <string_view>

#include <nlohmann/json.hpp>

namespace bridge {

/// Writes {"ts", "event", ...fields} as one line on stderr (thread-safe).
void log_event(std::string_view event, const nlohmann::ordered_json& fields = {});

/// Writes `j` as one line on stdout and flushes (bridge mode output; main thread only).
void print_stdout(const nlohmann::ordered_json& j);

} // namespace bridge
