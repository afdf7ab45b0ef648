#include "actors/core/frames.hpp"

#include <chrono>
#include <cstring>

#include "actors/crypto/signing_input.hpp"
#include "schemas/frame.capnp.h"
#include "schemas/notification.capnp.h"

#include <capnp/schema.h>

namespace hub {

namespace {

/// What copy() and view() both refuse before reading a word.
caf::error check_words(const uint8_t* data, size_t size, ec fail_code) {
  if (size == 0 || size % sizeof(capnp::word) != 0)
    return caf::make_error(fail_code, "size " + std::to_string(size)
                                        + " bytes is not a positive multiple of 8");
  // The first word holds the segment count minus one (little-endian): 0xFFFFFFFF
  // wraps to 0 segments, which Cap'n Proto 0.9.2's reader takes for an empty message
  // (an empty `hello`). No real message has 0 segments (issue 16).
  uint32_t count_minus_one = 0;
  std::memcpy(&count_minus_one, data, sizeof count_minus_one);
  if (count_minus_one == 0xFFFFFFFFu)
    return caf::make_error(fail_code, "segment table: segment count 0 (first word "
                                      "0xFFFFFFFF); a message has at least one segment");
  return caf::none;
}

} // namespace

caf::expected<aligned_message> aligned_message::copy(const uint8_t* data, size_t size,
                                                     ec fail_code) {
  if (auto err = check_words(data, size, fail_code))
    return err;
  aligned_message m;
  m.words_ = kj::heapArray<capnp::word>(size / sizeof(capnp::word));
  std::memcpy(m.words_.begin(), data, size);
  m.view_ = m.words_.asPtr();
  return m;
}

caf::expected<aligned_message> aligned_message::view(const uint8_t* data, size_t size,
                                                     ec fail_code) {
  if (reinterpret_cast<uintptr_t>(data) % alignof(capnp::word) != 0)
    return copy(data, size, fail_code);
  if (auto err = check_words(data, size, fail_code))
    return err;
  aligned_message m;
  m.view_ = kj::ArrayPtr<const capnp::word>(reinterpret_cast<const capnp::word*>(data),
                                            size / sizeof(capnp::word));
  return m;
}

capnp::ReaderOptions aligned_message::options() const {
  capnp::ReaderOptions opts;
  // Readers may look at a field more than once (intake hashes the payload and then
  // validates it); 4x the message's own size still bounds amplification.
  opts.traversalLimitInWords = view_.size() * 4 + 64;
  opts.nestingLimit = 16;
  return opts;
}

std::string valid_utf8(std::string_view text) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
  while (i < text.size()) {
    unsigned char c = byte(i);
    size_t len = c < 0x80 ? 1 : (c >= 0xC2 && c <= 0xDF) ? 2 : (c >= 0xE0 && c <= 0xEF) ? 3
                 : (c >= 0xF0 && c <= 0xF4) ? 4 : 0;
    bool ok = len != 0 && i + len <= text.size();
    for (size_t k = 1; ok && k < len; ++k)
      ok = (byte(i + k) & 0xC0) == 0x80;
    if (ok && len >= 3) { // the second byte's range excludes overlongs, surrogates, > U+10FFFF
      unsigned char c1 = byte(i + 1);
      ok = !(c == 0xE0 && c1 < 0xA0) && !(c == 0xED && c1 > 0x9F) && !(c == 0xF0 && c1 < 0x90)
           && !(c == 0xF4 && c1 > 0x8F);
    }
    if (ok) {
      out.append(text.substr(i, len));
      i += len;
    } else {
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 0x0F];
      ++i;
    }
  }
  return out;
}

bytes to_bytes(capnp::MessageBuilder& mb) {
  auto flat = capnp::messageToFlatArray(mb);
  auto b = flat.asBytes();
  return bytes(b.begin(), b.end());
}

namespace {

/// The receipt's wire status, code, name and retry flag.
struct wire_status {
  wire::ReceiptStatus status;
  uint16_t code = 0;
  std::string name;
  bool retry = false;
};

wire_status wire_status_of(const receipt_info& r) {
  wire_status w;
  switch (r.status) {
    case receipt_info::accepted: w.status = wire::ReceiptStatus::ACCEPTED; break;
    case receipt_info::rejected: w.status = wire::ReceiptStatus::REJECTED; break;
    case receipt_info::duplicate: w.status = wire::ReceiptStatus::DUPLICATE; break;
  }
  if (r.code != 0) {
    w.code = r.code;
    w.name = wire_code_name(r.code);
    w.retry = retryable_wire(r.code);
  }
  return w;
}

} // namespace

receipt_info rejection(const std::string& party, const bytes& message_id,
                       const caf::error& err) {
  receipt_info r;
  r.party = party;
  r.message_id = message_id;
  r.status = receipt_info::rejected;
  r.code = err ? wire_code_of(err) : wire_code(ec::hub_busy);
  r.reason = valid_utf8(context_text(err)); // reasons quote partner bytes
  return r;
}

bytes receipt_signing_input(const receipt_info& r) {
  auto w = wire_status_of(r);
  return crypto::receipt_signing_input({r.party, r.message_id, static_cast<uint8_t>(w.status),
                                        w.code, w.name, r.reason, w.retry, r.digest, r.hub_time,
                                        r.sequence});
}

bytes receipt_frame(const receipt_info& r, const std::string& key_id, const bytes& signature,
                    const std::vector<bytes>& path) {
  capnp::MallocMessageBuilder mb;
  auto rc = mb.initRoot<wire::Frame>().initReceipt();
  auto w = wire_status_of(r);
  rc.setMessageId(kj::arrayPtr(r.message_id.data(), r.message_id.size()));
  rc.setStatus(w.status);
  rc.setErrorCode(w.code);
  rc.setErrorName(w.name);
  rc.setRetryable(w.retry);
  rc.setReason(r.reason);
  rc.setDigest(kj::arrayPtr(r.digest.data(), r.digest.size()));
  rc.setHubTime(r.hub_time);
  rc.setSequence(r.sequence);
  rc.setParty(r.party);
  rc.setHubKeyId(key_id);
  rc.setHubSignature(kj::arrayPtr(signature.data(), signature.size()));
  auto p = rc.initHubBatchPath(static_cast<unsigned>(path.size()));
  for (unsigned i = 0; i < path.size(); ++i)
    p.set(i, kj::arrayPtr(path[i].data(), path[i].size()));
  rc.setEvidenceIndex(r.evidence_index);
  rc.setEvidenceHash(kj::arrayPtr(r.evidence_hash.data(), r.evidence_hash.size()));
  return to_bytes(mb);
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

uint16_t document_status_code(std::string_view name) {
  auto schema = capnp::Schema::from<wire::DocumentStatus>();
  std::string n{name};
  KJ_IF_MAYBE (e, schema.findEnumerantByName(n.c_str())) {
    return e->getOrdinal();
  }
  return 0;
}

} // namespace hub
