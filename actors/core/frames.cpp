#include "actors/core/frames.hpp"

#include <chrono>
#include <cstring>

#include "actors/crypto/hub_signer.hpp"
#include "actors/crypto/signing_input.hpp"
#include "schemas/frame.capnp.h"

namespace hub {

caf::expected<aligned_message> aligned_message::copy(const uint8_t* data, size_t size,
                                                     ec fail_code) {
  if (size == 0 || size % sizeof(capnp::word) != 0)
    return caf::make_error(fail_code, "size " + std::to_string(size)
                                        + " bytes is not a positive multiple of 8");
  aligned_message m;
  m.words_ = kj::heapArray<capnp::word>(size / sizeof(capnp::word));
  std::memcpy(m.words_.begin(), data, size);
  return m;
}

capnp::ReaderOptions aligned_message::options() const {
  capnp::ReaderOptions opts;
  // Readers may look at a field more than once (intake hashes the payload and then
  // validates it); 4x the message's own size still bounds amplification.
  opts.traversalLimitInWords = words_.size() * 4 + 64;
  opts.nestingLimit = 16;
  return opts;
}

bytes to_bytes(capnp::MessageBuilder& mb) {
  auto flat = capnp::messageToFlatArray(mb);
  auto b = flat.asBytes();
  return bytes(b.begin(), b.end());
}

bytes receipt_frame(const receipt_info& r, const crypto::hub_signer* signer) {
  capnp::MallocMessageBuilder mb;
  auto rc = mb.initRoot<wire::Frame>().initReceipt();
  rc.setMessageId(kj::arrayPtr(r.message_id.data(), r.message_id.size()));
  switch (r.status) {
    case receipt_info::accepted: rc.setStatus(wire::ReceiptStatus::ACCEPTED); break;
    case receipt_info::rejected: rc.setStatus(wire::ReceiptStatus::REJECTED); break;
    case receipt_info::duplicate: rc.setStatus(wire::ReceiptStatus::DUPLICATE); break;
  }
  uint16_t code = 0;
  std::string name;
  bool retry = false;
  if (r.code != ec::none) {
    code = wire_code(r.code);
    name = to_string(static_cast<ec>(code));
    retry = retryable(r.code);
    rc.setErrorCode(code);
    rc.setErrorName(name);
    rc.setRetryable(retry);
  }
  rc.setReason(r.reason);
  rc.setDigest(kj::arrayPtr(r.digest.data(), r.digest.size()));
  auto hub_time = r.hub_time != 0 ? r.hub_time : now_ms();
  rc.setHubTime(hub_time);
  rc.setSequence(r.sequence);
  rc.setParty(r.party);
  if (signer != nullptr) {
    auto input = crypto::receipt_signing_input(
      {r.party, r.message_id, static_cast<uint8_t>(rc.getStatus()), code, name, r.reason, retry,
       r.digest, hub_time, r.sequence});
    if (auto sig = signer->sign(input)) {
      rc.setHubKeyId(signer->key_id());
      rc.setHubSignature(kj::arrayPtr(sig->data(), sig->size()));
    }
  }
  return to_bytes(mb);
}

bytes rejection_frame(const std::string& party, const bytes& message_id,
                      const caf::error& err, const crypto::hub_signer* signer) {
  receipt_info r;
  r.party = party;
  r.message_id = message_id;
  r.status = receipt_info::rejected;
  r.code = code_of(err);
  if (r.code == ec::none)
    r.code = ec::hub_busy;
  r.reason = context_text(err);
  return receipt_frame(r, signer);
}

int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

std::string to_hex(const bytes& b) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  out.reserve(b.size() * 2);
  for (auto c : b) {
    out += digits[c >> 4];
    out += digits[c & 0xf];
  }
  return out;
}

bytes from_hex(std::string_view s) {
  auto val = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  if (s.size() % 2 != 0)
    return {};
  bytes out;
  for (size_t i = 0; i < s.size(); i += 2) {
    int hi = val(s[i]), lo = val(s[i + 1]);
    if (hi < 0 || lo < 0)
      return {};
    out.push_back(static_cast<uint8_t>(hi * 16 + lo));
  }
  return out;
}

} // namespace hub
