#pragma once
// Bridge mode input: a thread reads lines from stdin, numbered from 1, and queues them
// for the main loop (which owns the hub connection). The queue is bounded: the reader
// blocks while it is full, so the rest stays in the pipe. It polls, so it notices a
// stop without input, and blocks the stop signals so they reach the main thread. On a
// stop, every line already taken from the pipe (the last one even if cut off) is
// still queued before the thread ends.

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <string>
#include <thread>

namespace foreign {

struct input_line {
  size_t number = 0;
  std::string text;
  bool too_long = false; ///< longer than max_line_bytes: text is empty
};

class line_input {
public:
  static constexpr size_t max_line_bytes = 1 << 20;
  /// The reader waits while this many lines, or this many bytes, are queued.
  static constexpr size_t max_queued_lines = 4096;
  static constexpr size_t max_queued_bytes = 8 << 20;

  explicit line_input(int fd = 0);
  ~line_input();
  line_input(const line_input&) = delete;
  line_input& operator=(const line_input&) = delete;

  /// Moves the lines read so far into `out`; returns how many.
  size_t take(std::deque<input_line>& out);
  /// True once the input ended (EOF or a read error) and every line was queued.
  bool closed() const { return closed_.load(); }
  void stop();
  /// Stops the reader and waits for it: after this, take() returns every line it read.
  void finish();

private:
  void run();
  void push(input_line l);

  int fd_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> closed_{false};
  std::mutex mutex_;
  std::condition_variable not_full_;
  std::deque<input_line> lines_;
  size_t queued_bytes_ = 0;
  std::thread thread_;
};

} // namespace foreign
