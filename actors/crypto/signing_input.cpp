#include "actors/crypto/signing_input.hpp"

namespace hub::crypto {

namespace {

class input_builder {
public:
  explicit input_builder(std::string_view tag) { add(tag.data(), tag.size()); }
  void add(const void* data, size_t size) {
    auto n = static_cast<uint32_t>(size);
    uint8_t len[4] = {static_cast<uint8_t>(n >> 24), static_cast<uint8_t>(n >> 16),
                      static_cast<uint8_t>(n >> 8), static_cast<uint8_t>(n)};
    out_.insert(out_.end(), len, len + 4);
    auto* p = static_cast<const uint8_t*>(data);
    out_.insert(out_.end(), p, p + size);
  }
  void add(std::string_view s) { add(s.data(), s.size()); }
  void add(const bytes& b) { add(b.data(), b.size()); }
  void fixed(uint64_t x, int width) {
    for (int i = width - 1; i >= 0; --i)
      out_.push_back(static_cast<uint8_t>(x >> (8 * i)));
  }
  bytes take() { return std::move(out_); }

private:
  bytes out_;
};

} // namespace

bytes envelope_signing_input(std::string_view sender, const bytes& message_id,
                             std::string_view recipient, std::string_view document_type,
                             int64_t created_at, const bytes& correlation_id,
                             const uint8_t* payload, size_t payload_size) {
  input_builder b{"swhub-envelope-v1"};
  b.add(sender);
  b.add(message_id);
  b.add(recipient);
  b.add(document_type);
  b.fixed(static_cast<uint64_t>(created_at), 8);
  b.add(correlation_id);
  b.add(payload, payload_size);
  return b.take();
}

bytes receipt_signing_input(const receipt_fields& r) {
  input_builder b{"swhub-receipt-v1"};
  b.add(r.party);
  b.add(r.message_id);
  b.fixed(r.status, 1);
  b.fixed(r.error_code, 2);
  b.add(r.error_name);
  b.add(r.reason);
  b.fixed(r.retryable ? 1 : 0, 1);
  b.add(r.digest);
  b.fixed(static_cast<uint64_t>(r.hub_time), 8);
  b.fixed(r.sequence, 8);
  return b.take();
}

} // namespace hub::crypto
