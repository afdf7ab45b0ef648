#include "bench/common/hub_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include "actors/core/error.hpp"

namespace bench {

namespace {

namespace fs = std::filesystem;

/// The shipped permission table (config/roles.toml of the source tree this bench was
/// built from): the hub.toml the bench writes names it, so the bench measures the hub
/// under the same table as config/hub.toml.
constexpr const char* roles_file = SWHUB_BENCH_SOURCE_DIR "/config/roles.toml";

std::string read_all(const std::string& path) {
  std::ifstream in{path};
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' '))
    s.pop_back();
  return s;
}

/// waitpid without blocking; true (and `status` set) once the child has exited.
bool reaped(pid_t pid, int& status) {
  return waitpid(pid, &status, WNOHANG) == pid;
}

int exit_code(int status) {
  if (WIFEXITED(status))
    return WEXITSTATUS(status);
  if (WIFSIGNALED(status))
    return -WTERMSIG(status);
  return -1;
}

void parse_log(const std::string& path, hub_counters& c) {
  static const std::regex stopped{
    R"(stopped: accepted (\d+), duplicates (\d+), rejected (\d+), commits (\d+))"};
  std::ifstream in{path};
  std::string line;
  while (std::getline(in, line)) {
    std::smatch m;
    if (std::regex_search(line, m, stopped)) {
      c.found = true;
      c.accepted = std::stoull(m[1]);
      c.duplicates = std::stoull(m[2]);
      c.rejected = std::stoull(m[3]);
      c.commits = std::stoull(m[4]);
      static const std::regex busy{R"(, busy (\d+))"}; // newer swhubd only
      std::smatch b;
      if (std::regex_search(line, b, busy))
        c.busy = std::stoull(b[1]);
    }
    bool warn = line.find("\"level\":\"warning\"") != std::string::npos
                || line.find("\"level\":\"warn\"") != std::string::npos;
    bool err = line.find("\"level\":\"error\"") != std::string::npos
               || line.find("\"level\":\"critical\"") != std::string::npos;
    c.warnings += warn ? 1 : 0;
    c.errors += err ? 1 : 0;
    if ((warn || err) && c.first_problem.empty())
      c.first_problem = line.substr(0, 300);
  }
}

} // namespace

std::vector<bench_party> make_parties(size_t count, const std::string& key_dir,
                                      std::string& error) {
  std::vector<bench_party> out;
  for (size_t i = 1; i <= count; ++i) {
    char id[32];
    std::snprintf(id, sizeof id, "ENT-BENCH-%04zu", i);
    auto keys = hub::generate_curve_keypair();
    if (!keys) {
      error = "generate CURVE key: " + hub::context_text(keys.error());
      return {};
    }
    auto stem = key_dir + "/" + id;
    if (auto err = hub::write_curve_keypair(stem, *keys)) {
      error = "write CURVE key: " + hub::context_text(err);
      return {};
    }
    if (auto err = hub::write_signing_keypair(stem)) {
      error = "write signing key: " + hub::context_text(err);
      return {};
    }
    out.push_back({id, *keys, stem});
  }
  return out;
}

hub_process::~hub_process() {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    int status = 0;
    waitpid(pid_, &status, 0);
  }
}

std::string hub_process::write_config(const hub_settings& s) const {
  std::ostringstream t;
  // log-level "info": the counters line at SIGTERM is logged at info, and swhubd logs
  // nothing per document at info, so this costs nothing during the run. The hub's
  // signing key goes to the temp dir too (its default path is relative to the cwd).
  t << "[hub]\nid = \"CN-SWHUB-BENCH\"\ndata-dir = '" << s.dir << "/data'\n"
    << "log-level = \"info\"\nsigning-key-file = '" << s.dir << "/keys/hub.sign.pem'\n"
    << "roles-file = '" << roles_file << "'\n";
  if (s.caf_threads > 0)
    t << "caf-threads = " << s.caf_threads << "\n";
  t << "\n[gateway]\nendpoint = \"tcp://127.0.0.1:*\"\n"
    << "server-secret-key-file = '" << secret_key_file_ << "'\n"
    << "\n[store]\ncommit-max-batch = " << s.commit_max_batch
    << "\ncommit-interval-us = " << s.commit_interval_us << "\n"
    << "\n[intake]\nworkers = " << s.intake_workers << "\n";
  if (s.require_signatures)
    t << "\n[signatures.required]\n\"customs.declaration\" = [\"enterprise\"]\n";
  if (!extra_toml_.empty())
    t << "\n" << extra_toml_ << "\n";
  for (auto& p : s.parties) {
    t << "\n[[party]]\nid = \"" << p.id << "\"\nrole = \"" << p.role << "\"\nname = \"Bench partner "
      << p.id << "\"\ncurve-public-key = \"" << p.keys.public_z85 << "\"\n";
    if (s.require_signatures)
      t << "\n[[party.signing-key]]\npublic-key-file = '" << p.sign_stem << ".sign.pub.pem'\n";
  }
  auto path = s.dir + "/hub.toml";
  std::ofstream out{path};
  out << t.str();
  return out ? path : std::string{};
}

std::string hub_process::start(const hub_settings& s, double wait_s) {
  dir_ = s.dir;
  std::error_code ec;
  fs::create_directories(dir_ + "/keys", ec);
  log_path_ = dir_ + "/swhubd.log";
  endpoint_file_ = dir_ + "/endpoint";
  secret_key_file_ = dir_ + "/keys/hub.curve.secret";
  auto config = write_config(s);
  config_path_ = config;
  if (config.empty())
    return "cannot write the config in " + dir_;
  // Everything the child needs is prepared before fork: after it, only
  // async-signal-safe calls (the parent has ZeroMQ threads).
  std::vector<std::string> args{s.swhubd, "--config", config, "--endpoint-file",
                                endpoint_file_};
  std::vector<char*> argv;
  for (auto& a : args)
    argv.push_back(a.data());
  argv.push_back(nullptr);
  int log_fd = ::open(log_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (log_fd < 0)
    return "cannot create " + log_path_;
  pid_t parent = getpid();
  pid_t pid = fork();
  if (pid < 0) {
    ::close(log_fd);
    return "fork failed";
  }
  if (pid == 0) {
    // The hub must not outlive a crashed or interrupted benchmark.
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() != parent)
      _exit(127);
    dup2(log_fd, STDERR_FILENO);
    dup2(log_fd, STDOUT_FILENO);
    execv(argv[0], argv.data());
    _exit(127);
  }
  ::close(log_fd);
  pid_ = pid;
  return wait_ready(wait_s);
}

std::string hub_process::wait_ready(double wait_s) {
  auto deadline = std::chrono::steady_clock::now()
                  + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                    std::chrono::duration<double>(wait_s));
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (reaped(pid_, status)) {
      pid_ = -1;
      return "swhubd exited with status " + std::to_string(exit_code(status))
             + " before it was ready; its log:\n" + log_tail(20);
    }
    if (fs::exists(endpoint_file_)) {
      endpoint_ = trim(read_all(endpoint_file_));
      auto pub = hub::read_curve_public(hub::public_key_path_for(secret_key_file_));
      if (!pub)
        return "hub public key: " + hub::context_text(pub.error());
      server_public_key_ = *pub;
      return {};
    }
    std::this_thread::sleep_for(std::chrono::milliseconds{20});
  }
  return "swhubd wrote no endpoint file within " + std::to_string(wait_s)
         + " s; its log:\n" + log_tail(20);
}

hub_counters hub_process::stop(double wait_s) {
  hub_counters c;
  if (pid_ > 0) {
    kill(pid_, SIGTERM);
    int status = 0;
    auto deadline = std::chrono::steady_clock::now()
                    + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                      std::chrono::duration<double>(wait_s));
    bool done = false;
    while (!(done = reaped(pid_, status)) && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds{10});
    if (!done) {
      kill(pid_, SIGKILL);
      waitpid(pid_, &status, 0);
    }
    c.exit_status = exit_code(status);
    pid_ = -1;
  }
  parse_log(log_path_, c);
  return c;
}

std::string hub_process::log_tail(size_t lines) const {
  std::ifstream in{log_path_};
  std::deque<std::string> tail;
  std::string line;
  while (std::getline(in, line)) {
    tail.push_back(line);
    if (tail.size() > lines)
      tail.pop_front();
  }
  std::string out;
  for (auto& l : tail)
    out += "  " + l + "\n";
  return out;
}

} // namespace bench
