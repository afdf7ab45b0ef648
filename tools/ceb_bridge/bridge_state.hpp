#pragma once
// swhub-ceb's durable memory: which file went out under which message id, what the hub
// answered, and which CEB receipts were written. An append-only file of JSON lines,
// each fsync'ed before the bridge acts on it:
//
//   {"record":"sent","file":abs,"sha256":hex,"messageId":hex,"documentType":..,"party":..,"at":ms}
//   {"record":"answered","messageId":hex,"status":"accepted|duplicate|rejected",
//    "errorName":..,"reason":..,"retryable":bool,"at":ms}
//   {"record":"receipt","messageId":hex or "","notification":n,"receipt":"CEB312Message",
//    "final":bool,"saved":path,"at":ms}
//
// "sent" is written before the envelope goes out, so a file sent once is re-sent after a
// crash with the same message id (the hub answers duplicate) and never under a new one;
// "receipt" is written after the receipt file and before the acknowledgement, so a
// notification re-delivered after a crash is recognised. A torn last line (crash while
// appending) is cut off when the file is opened. The file is locked (flock): two
// bridges cannot share it.

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>

namespace ceb_bridge {

/// One message as the state knows it.
struct sent_message {
  std::string file, sha256, message_id, document_type, party;
  bool answered = false;
  std::string status; ///< "accepted", "duplicate" or "rejected" once answered
  std::string error_name, reason;
  bool retryable = false;
  bool final_receipt = false; ///< a receipt with only final returns was written
  size_t receipts = 0;
  /// The hub has the message (accepted, or duplicate of an accepted one).
  bool delivered() const { return answered && status != "rejected"; }
};

class bridge_state {
public:
  /// Opens (creating) and reads `path`; the error text names the file and line.
  static std::unique_ptr<bridge_state> open(const std::string& path, std::string& error);
  ~bridge_state();
  bridge_state(const bridge_state&) = delete;
  bridge_state& operator=(const bridge_state&) = delete;

  /// The latest message sent for `file` (absolute path), or null.
  const sent_message* for_file(const std::string& file) const;
  const sent_message* find(const std::string& message_id) const;
  /// Whether the receipt notification `id` was already written.
  bool has_notification(uint64_t id) const { return notifications_.count(id) > 0; }
  /// Messages of `party` the hub has, still without a final receipt.
  std::set<std::string> awaiting(const std::string& party) const;
  const std::map<std::string, sent_message>& messages() const { return messages_; }
  size_t repaired() const { return repaired_; }

  // Each appends one line and fsyncs it; "" or the error text.
  std::string record_sent(const sent_message& m);
  std::string record_answer(const std::string& message_id, const std::string& status,
                            const std::string& error_name, const std::string& reason,
                            bool retryable);
  std::string record_receipt(const std::string& message_id, uint64_t notification_id,
                             const std::string& receipt_root, bool final_receipt,
                             const std::string& saved);

private:
  bridge_state(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  std::string load();
  std::string apply(const std::string& line, size_t line_no);
  std::string append(const std::string& line);

  std::string path_;
  int fd_ = -1;
  size_t repaired_ = 0;
  std::map<std::string, sent_message> messages_; ///< by message id (hex)
  std::map<std::string, std::string> by_file_;   ///< file -> latest message id
  std::set<uint64_t> notifications_;
};

} // namespace ceb_bridge
