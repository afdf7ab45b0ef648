#include "tools/foreign/state_file.hpp"

#include "tools/bridge/files.hpp"

#include <algorithm>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "actors/core/error.hpp"
#include "actors/core/frames.hpp"

namespace foreign {

namespace {

using bridge::state_error;
using bridge::sync_parent_dir;

constexpr const char* format_name = "swhub-foreign-state/1";

caf::error write_error(const std::string& path, const std::string& what) {
  return caf::make_error(hub::ec::store_failure,
                         path + ": " + what + ": " + std::strerror(errno));
}

/// "FB" and the UTC time the state file was created: a lost state file does not
/// bring back batch ids already used.
std::string default_prefix() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "FB%Y%m%d%H%M%S", &tm);
  return buf;
}

} // namespace

caf::expected<std::unique_ptr<state_file>> state_file::open(const std::string& path) {
  if (path.empty())
    return state_error("--state", "a state file is required");
  auto lock_path = path + ".lock";
  int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0)
    return state_error(lock_path, std::string{"cannot open the lock file: "} + std::strerror(errno));
  std::unique_ptr<state_file> s{new state_file(path, fd)};
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0)
    return state_error(path, std::string{"the state file is in use by another swhub-foreign ("}
                               + std::strerror(errno) + ")");
  if (auto err = s->load())
    return err;
  return s;
}

state_file::~state_file() {
  if (lock_fd_ >= 0)
    ::close(lock_fd_);
}

std::string state_file::take_batch_id() {
  return prefix_ + "-" + std::to_string(next_serial_++);
}

caf::error state_file::load() {
  ::unlink((path_ + ".tmp").c_str()); // a crash while writing: the old file stands
  if (!std::filesystem::exists(path_)) {
    prefix_ = default_prefix();
    return caf::none;
  }
  std::ifstream in{path_, std::ios::binary};
  if (!in)
    return state_error(path_, "cannot read the state file");
  std::stringstream buf;
  buf << in.rdbuf();
  auto j = nlohmann::json::parse(buf.str(), nullptr, false);
  if (j.is_discarded() || !j.is_object())
    return state_error(path_, "the state file is not a JSON object");
  try {
    if (j.at("format").get<std::string>() != format_name)
      return state_error(path_, "not a swhub-foreign state file (format "
                                  + j.at("format").dump() + ")");
    prefix_ = j.at("prefix").get<std::string>();
    next_serial_ = j.at("nextSerial").get<uint64_t>();
    counters_.batches_receipted = j.at("batchesReceipted").get<uint64_t>();
    counters_.records_receipted = j.at("recordsReceipted").get<uint64_t>();
    counters_.batches_refused = j.at("batchesRefused").get<uint64_t>();
    sim_ = j.value("simulation", nlohmann::json{});
    for (auto& b : j.at("batches")) {
      pending_batch p;
      p.batch_id = b.at("batchId").get<std::string>();
      p.message_id = hub::from_hex(b.at("messageId").get<std::string>());
      if (p.message_id.size() != 16)
        return state_error(path_, "batch " + p.batch_id + ": messageId is not 16 bytes of hex");
      p.data_set = b.at("dataSet").get<std::string>();
      p.snapshot = b.at("snapshot").get<bool>();
      p.recorded_at = b.at("recordedAt").get<int64_t>();
      for (auto& r : b.at("records")) {
        std::string error;
        auto rec = parse_record(r, error, 0);
        if (!rec)
          return state_error(path_, "batch " + p.batch_id + ": " + error);
        p.records.push_back(std::move(*rec));
      }
      if (auto l = b.find("lines"); l != b.end() && l->is_array() && l->size() == p.records.size())
        p.lines = l->get<std::vector<size_t>>();
      pending_.push_back(std::move(p));
    }
  } catch (const nlohmann::json::exception& e) {
    return state_error(path_, e.what());
  }
  return caf::none;
}

caf::error state_file::save() {
  nlohmann::ordered_json batches = nlohmann::ordered_json::array();
  for (auto& b : pending_) {
    nlohmann::ordered_json records = nlohmann::ordered_json::array();
    for (auto& r : b.records)
      records.push_back(record_json(r));
    batches.push_back({{"batchId", b.batch_id},
                       {"messageId", hub::to_hex(b.message_id)},
                       {"dataSet", b.data_set},
                       {"snapshot", b.snapshot},
                       {"state", "sent"},
                       {"recordedAt", b.recorded_at},
                       {"records", std::move(records)}});
    if (!b.lines.empty())
      batches.back()["lines"] = b.lines;
  }
  nlohmann::ordered_json j{{"format", format_name},
                           {"prefix", prefix_},
                           {"nextSerial", next_serial_},
                           {"batchesReceipted", counters_.batches_receipted},
                           {"recordsReceipted", counters_.records_receipted},
                           {"batchesRefused", counters_.batches_refused},
                           {"simulation", sim_},
                           {"batches", std::move(batches)}};
  auto text = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  auto tmp = path_ + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0)
    return write_error(tmp, "cannot create");
  size_t off = 0;
  while (off < text.size()) {
    auto n = ::write(fd, text.data() + off, text.size() - off);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      auto err = write_error(tmp, "cannot write");
      ::close(fd);
      return err;
    }
    off += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) {
    auto err = write_error(tmp, "cannot fsync");
    ::close(fd);
    return err;
  }
  ::close(fd);
  if (::rename(tmp.c_str(), path_.c_str()) != 0)
    return write_error(path_, "cannot replace the state file");
  sync_parent_dir(path_);
  return caf::none;
}

caf::error state_file::record_batches(std::vector<pending_batch> batches,
                                      const nlohmann::json& sim) {
  auto saved_sim = sim_;
  auto saved_size = pending_.size();
  if (!sim.is_null())
    sim_ = sim;
  for (auto& b : batches)
    pending_.push_back(std::move(b));
  if (auto err = save()) {
    pending_.resize(saved_size);
    sim_ = saved_sim;
    return err;
  }
  return caf::none;
}

caf::error state_file::record_receipted(const std::string& batch_id, bool refused) {
  for (auto it = pending_.begin(); it != pending_.end(); ++it)
    if (it->batch_id == batch_id) {
      auto saved = *it;
      auto saved_counters = counters_;
      if (refused) {
        ++counters_.batches_refused;
      } else {
        ++counters_.batches_receipted;
        counters_.records_receipted += it->records.size();
      }
      auto pos = pending_.erase(it);
      if (auto err = save()) {
        pending_.insert(pos, std::move(saved));
        counters_ = saved_counters;
        return err;
      }
      return caf::none;
    }
  return caf::none;
}

caf::error state_file::replace_batch(const std::string& batch_id,
                                     std::vector<pending_batch> batches, bool refused) {
  auto saved = pending_;
  auto saved_counters = counters_;
  auto it = std::find_if(pending_.begin(), pending_.end(),
                         [&](const pending_batch& b) { return b.batch_id == batch_id; });
  if (it == pending_.end())
    return caf::none;
  if (refused)
    ++counters_.batches_refused;
  auto pos = pending_.erase(it);
  pending_.insert(pos, std::make_move_iterator(batches.begin()),
                  std::make_move_iterator(batches.end()));
  if (auto err = save()) {
    pending_ = std::move(saved);
    counters_ = saved_counters;
    return err;
  }
  return caf::none;
}

} // namespace foreign
