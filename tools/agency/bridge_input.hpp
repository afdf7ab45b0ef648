#pragma once
// Bridge mode input: a thread reads decision lines from stdin and queues them for the
// main loop, which owns the hub connection. The thread polls, so it notices a stop
// without needing input, and it blocks the stop signals so they reach the main thread.

#include <atomic>
#include <deque>
#include <mutex>
#include <string>
#include <thread>

namespace agency {

class bridge_input {
public:
  /// Starts reading file descriptor `fd` (stdin) until EOF or stop().
  explicit bridge_input(int fd = 0);
  ~bridge_input(); // stop() and join
  bridge_input(const bridge_input&) = delete;
  bridge_input& operator=(const bridge_input&) = delete;

  /// Moves the lines read so far into `out` (appending); returns how many.
  size_t take(std::deque<std::string>& out);
  /// True once the input ended (EOF or a read error).
  bool closed() const { return closed_.load(); }
  void stop();

private:
  void run();

  int fd_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> closed_{false};
  std::mutex mutex_;
  std::deque<std::string> lines_;
  std::thread thread_;
};

} // namespace agency
