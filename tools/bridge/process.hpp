#pragma once
// What a bridge's main needs around its loop: SIGTERM/SIGINT set a flag the loop looks
// at (no SA_RESTART: a blocking wait returns), a consumer that went away (SIGPIPE) is
// not a crash, and a usage error is a JSON line on stderr with exit code 1.

#include <atomic>
#include <string>

namespace bridge {

/// Installs the handlers once; the flag turns true on SIGTERM or SIGINT.
const std::atomic<bool>& install_stop_handlers();

/// {"error":"usage","reason":...} on stderr; returns 1.
int usage_error(const std::string& reason);

} // namespace bridge
