#include "tests/support/agency_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <thread>

#include <catch2/catch.hpp>

#include "actors/core/error.hpp"

namespace hub::test {

namespace {

std::vector<nlohmann::json> json_lines(const std::string& text) {
  std::vector<nlohmann::json> out;
  std::istringstream in{text};
  std::string line;
  while (std::getline(in, line)) {
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (!j.is_discarded() && j.is_object())
      out.push_back(std::move(j));
  }
  return out;
}

} // namespace

std::string write_party_key_files(const temp_dir& dir, const test_party& party) {
  auto stem = dir.file(party.id);
  auto err = write_curve_keypair(stem, party.keys);
  if (err)
    FAIL("write keys of " << party.id << ": " << context_text(err));
  if (party.signing)
    std::ofstream{stem + ".sign.pem"} << party.signing->pem();
  return stem;
}

agency_process::agency_process(const temp_dir& dir, const hub_process& hub,
                               const std::string& key, const std::string& state,
                               const std::vector<std::string>& args, const std::string& name,
                               const std::string& program)
  : dir_(dir), name_(name) {
  std::vector<std::string> argv_text{program,      "--endpoint",    hub.endpoint(),
                                     "--hub-key",        dir.file("hub.curve.pub"),
                                     "--key",            key,
                                     "--state",          state,
                                     "--timeout-ms",     "3000",
                                     "--retry-max-ms",   "1000"};
  argv_text.insert(argv_text.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_text)
    argv.push_back(a.data());
  argv.push_back(nullptr);
  int in_pipe[2];
  REQUIRE(pipe(in_pipe) == 0);
  auto log_file = dir.file(name + ".log");
  auto out_file = dir.file(name + ".out");
  pid_ = fork();
  REQUIRE(pid_ >= 0);
  if (pid_ == 0) {
    dup2(in_pipe[0], 0);
    close(in_pipe[0]);
    close(in_pipe[1]);
    int err_fd = open(log_file.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    int out_fd = open(out_file.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (err_fd >= 0)
      dup2(err_fd, 2);
    if (out_fd >= 0)
      dup2(out_fd, 1);
    execv(program.c_str(), argv.data());
    _exit(127);
  }
  close(in_pipe[0]);
  stdin_fd_ = in_pipe[1];
  fcntl(stdin_fd_, F_SETFD, FD_CLOEXEC); // not inherited by later children
}

agency_process::~agency_process() {
  if (pid_ > 0)
    kill9();
  if (stdin_fd_ >= 0)
    close(stdin_fd_);
}

int agency_process::terminate(std::chrono::seconds timeout) {
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

void agency_process::kill9() {
  if (pid_ <= 0)
    return;
  kill(pid_, SIGKILL);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
}

bool agency_process::running() {
  if (pid_ <= 0)
    return false;
  int status = 0;
  if (waitpid(pid_, &status, WNOHANG) == pid_) {
    pid_ = -1;
    return false;
  }
  return true;
}

int agency_process::wait_exit(std::chrono::milliseconds timeout) {
  if (pid_ <= 0)
    return -1;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  int status = 0;
  for (;;) {
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    if (std::chrono::steady_clock::now() >= deadline)
      return -1;
    std::this_thread::sleep_for(std::chrono::milliseconds{20});
  }
}

void agency_process::close_input() {
  if (stdin_fd_ >= 0)
    close(stdin_fd_);
  stdin_fd_ = -1;
}

std::vector<nlohmann::json> agency_process::events() const {
  return json_lines(log());
}

size_t agency_process::count(const std::string& event, const std::string& case_id) const {
  size_t n = 0;
  for (auto& e : events())
    if (e.value("event", "") == event && (case_id.empty() || e.value("caseId", "") == case_id))
      ++n;
  return n;
}

nlohmann::json agency_process::wait_event(const std::function<bool(const nlohmann::json&)>& pred,
                                          std::chrono::milliseconds limit,
                                          const std::string& what) {
  auto until = std::chrono::steady_clock::now() + limit;
  for (;;) {
    for (auto& e : events())
      if (pred(e))
        return e;
    if (std::chrono::steady_clock::now() >= until)
      break;
    std::this_thread::sleep_for(std::chrono::milliseconds{20});
  }
  FAIL(name_ << ": no " << what << " within " << limit.count() << " ms; log:\n" << log());
  return {};
}

nlohmann::json agency_process::wait_event(const std::string& event, const std::string& case_id,
                                          std::chrono::milliseconds limit) {
  return wait_event(
    [&](const nlohmann::json& e) {
      return e.value("event", "") == event
             && (case_id.empty() || e.value("caseId", "") == case_id);
    },
    limit, "\"" + event + "\" event" + (case_id.empty() ? "" : " for case " + case_id));
}

std::vector<nlohmann::json> agency_process::output() const {
  return json_lines(read_text(dir_.file(name_ + ".out")));
}

void agency_process::write_line(const std::string& line) {
  REQUIRE(stdin_fd_ >= 0);
  auto data = line + "\n";
  size_t off = 0;
  while (off < data.size()) {
    auto n = ::write(stdin_fd_, data.data() + off, data.size() - off);
    REQUIRE(n > 0);
    off += static_cast<size_t>(n);
  }
}

std::string agency_process::log() const {
  return read_text(dir_.file(name_ + ".log"));
}

} // namespace hub::test
