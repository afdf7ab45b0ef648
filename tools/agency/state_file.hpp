#pragma once
// The adapter's durable memory: which cases it decided, how, under which message id,
// and whether the hub's receipt for the decision was seen. An append-only file of
// JSON lines, each fsync'ed before the adapter acts on it:
//
//   {"record":"decided","caseId":..,"verdict":..,"reason":..,"messageId":hex,"at":ms}
//   {"record":"done","caseId":..,"outcome":"accepted|duplicate|rejected","errorName":..,"at":ms}
//
// A case with a "decided" record is never decided again; one without "done" has its
// decision re-sent (same message id, so the hub answers duplicate if it had it). A
// torn last line (crash while writing) is cut off when the file is opened. The file
// is locked (flock) so two adapters cannot share it.

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <caf/error.hpp>
#include <caf/expected.hpp>

#include "actors/actors.hpp"
#include "tools/agency/decision.hpp"

namespace agency {

struct case_record {
  decision what;
  hub::bytes message_id; ///< of the agency.decision document
  int64_t decided_at = 0;
  bool done = false;     ///< the hub's receipt (or a definitive refusal) was seen
  std::string outcome;   ///< "accepted", "duplicate" or "rejected"
  std::string error_name;
};

class state_file {
public:
  /// Opens (creating) and reads `path`; ec::invalid_config if it cannot be read,
  /// written or locked, or a line is not a record (other than a torn last one).
  static caf::expected<std::unique_ptr<state_file>> open(const std::string& path);
  ~state_file();
  state_file(const state_file&) = delete;
  state_file& operator=(const state_file&) = delete;

  const case_record* find(const std::string& case_id) const;
  /// Cases decided whose receipt was not seen (to re-send after a restart).
  std::vector<case_record> unfinished() const;
  size_t size() const { return cases_.size(); }
  const std::string& path() const { return path_; }
  /// Lines dropped when opening (a torn last line).
  size_t repaired() const { return repaired_; }

  /// Appends and fsyncs the decision; only then may it be sent.
  caf::error record_decision(const case_record& r);
  /// Appends and fsyncs that the hub answered it; only then may the case be acked.
  caf::error record_done(const std::string& case_id, const std::string& outcome,
                         const std::string& error_name);

private:
  state_file(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  caf::error load();
  caf::error append(const std::string& line);

  std::string path_;
  int fd_ = -1;
  size_t repaired_ = 0;
  std::map<std::string, case_record> cases_;
};

} // namespace agency
