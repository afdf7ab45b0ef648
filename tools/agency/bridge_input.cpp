#include "tools/agency/bridge_input.hpp"

#include <poll.h>
#include <pthread.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>

namespace agency {

namespace {

/// A line longer than this is not a decision; it is dropped up to its newline.
constexpr size_t max_line = 1 << 20;

} // namespace

bridge_input::bridge_input(int fd) : fd_(fd) {
  // The thread inherits the signal mask: block the stop signals around its start so
  // SIGTERM/SIGINT are delivered to the main thread only.
  sigset_t stop_signals, old;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, &old);
  thread_ = std::thread{[this] { run(); }};
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
}

bridge_input::~bridge_input() {
  stop();
  if (thread_.joinable())
    thread_.join();
}

void bridge_input::stop() {
  stop_.store(true);
}

size_t bridge_input::take(std::deque<std::string>& out) {
  std::lock_guard<std::mutex> guard{mutex_};
  auto n = lines_.size();
  for (auto& l : lines_)
    out.push_back(std::move(l));
  lines_.clear();
  return n;
}

void bridge_input::run() {
  std::string partial;
  bool skipping = false; // inside an over-long line
  char buf[4096];
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
        if (!skipping && !partial.empty()) {
          if (partial.back() == '\r')
            partial.pop_back();
          std::lock_guard<std::mutex> guard{mutex_};
          lines_.push_back(std::move(partial));
        }
        partial.clear();
        skipping = false;
      } else if (!skipping) {
        partial.push_back(ch);
        if (partial.size() > max_line) {
          partial.clear();
          skipping = true;
        }
      }
    }
  }
  if (!stop_.load() && !partial.empty() && !skipping) {
    std::lock_guard<std::mutex> guard{mutex_};
    lines_.push_back(std::move(partial));
  }
  closed_.store(true);
}

} // namespace agency
