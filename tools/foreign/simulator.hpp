#pragma once
// --simulate: a SAMPLE partner list of EORI operators (ids "DE" and 13 digits, the same
// for the same index every run), sent once as a snapshot, then deltas that suspend or
// reinstate a few operators with versions above everything sent before. Its progress
// (versions, changed records) is kept in the state file, so a restarted simulator goes
// on where it stopped instead of resending older words.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tools/foreign/aeo_json.hpp"

namespace foreign {

class simulator {
public:
  /// `progress`: simulation() of the state file (null: a fresh list).
  simulator(unsigned records, const nlohmann::json& progress);

  /// The operator id of index `i` ("DE" and 13 digits).
  static std::string operator_id(unsigned i);

  bool snapshot_sent() const { return snapshot_sent_; }
  uint64_t deltas_sent() const { return deltas_; }
  /// The whole list as it stands (marks the snapshot as sent in progress()).
  std::vector<aeo_record> snapshot();
  /// The next delta: a few operators suspended or reinstated, each at a new version.
  std::vector<aeo_record> next_delta();
  /// What to keep in the state file with the batch just built.
  nlohmann::json progress() const;

private:
  struct change {
    uint16_t status = 0;
    uint64_t version = 1;
    std::string reason;
    int64_t changed_at = 0;
  };
  aeo_record record(unsigned i) const;

  unsigned records_;
  bool snapshot_sent_ = false;
  uint64_t next_version_ = 2;
  uint64_t deltas_ = 0;
  std::map<unsigned, change> changed_;
};

} // namespace foreign
