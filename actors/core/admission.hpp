#pragma once
// Admission control between the gateway and intake: at most `limit` partner frames
// handed to intake and not yet answered. Beyond it the gateway answers hub_busy
// (retryable) at once instead of letting actor mailboxes grow without bound.
// Thread-safe: the gateway thread admits, intake actors release.

#include <atomic>
#include <cstddef>

namespace hub {

class admission {
public:
  explicit admission(size_t limit) : limit_(limit) {}

  /// Takes one slot; false if all are taken (the caller refuses the frame).
  bool try_admit() {
    auto now = in_flight_.fetch_add(1, std::memory_order_relaxed);
    if (now < limit_)
      return true;
    in_flight_.fetch_sub(1, std::memory_order_relaxed);
    return false;
  }

  /// Gives one slot back: called once per admitted frame, when it is answered.
  void release() { in_flight_.fetch_sub(1, std::memory_order_relaxed); }

  size_t in_flight() const { return in_flight_.load(std::memory_order_relaxed); }
  size_t limit() const { return limit_; }

private:
  const size_t limit_;
  std::atomic<size_t> in_flight_{0};
};

} // namespace hub
