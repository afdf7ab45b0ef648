#pragma once
// Changing a copy of a data directory the way someone with file access could, and
// auditing it: shared by the evidence integration tests.

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "actors/store/audit.hpp"
#include "actors/store/evidence.hpp"
#include "actors/store/lmdb_storage.hpp"
#include "tests/support/support.hpp"

namespace hub::test {

/// `from` (a stopped or killed hub's data directory) copied to `to`.
std::string copy_data_dir(const std::string& from, const std::string& to);

/// Opens a copy for writing, without a checkpoint signer (REQUIREs success).
std::shared_ptr<lmdb_storage> open_rw(const std::string& path);

/// The auditor's report on a copy (opened read-only), with every module's audit
/// extension, as `swhub audit verify` audits it.
audit_report audit(const std::string& path, const crypto::public_key& key,
                   const std::vector<audit_witness>& witnesses = {});

/// Writes raw values into a copy in one transaction, appending no evidence.
void tamper(const std::string& path, std::vector<table_op> ops);

/// One value of a table keyed by u64 (REQUIREs it exists).
bytes get(const std::string& path, std::string_view tbl, uint64_t key);
bytes get(const std::string& path, std::string_view tbl, const bytes& key);

/// The evidence record at `index` (REQUIREs it decodes).
evidence_entry record(const std::string& path, uint64_t index);

/// Puts the store's own head record at `index` (its hash from the record there).
table_op head_at(const std::string& path, uint64_t index);

/// The problems and warnings, one per line, for INFO().
std::string problems_of(const audit_report& r);

/// A problem about `index` (0: any) and `sequence` (0: any) containing `text`.
bool names(const audit_report& r, uint64_t index, uint64_t sequence, const std::string& text);

/// A problem containing `text`.
bool names(const audit_report& r, const std::string& text);

} // namespace hub::test
