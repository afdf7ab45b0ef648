#pragma once
// A real LMDB store written by the storage itself, signing a checkpoint every N
// records, and changed afterwards the way someone with file access could: shared by
// the auditor's unit tests (the core's and each module's audit extension).

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "actors/crypto/hub_signer.hpp"
#include "actors/store/audit.hpp"
#include "actors/store/evidence.hpp"
#include "actors/store/lmdb_storage.hpp"
#include "tests/support/support.hpp"

namespace hub::test {

struct signed_store {
  temp_dir dir;
  std::shared_ptr<const crypto::hub_signer> signer;
  std::shared_ptr<lmdb_storage> db;
  std::vector<document_commit> commits; ///< one per document, in order
  std::vector<audit_extension> extensions; ///< what audit() passes to the auditor
  int64_t now = 1000;

  /// Signs a checkpoint every `every` records (only by count).
  explicit signed_store(uint64_t every);

  /// Document `id` from "A" as intake would write it: the frame as received and its
  /// content digest; message id 16 bytes of `id`.
  static document_write document(uint8_t id);

  /// One document per commit (REQUIREs success).
  document_commit add(const document_write& w);
  document_commit add(uint8_t id) { return add(document(id)); }

  /// Raw changes, as with a tool that writes the files; appends no evidence.
  void tamper(std::vector<table_op> ops);

  /// The evidence record at `index` (REQUIREs it decodes).
  evidence_entry record(uint64_t index);

  /// The ops that remove document `dc` from "A" (message id of `id`) with its dedupe
  /// entry and evidence record.
  std::vector<table_op> remove_document(const document_commit& dc, uint8_t id);

  /// Sets the store's own head record at `index`, as a careful forger would.
  table_op set_head(uint64_t index);

  /// The auditor's report, with the hub key and `extensions`.
  audit_report audit(const std::vector<audit_witness>& witnesses = {});
};

} // namespace hub::test
