// Mutation fuzzing without a fuzzing engine (Debian's toolchain here has no libFuzzer):
// valid frames are bit-flipped, truncated, spliced and resized with a fixed seed, and
// every decoder a partner's bytes reach must answer with a value or an error, never
// crash or hang. The sanitizer pass of the suite runs this too.

#include <catch2/catch.hpp>

#include <random>

#include "actors/core/frames.hpp"
#include "actors/intake/document_types.hpp"
#include "adapters/zmq/client.hpp"
#include "schemas/frame.capnp.h"
#include "tests/support/hub_process.hpp"
#include "tests/support/samples.hpp"

using namespace hub;
using namespace hub::test;

namespace {

/// One random mutation of `in`.
bytes mutate(const bytes& in, std::mt19937_64& rng) {
  bytes out = in;
  auto pick = [&rng](size_t n) { return n == 0 ? 0 : static_cast<size_t>(rng() % n); };
  switch (rng() % 6) {
    case 0: // flip a few bits
      for (int i = 0, n = 1 + static_cast<int>(rng() % 8); i < n && !out.empty(); ++i)
        out[pick(out.size())] ^= static_cast<uint8_t>(1u << (rng() % 8));
      break;
    case 1: // truncate
      out.resize(pick(out.size()));
      break;
    case 2: // overwrite a word with an extreme value (pointer and size fields)
      if (out.size() >= 8) {
        auto at = pick(out.size() / 8) * 8;
        uint64_t v = (rng() % 2) ? ~uint64_t{0} : (rng() % 3 == 0 ? 0 : rng());
        for (int i = 0; i < 8; ++i)
          out[at + static_cast<size_t>(i)] = static_cast<uint8_t>(v >> (8 * i));
      }
      break;
    case 3: // duplicate a slice
      if (!out.empty()) {
        auto a = pick(out.size());
        auto len = pick(out.size() - a) + 1;
        bytes slice(out.begin() + static_cast<long>(a), out.begin() + static_cast<long>(a + len));
        out.insert(out.begin() + static_cast<long>(pick(out.size())), slice.begin(), slice.end());
      }
      break;
    case 4: // random garbage of a random size
      out.resize(pick(2048));
      for (auto& b : out)
        b = static_cast<uint8_t>(rng());
      break;
    default: // zero a region
      if (!out.empty()) {
        auto a = pick(out.size());
        std::fill(out.begin() + static_cast<long>(a),
                  out.begin() + static_cast<long>(std::min(out.size(), a + 1 + pick(64))), 0);
      }
      break;
  }
  return out;
}

/// Reads everything the gateway and intake read from a frame; returns true if it
/// decoded at all (the answer does not matter, only that there is one).
bool read_like_the_hub(const bytes& frame) {
  auto msg = aligned_message::copy(frame.data(), frame.size());
  if (!msg)
    return false;
  auto err = with_root<wire::Frame>(*msg, ec::malformed_frame, [](wire::Frame::Reader f) {
    if (f.which() != wire::Frame::ENVELOPE)
      return caf::error{};
    auto env = f.getEnvelope();
    std::string type = env.getDocumentType();
    std::string sender = env.getSender();
    auto payload = env.getPayload();
    auto sig = env.getSignature();
    (void) sig.getKeyId();
    (void) sig.getValue();
    if (auto* t = find_document_type(type))
      (void) validate_payload(*t, payload.begin(), payload.size(), validation_limits{});
    return caf::error{};
  });
  return !err;
}

} // namespace

TEST_CASE("20,000 mutated frames are each decoded or refused, never crash the decoders",
          "[fuzz][codec]") {
  std::mt19937_64 rng{20261130};
  std::vector<bytes> seeds;
  seeds.push_back(build_envelope_frame("ENT-A", declaration_doc()));
  outgoing msg;
  msg.document_type = "trade.message";
  msg.payload = trade_message_payload("subject", "body");
  seeds.push_back(build_envelope_frame("ENT-A", msg));
  outgoing rot;
  rot.document_type = "hub.key-rotation";
  rot.payload = key_rotation_payload("", false, std::string(40, 'a'), 60);
  seeds.push_back(build_envelope_frame("ENT-A", rot));
  size_t decoded = 0;
  for (int i = 0; i < 20000; ++i) {
    auto frame = mutate(seeds[static_cast<size_t>(i) % seeds.size()], rng);
    if (rng() % 4 == 0) // stack a second mutation
      frame = mutate(frame, rng);
    decoded += read_like_the_hub(frame) ? 1 : 0;
  }
  // Both outcomes occur: the mutations are neither all harmless nor all fatal.
  CHECK(decoded > 100);
  CHECK(decoded < 20000);
}

TEST_CASE("the running hub answers 2,000 mutated frames and keeps serving", "[fuzz][integration]") {
  temp_dir dir;
  auto a = make_party("ENT-A", "enterprise");
  auto b = make_party("ENT-B", "enterprise");
  hub_process hubd{dir, write_hub_config(dir, {a, b})};
  zmq::context_t ctx;
  auto ca = hubd.connect(ctx, a);
  std::mt19937_64 rng{7};
  auto seed = build_envelope_frame("ENT-A", declaration_doc());
  size_t sent = 0;
  for (int i = 0; i < 2000; ++i) {
    auto frame = mutate(seed, rng);
    if (frame.empty())
      continue; // ZeroMQ carries empty parts, but the hub has nothing to answer about
    REQUIRE_FALSE(ca->send_raw(frame));
    ++sent;
  }
  // Every frame gets exactly one answer: mostly receipts (accepted ones too: a mutation
  // may still be a valid declaration), a welcome for what became a hello, a status
  // reply for what became a status query.
  for (size_t i = 0; i < sent; ++i) {
    auto answer = ca->next_frame(std::chrono::seconds{10});
    if (!answer)
      FAIL("answer " << i << " of " << sent << " missing: " << context_text(answer.error()));
  }
  CHECK_FALSE(ca->next_frame(std::chrono::milliseconds{300})); // and no more than one each
  CHECK(hubd.running());
  auto cb = hubd.connect(ctx, b);
  auto ok = cb->submit(declaration_doc("AFTER-FUZZ"));
  REQUIRE(ok);
  CHECK(ok->status == receipt::accepted);
}
