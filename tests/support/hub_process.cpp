#include "tests/support/hub_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <thread>

#include <catch2/catch.hpp>

#include "actors/core/error.hpp"

namespace hub::test {

namespace {

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' '))
    s.pop_back();
  return s;
}

} // namespace

hub_process::hub_process(const temp_dir& dir, std::string config)
  : dir_(dir), config_(std::move(config)) {
  auto endpoint_file = dir_.file("endpoint");
  std::filesystem::remove(endpoint_file);
  auto log_file = dir_.file("swhubd.log");
  pid_ = fork();
  REQUIRE(pid_ >= 0);
  if (pid_ == 0) {
    int fd = open(log_file.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
      dup2(fd, 2);
      dup2(fd, 1);
    }
    execl(SWHUBD_PATH, "swhubd", "--config", config_.c_str(), "--endpoint-file",
          endpoint_file.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds{20};
  while (std::chrono::steady_clock::now() < deadline) {
    endpoint_ = trim(read_text(endpoint_file));
    if (!endpoint_.empty())
      break;
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      FAIL("swhubd exited during start: " << log());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds{20});
  }
  REQUIRE_FALSE(endpoint_.empty());
  auto key = read_curve_public(dir_.file("hub.curve.pub"));
  REQUIRE(key);
  server_key_ = *key;
}

hub_process::~hub_process() {
  if (pid_ > 0)
    kill9();
}

int hub_process::terminate(std::chrono::seconds timeout) {
  if (pid_ <= 0)
    return -1;
  kill(pid_, SIGTERM);
  auto deadline = std::chrono::steady_clock::now() + timeout;
  int status = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds{20});
  }
  kill9();
  return -1;
}

void hub_process::kill9() {
  if (pid_ <= 0)
    return;
  kill(pid_, SIGKILL);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
}

bool hub_process::running() {
  if (pid_ <= 0)
    return false;
  int status = 0;
  if (waitpid(pid_, &status, WNOHANG) == pid_) {
    pid_ = -1;
    return false;
  }
  return true;
}

std::string hub_process::log() const {
  return read_text(dir_.file("swhubd.log"));
}

client_options hub_process::options_for(const test_party& party) const {
  client_options opts;
  opts.endpoint = endpoint_;
  opts.server_public_key = server_key_;
  opts.keys = party.keys;
  opts.client_name = "swhub-test";
  opts.timeout = std::chrono::milliseconds{5000};
  return opts;
}

std::unique_ptr<partner_client> hub_process::connect(zmq::context_t& ctx,
                                                     const test_party& party) const {
  auto c = partner_client::connect(ctx, options_for(party));
  if (!c)
    FAIL("connect " << party.id << ": " << context_text(c.error()) << "\n" << log());
  return std::move(*c);
}

} // namespace hub::test
