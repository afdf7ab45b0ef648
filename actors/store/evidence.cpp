#include "actors/store/evidence.hpp"

#include <capnp/message.h>
#include <capnp/serialize.h>

#include "actors/core/frames.hpp"
#include "actors/crypto/digest.hpp"
#include "schemas/stored.capnp.h"

namespace hub {

namespace {

void put_u64(bytes& out, uint64_t x) {
  for (int i = 7; i >= 0; --i)
    out.push_back(static_cast<uint8_t>(x >> (8 * i)));
}

void put_lp(bytes& out, const void* data, size_t size) {
  auto n = static_cast<uint32_t>(size);
  for (int i = 3; i >= 0; --i)
    out.push_back(static_cast<uint8_t>(n >> (8 * i)));
  auto* p = static_cast<const uint8_t*>(data);
  out.insert(out.end(), p, p + size);
}

void put_lp(bytes& out, const std::string& s) { put_lp(out, s.data(), s.size()); }
void put_lp(bytes& out, const bytes& b) { put_lp(out, b.data(), b.size()); }

} // namespace

bytes evidence_hash(const evidence_entry& e) {
  static const std::string tag = "swhub-evidence-v1";
  bytes in;
  put_lp(in, tag);
  put_u64(in, e.index);
  put_lp(in, e.prev_hash);
  in.push_back(e.kind);
  put_u64(in, static_cast<uint64_t>(e.hub_time));
  put_u64(in, e.sequence);
  put_lp(in, e.party);
  put_lp(in, e.message_id);
  put_lp(in, e.digest);
  put_lp(in, e.detail);
  put_lp(in, e.checkpoint_key_id);
  put_lp(in, e.checkpoint_signature);
  put_lp(in, e.frame_hash);
  return sha256(in.data(), in.size());
}

bytes checkpoint_signing_input(uint64_t index, const bytes& prev_hash) {
  static const std::string tag = "swhub-checkpoint-v1";
  bytes in;
  put_lp(in, tag);
  put_u64(in, index);
  put_lp(in, prev_hash);
  return in;
}

bytes encode_head(const evidence_head& h) {
  bytes out;
  put_u64(out, h.index);
  out.insert(out.end(), h.hash.begin(), h.hash.end());
  return out;
}

std::optional<evidence_head> decode_head(const bytes& value) {
  if (value.size() != 8 + 32)
    return std::nullopt;
  evidence_head h;
  for (size_t i = 0; i < 8; ++i)
    h.index = (h.index << 8) | value[i];
  h.hash.assign(value.begin() + 8, value.end());
  return h;
}

bytes head_signing_input(const evidence_head& h) {
  static const std::string tag = "swhub-evidence-head-v1";
  bytes in;
  put_lp(in, tag);
  put_u64(in, h.index);
  put_lp(in, h.hash);
  return in;
}

bytes encode(const evidence_entry& e) {
  capnp::MallocMessageBuilder mb;
  auto r = mb.initRoot<stored::EvidenceRecord>();
  auto ptr = [](const bytes& b) { return kj::arrayPtr(b.data(), b.size()); };
  r.setIndex(e.index);
  r.setPrevHash(ptr(e.prev_hash));
  r.setKind(static_cast<stored::EvidenceKind>(e.kind));
  r.setHubTime(e.hub_time);
  r.setSequence(e.sequence);
  r.setParty(e.party);
  r.setMessageId(ptr(e.message_id));
  r.setDigest(ptr(e.digest));
  r.setDetail(e.detail);
  r.setCheckpointKeyId(e.checkpoint_key_id);
  r.setCheckpointSignature(ptr(e.checkpoint_signature));
  r.setHash(ptr(e.hash));
  r.setFrameHash(ptr(e.frame_hash));
  return to_bytes(mb);
}

caf::expected<evidence_entry> decode_evidence(const bytes& value) {
  auto msg = aligned_message::copy(value.data(), value.size(), ec::store_failure);
  if (!msg)
    return msg.error();
  evidence_entry e;
  auto vec = [](capnp::Data::Reader d) { return bytes(d.begin(), d.end()); };
  auto err = with_root<stored::EvidenceRecord>(*msg, ec::store_failure,
                                               [&](stored::EvidenceRecord::Reader r) {
    e.index = r.getIndex();
    e.prev_hash = vec(r.getPrevHash());
    e.kind = static_cast<evidence_entry::kind_t>(r.getKind());
    e.hub_time = r.getHubTime();
    e.sequence = r.getSequence();
    e.party = r.getParty();
    e.message_id = vec(r.getMessageId());
    e.digest = vec(r.getDigest());
    e.detail = r.getDetail();
    e.checkpoint_key_id = r.getCheckpointKeyId();
    e.checkpoint_signature = vec(r.getCheckpointSignature());
    e.hash = vec(r.getHash());
    e.frame_hash = vec(r.getFrameHash());
    return caf::error{};
  });
  if (err)
    return err;
  return e;
}

} // namespace hub
