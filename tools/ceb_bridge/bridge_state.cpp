#include "tools/ceb_bridge/bridge_state.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "actors/core/frames.hpp"

namespace ceb_bridge {

namespace {

std::string errno_text() {
  return std::strerror(errno);
}

std::string dump(const nlohmann::ordered_json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

} // namespace

std::unique_ptr<bridge_state> bridge_state::open(const std::string& path, std::string& error) {
  namespace fs = std::filesystem;
  auto dir = fs::path{path}.parent_path();
  std::error_code ec;
  if (!dir.empty())
    fs::create_directories(dir, ec);
  bool existed = fs::exists(path, ec);
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) {
    error = path + ": cannot open the state file: " + errno_text();
    return nullptr;
  }
  std::unique_ptr<bridge_state> s{new bridge_state(path, fd)};
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    error = path + ": the state file is in use by another swhub-ceb (" + errno_text() + ")";
    return nullptr;
  }
  if (!existed) {
    int dfd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
      ::fsync(dfd);
      ::close(dfd);
    }
  }
  error = s->load();
  if (!error.empty())
    return nullptr;
  return s;
}

bridge_state::~bridge_state() {
  if (fd_ >= 0)
    ::close(fd_);
}

std::string bridge_state::load() {
  std::string text;
  char buf[65536];
  for (;;) {
    auto n = ::pread(fd_, buf, sizeof(buf), static_cast<off_t>(text.size()));
    if (n < 0) {
      if (errno == EINTR)
        continue;
      return path_ + ": cannot read the state file: " + errno_text();
    }
    if (n == 0)
      break;
    text.append(buf, static_cast<size_t>(n));
  }
  // A last line without its newline was never acted on (we act only after the fsync
  // of a whole line): cut it off.
  auto complete = text.rfind('\n');
  size_t keep = complete == std::string::npos ? 0 : complete + 1;
  if (keep < text.size()) {
    if (::ftruncate(fd_, static_cast<off_t>(keep)) != 0 || ::fsync(fd_) != 0)
      return path_ + ": cannot repair a torn last line: " + errno_text();
    ++repaired_;
    text.resize(keep);
  }
  size_t pos = 0;
  size_t line_no = 0;
  while (pos < text.size()) {
    auto end = text.find('\n', pos);
    auto line = text.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    if (line.empty())
      continue;
    auto err = apply(line, line_no);
    if (!err.empty())
      return path_ + ": line " + std::to_string(line_no) + ": " + err;
  }
  return {};
}

std::string bridge_state::apply(const std::string& line, size_t) {
  auto j = nlohmann::json::parse(line, nullptr, false);
  if (j.is_discarded() || !j.is_object())
    return "not a JSON object";
  try {
    auto kind = j.at("record").get<std::string>();
    if (kind == "sent") {
      sent_message m;
      m.file = j.at("file").get<std::string>();
      m.sha256 = j.at("sha256").get<std::string>();
      m.message_id = j.at("messageId").get<std::string>();
      m.document_type = j.at("documentType").get<std::string>();
      m.party = j.at("party").get<std::string>();
      if (hub::from_hex(m.message_id).size() != 16)
        return "messageId is not 16 bytes of hex";
      by_file_[m.file] = m.message_id;
      messages_.emplace(m.message_id, std::move(m)); // a repeat line changes nothing
    } else if (kind == "answered") {
      auto it = messages_.find(j.at("messageId").get<std::string>());
      if (it == messages_.end())
        return "an answer for a message never sent";
      it->second.answered = true;
      it->second.status = j.at("status").get<std::string>();
      it->second.error_name = j.value("errorName", "");
      it->second.reason = j.value("reason", "");
      it->second.retryable = j.value("retryable", false);
    } else if (kind == "receipt") {
      notifications_.insert(j.at("notification").get<uint64_t>());
      auto it = messages_.find(j.at("messageId").get<std::string>());
      if (it != messages_.end()) {
        ++it->second.receipts;
        if (j.at("final").get<bool>())
          it->second.final_receipt = true;
      }
    } else {
      return "unknown record \"" + kind + "\"";
    }
  } catch (const nlohmann::json::exception& e) {
    return e.what();
  }
  return {};
}

std::string bridge_state::append(const std::string& line) {
  auto data = line + "\n";
  // A failed or short append (a full disk) is cut back off, so the next append does not
  // glue onto half a line and leave a file that no longer opens.
  auto start = ::lseek(fd_, 0, SEEK_END);
  size_t off = 0;
  while (off < data.size()) {
    auto n = ::write(fd_, data.data() + off, data.size() - off);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      auto why = errno_text();
      if (start >= 0 && ::ftruncate(fd_, start) == 0)
        ::lseek(fd_, start, SEEK_SET);
      return path_ + ": cannot write the state file: " + why;
    }
    off += static_cast<size_t>(n);
  }
  if (::fsync(fd_) != 0)
    return path_ + ": cannot fsync the state file: " + errno_text();
  return apply(line, 0);
}

const sent_message* bridge_state::for_file(const std::string& file) const {
  auto it = by_file_.find(file);
  return it == by_file_.end() ? nullptr : find(it->second);
}

const sent_message* bridge_state::find(const std::string& message_id) const {
  auto it = messages_.find(message_id);
  return it == messages_.end() ? nullptr : &it->second;
}

std::set<std::string> bridge_state::awaiting(const std::string& party) const {
  std::set<std::string> out;
  for (auto& [id, m] : messages_)
    if (m.party == party && m.delivered() && !m.final_receipt)
      out.insert(id);
  return out;
}

std::string bridge_state::record_sent(const sent_message& m) {
  return append(dump({{"record", "sent"},
                      {"file", m.file},
                      {"sha256", m.sha256},
                      {"messageId", m.message_id},
                      {"documentType", m.document_type},
                      {"party", m.party},
                      {"at", hub::now_ms()}}));
}

std::string bridge_state::record_answer(const std::string& message_id, const std::string& status,
                                        const std::string& error_name, const std::string& reason,
                                        bool retryable) {
  return append(dump({{"record", "answered"},
                      {"messageId", message_id},
                      {"status", status},
                      {"errorName", error_name},
                      {"reason", reason},
                      {"retryable", retryable},
                      {"at", hub::now_ms()}}));
}

std::string bridge_state::record_receipt(const std::string& message_id, uint64_t notification_id,
                                         const std::string& receipt_root, bool final_receipt,
                                         const std::string& saved) {
  return append(dump({{"record", "receipt"},
                      {"messageId", message_id},
                      {"notification", notification_id},
                      {"receipt", receipt_root},
                      {"final", final_receipt},
                      {"saved", saved},
                      {"at", hub::now_ms()}}));
}

} // namespace ceb_bridge
