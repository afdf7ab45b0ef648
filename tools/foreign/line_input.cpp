#include "tools/foreign/line_input.hpp"

#include <poll.h>
#include <pthread.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>

namespace foreign {

line_input::line_input(int fd) : fd_(fd) {
  sigset_t stop_signals, old;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, &old);
  thread_ = std::thread{[this] { run(); }};
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
}

line_input::~line_input() {
  finish();
}

void line_input::stop() {
  {
    std::lock_guard<std::mutex> guard{mutex_};
    stop_.store(true);
  }
  not_full_.notify_all();
}

void line_input::finish() {
  stop();
  if (thread_.joinable())
    thread_.join();
}

size_t line_input::take(std::deque<input_line>& out) {
  size_t n = 0;
  {
    std::lock_guard<std::mutex> guard{mutex_};
    n = lines_.size();
    for (auto& l : lines_)
      out.push_back(std::move(l));
    lines_.clear();
    queued_bytes_ = 0;
  }
  not_full_.notify_all();
  return n;
}

void line_input::push(input_line l) {
  std::unique_lock<std::mutex> lock{mutex_};
  // Full: wait for the main loop (a stop lets everything read so far in).
  not_full_.wait(lock, [this] {
    return stop_.load() || (lines_.size() < max_queued_lines && queued_bytes_ < max_queued_bytes);
  });
  queued_bytes_ += l.text.size();
  lines_.push_back(std::move(l));
}

void line_input::run() {
  input_line current;
  current.number = 1;
  auto end_line = [&] {
    if (!current.text.empty() && current.text.back() == '\r')
      current.text.pop_back();
    bool blank = current.text.find_first_not_of(" \t") == std::string::npos;
    if (current.too_long || !blank)
      push(std::move(current));
    current = input_line{};
  };
  size_t number = 1;
  char buf[65536];
  while (!stop_.load()) {
    pollfd p{fd_, POLLIN, 0};
    int rc = ::poll(&p, 1, 100);
    if (rc < 0 && errno != EINTR)
      break;
    if (rc <= 0)
      continue;
    auto n = ::read(fd_, buf, sizeof(buf));
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN)
        continue;
      break;
    }
    if (n == 0)
      break; // EOF
    for (ssize_t i = 0; i < n; ++i) {
      char ch = buf[i];
      if (ch == '\n') {
        current.number = number++;
        end_line();
      } else if (!current.too_long) {
        current.text.push_back(ch);
        if (current.text.size() > max_line_bytes) {
          current.text.clear();
          current.text.shrink_to_fit();
          current.too_long = true;
        }
      }
    }
  }
  // At EOF, or at a stop: the last line read, even without its newline, is queued.
  if (!current.text.empty() || current.too_long) {
    current.number = number;
    end_line();
  }
  closed_.store(true);
}

} // namespace foreign
