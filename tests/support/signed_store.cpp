#include "tests/support/signed_store.hpp"

#include <catch2/catch.hpp>

#include "actors/core/frames.hpp"
#include "actors/crypto/digest.hpp"
#include "adapters/zmq/client.hpp"

namespace hub::test {

signed_store::signed_store(uint64_t every) {
  auto key = crypto::private_key::generate(crypto::algorithm::ecdsa_p256_sha256);
  REQUIRE(key);
  signer = crypto::hub_signer::from_key(std::move(*key));
  lmdb_options o;
  o.dir = dir.path();
  o.map_size_mb = 16;
  o.checkpoints.every = every;
  o.checkpoints.interval_ms = int64_t{1} << 50; // only by count
  o.checkpoints.sign = [s = signer](const bytes& input)
    -> caf::expected<std::pair<std::string, bytes>> {
    auto sig = s->sign(input);
    if (!sig)
      return sig.error();
    return std::make_pair(s->key_id(), std::move(*sig));
  };
  auto opened = lmdb_storage::open(o);
  REQUIRE(opened);
  db = *opened;
}

document_write signed_store::document(uint8_t id) {
  outgoing o;
  o.document_type = "customs.declaration";
  o.payload = bytes(24, id);
  o.message_id = bytes(16, id);
  document_write w;
  w.sender = "A";
  w.message_id = o.message_id;
  w.document_type = o.document_type;
  w.recipient = o.recipient;
  w.frame = build_envelope_frame("A", o);
  w.digest = content_digest(o.document_type, o.recipient, {}, o.payload.data(), o.payload.size());
  return w;
}

document_commit signed_store::add(const document_write& w) {
  write_batch b;
  b.docs = {w};
  auto res = db->commit(b, ++now);
  REQUIRE(res);
  commits.push_back(res->docs.at(0));
  return res->docs.at(0);
}

void signed_store::tamper(std::vector<table_op> ops) {
  write_batch b;
  b.ops = std::move(ops);
  REQUIRE(db->commit(b, ++now));
}

evidence_entry signed_store::record(uint64_t index) {
  auto raw = db->get("evidence", be64(index));
  REQUIRE(raw);
  auto e = decode_evidence(*raw);
  REQUIRE(e);
  return *e;
}

std::vector<table_op> signed_store::remove_document(const document_commit& dc, uint8_t id) {
  return {table_op{"documents", be64(dc.sequence), {}, true},
          table_op{"dedupe", dedupe_key("A", bytes(16, id)), {}, true},
          table_op{"evidence", be64(dc.evidence_index), {}, true}};
}

table_op signed_store::set_head(uint64_t index) {
  auto e = record(index);
  return table_op{"meta", bytes(evidence_head_key.begin(), evidence_head_key.end()),
                  encode_head({index, e.hash}), false};
}

audit_report signed_store::audit(const std::vector<audit_witness>& witnesses) {
  return audit_evidence(*db, &signer->public_part(), witnesses, extensions);
}

} // namespace hub::test
