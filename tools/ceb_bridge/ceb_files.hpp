#pragma once
// Files as swhub-ceb sees them: the *.xml files to send (given as files or folders),
// their bytes unchanged, what CEB message each one is, receipts written atomically and
// durably, and the returns inside a CEB receipt.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "adapters/ceb/ceb_message.hpp"

namespace ceb_bridge {

using bytes = std::vector<uint8_t>;

/// The *.xml files named by `args` (a file as given, a folder's *.xml files sorted by
/// name, not recursive, hidden files and the receipt files this tool writes skipped),
/// as absolute paths. A missing argument
/// is an entry of `missing`.
struct file_list {
  std::vector<std::string> files;
  std::vector<std::string> missing;
};
file_list collect_xml_files(const std::vector<std::string>& args);

/// The whole file, or why not (errno text).
struct read_result {
  std::optional<bytes> data;
  std::string error;
};
read_result read_file_bytes(const std::string& path);

/// What kind of CEB message `data` is (bare or in a DxpMsg), or, if it is not one the
/// hub accepts, a sentence saying what it is instead (not XML, root `CEB312Message`
/// which is a receipt, an export message, ...).
struct sniff_result {
  std::optional<hub::ceb::message_type> type;
  std::string why_not;
  bool in_dxp = false;
};
sniff_result sniff_file(const bytes& data);

/// Writes `data` to `path` as a whole or not at all: a temporary file beside it,
/// fsync, rename, fsync of the folder (which is created if missing). "" or the error.
std::string write_file_durably(const std::string& path, const bytes& data);

/// One `*Return` of a receipt: returnStatus and returnInfo.
struct receipt_return {
  std::string status, info;
};

/// The returns of a CEB receipt message (libxml2, no network, no DTD); empty if the
/// content is not XML.
std::vector<receipt_return> read_returns(const bytes& content);

/// True if no later receipt is to be expected for a document with this return: an
/// inventory is final at 800 (released), 100 or a refusal, not at 120 or 399; a
/// cancellation or return at 399, 100 or a refusal; every other document at any status.
bool is_final(const std::string& receipt_root, const std::string& return_status);

/// `<stem>.<receipt root>.<notification id>.xml` in `dir` for a receipt answering the
/// file `sent_file`.
std::string receipt_path(const std::string& dir, const std::string& sent_file,
                         const std::string& receipt_root, uint64_t notification_id);

} // namespace ceb_bridge
