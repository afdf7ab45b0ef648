#include "tools/agency/state_file.hpp"

#include "tools/bridge/files.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "actors/core/error.hpp"
#include "actors/core/frames.hpp"

namespace agency {

namespace {

using bridge::state_error;
using bridge::sync_parent_dir;

std::string errno_text() {
  return std::strerror(errno);
}

} // namespace

caf::expected<std::unique_ptr<state_file>> state_file::open(const std::string& path) {
  if (path.empty())
    return state_error("--state", "a state file is required");
  bool existed = std::filesystem::exists(path);
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0)
    return state_error(path, "cannot open the state file: " + errno_text());
  std::unique_ptr<state_file> s{new state_file(path, fd)};
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0)
    return state_error(path, "the state file is in use by another swhub-agency ("
                               + errno_text() + ")");
  if (!existed)
    sync_parent_dir(path);
  if (auto err = s->load())
    return err;
  return s;
}

state_file::~state_file() {
  if (fd_ >= 0)
    ::close(fd_);
}

caf::error state_file::load() {
  std::string text;
  char buf[65536];
  for (;;) {
    auto n = ::pread(fd_, buf, sizeof(buf), static_cast<off_t>(text.size()));
    if (n < 0) {
      if (errno == EINTR)
        continue;
      return state_error(path_, "cannot read the state file: " + errno_text());
    }
    if (n == 0)
      break;
    text.append(buf, static_cast<size_t>(n));
  }
  // A crash while appending leaves a last line without its newline: it was never
  // acted on (we act only after the fsync of a whole line), so cut it off.
  auto complete = text.rfind('\n');
  size_t keep = complete == std::string::npos ? 0 : complete + 1;
  if (keep < text.size()) {
    if (::ftruncate(fd_, static_cast<off_t>(keep)) != 0 || ::fsync(fd_) != 0)
      return state_error(path_, "cannot repair a torn last line: " + errno_text());
    ++repaired_;
    text.resize(keep);
  }
  size_t line_no = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    auto end = text.find('\n', pos);
    auto line = text.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    if (line.empty())
      continue;
    auto where = "line " + std::to_string(line_no);
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.is_object())
      return state_error(path_, where + " is not a JSON object");
    try {
      auto kind = j.at("record").get<std::string>();
      auto case_id = j.at("caseId").get<std::string>();
      if (kind == "decided") {
        case_record r;
        r.what.case_id = case_id;
        auto v = parse_verdict(j.at("verdict").get<std::string>());
        if (!v)
          return state_error(path_, where + ": unknown verdict");
        r.what.verdict = *v;
        r.what.reason = j.at("reason").get<std::string>();
        r.message_id = hub::from_hex(j.at("messageId").get<std::string>());
        r.decided_at = j.at("at").get<int64_t>();
        if (r.message_id.size() != 16)
          return state_error(path_, where + ": messageId is not 16 bytes of hex");
        // The first decision of a case is the one that counts.
        cases_.emplace(case_id, std::move(r));
      } else if (kind == "done") {
        auto it = cases_.find(case_id);
        if (it == cases_.end())
          return state_error(path_, where + ": done for case " + case_id
                                      + " that was never decided");
        it->second.done = true;
        it->second.outcome = j.at("outcome").get<std::string>();
        it->second.error_name = j.value("errorName", "");
      } else {
        return state_error(path_, where + ": unknown record \"" + kind + "\"");
      }
    } catch (const nlohmann::json::exception& e) {
      return state_error(path_, where + ": " + e.what());
    }
  }
  return caf::none;
}

caf::error state_file::append(const std::string& line) {
  auto data = line + "\n";
  size_t off = 0;
  while (off < data.size()) {
    auto n = ::write(fd_, data.data() + off, data.size() - off);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      return caf::make_error(hub::ec::store_failure,
                             path_ + ": cannot write the state file: " + errno_text());
    }
    off += static_cast<size_t>(n);
  }
  if (::fsync(fd_) != 0)
    return caf::make_error(hub::ec::store_failure,
                           path_ + ": cannot fsync the state file: " + errno_text());
  return caf::none;
}

const case_record* state_file::find(const std::string& case_id) const {
  auto it = cases_.find(case_id);
  return it == cases_.end() ? nullptr : &it->second;
}

std::vector<case_record> state_file::unfinished() const {
  std::vector<case_record> out;
  for (auto& [id, r] : cases_)
    if (!r.done)
      out.push_back(r);
  return out;
}

caf::error state_file::record_decision(const case_record& r) {
  nlohmann::ordered_json j{{"record", "decided"},
                           {"caseId", r.what.case_id},
                           {"verdict", verdict_name(r.what.verdict)},
                           {"reason", r.what.reason},
                           {"messageId", hub::to_hex(r.message_id)},
                           {"at", r.decided_at}};
  if (auto err = append(j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)))
    return err;
  cases_.emplace(r.what.case_id, r);
  return caf::none;
}

caf::error state_file::record_done(const std::string& case_id, const std::string& outcome,
                                   const std::string& error_name) {
  nlohmann::ordered_json j{{"record", "done"},
                           {"caseId", case_id},
                           {"outcome", outcome},
                           {"errorName", error_name},
                           {"at", hub::now_ms()}};
  if (auto err = append(j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)))
    return err;
  auto it = cases_.find(case_id);
  if (it != cases_.end()) {
    it->second.done = true;
    it->second.outcome = outcome;
    it->second.error_name = error_name;
  }
  return caf::none;
}

} // namespace agency
