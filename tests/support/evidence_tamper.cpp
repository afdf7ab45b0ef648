#include "tests/support/evidence_tamper.hpp"

#include <filesystem>

#include <catch2/catch.hpp>


namespace hub::test {

std::string copy_data_dir(const std::string& from, const std::string& to) {
  std::filesystem::copy(from, to);
  return to;
}

std::shared_ptr<lmdb_storage> open_rw(const std::string& path) {
  lmdb_options o;
  o.dir = path;
  o.map_size_mb = 64;
  auto db = lmdb_storage::open(o);
  REQUIRE(db);
  return *db;
}

audit_report audit(const std::string& path, const crypto::public_key& key,
                   const std::vector<audit_witness>& witnesses) {
  lmdb_options o;
  o.dir = path;
  o.read_only = true;
  auto db = lmdb_storage::open(o);
  REQUIRE(db);
  return audit_evidence(**db, &key, witnesses, module_audit_extensions());
}

void tamper(const std::string& path, std::vector<table_op> ops) {
  write_batch b;
  b.ops = std::move(ops);
  REQUIRE(open_rw(path)->commit(b, 1));
}

bytes get(const std::string& path, std::string_view tbl, uint64_t key) {
  return get(path, tbl, be64(key));
}

bytes get(const std::string& path, std::string_view tbl, const bytes& key) {
  auto v = open_rw(path)->get(tbl, key);
  REQUIRE(v);
  return *v;
}

evidence_entry record(const std::string& path, uint64_t index) {
  auto e = decode_evidence(get(path, table::evidence, index));
  REQUIRE(e);
  return *e;
}

table_op head_at(const std::string& path, uint64_t index) {
  return table_op{std::string{table::meta},
                  bytes(evidence_head_key.begin(), evidence_head_key.end()),
                  encode_head({index, record(path, index).hash}), false};
}

std::string problems_of(const audit_report& r) {
  std::string out;
  for (auto& p : r.problems)
    out += "[" + std::to_string(p.index) + "/" + std::to_string(p.sequence) + "] " + p.what + "\n";
  for (auto& w : r.warnings)
    out += "warning: " + w + "\n";
  return out;
}

bool names(const audit_report& r, uint64_t index, uint64_t sequence, const std::string& text) {
  for (auto& p : r.problems)
    if ((index == 0 || p.index == index) && (sequence == 0 || p.sequence == sequence)
        && p.what.find(text) != std::string::npos)
      return true;
  return false;
}

bool names(const audit_report& r, const std::string& text) {
  return names(r, 0, 0, text);
}

} // namespace hub::test
