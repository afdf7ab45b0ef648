// Batched receipt signatures: every receipt of a batch leads to the signed root through
// its own path, and no other receipt (or path) does.

#include <catch2/catch.hpp>

#include "actors/crypto/digest.hpp"
#include "actors/crypto/hub_signer.hpp"
#include "actors/crypto/receipt_batch.hpp"

using namespace hub;
using namespace hub::crypto;

TEST_CASE("each receipt of a batch of any size verifies through its path against one "
          "signature", "[crypto][receipt-batch]") {
  auto key = private_key::generate(algorithm::ecdsa_p256_sha256);
  REQUIRE(key);
  auto signer = hub_signer::from_key(*key);
  for (size_t n : {1u, 2u, 3u, 5u, 8u, 13u, 64u}) {
    INFO("batch of " << n);
    std::vector<bytes> leaves;
    for (size_t i = 0; i < n; ++i) {
      bytes input{'r', static_cast<uint8_t>(i), static_cast<uint8_t>(n)};
      leaves.push_back(receipt_leaf_hash(input));
    }
    auto b = sign_receipt_batch(*signer, leaves);
    REQUIRE(b);
    REQUIRE(b->paths.size() == n);
    bytes root;
    for (size_t i = 0; i < n; ++i) {
      auto r = fold_receipt_path(leaves[i], b->paths[i]);
      if (i == 0)
        root = r;
      CHECK(r == root); // one root for all
      CHECK(b->paths[i].size() <= 7);
    }
    auto input = receipt_batch_signing_input(root);
    CHECK_FALSE(verify(signer->public_part(), input.data(), input.size(), b->signature));
    // Another receipt does not reach the root with someone else's path.
    auto forged = receipt_leaf_hash(bytes{'f', 'o', 'r', 'g', 'e', 'd'});
    CHECK(fold_receipt_path(forged, b->paths[0]) != root);
    if (n > 1)
      CHECK(fold_receipt_path(leaves[0], b->paths[1]) != root);
  }
}

TEST_CASE("a malformed path leads nowhere", "[crypto][receipt-batch]") {
  auto leaf = receipt_leaf_hash(bytes{1, 2, 3});
  CHECK(fold_receipt_path(leaf, {bytes(10, 0)}).empty());
}

TEST_CASE("a receipt paired with its evidence witness reaches the signed root through a "
          "path that starts with the witness, and only that witness does",
          "[crypto][receipt-batch][evidence]") {
  auto key = private_key::generate(algorithm::ecdsa_p256_sha256);
  REQUIRE(key);
  auto signer = hub_signer::from_key(*key);
  auto leaf = receipt_leaf_hash(bytes{'r', 1});
  auto other = receipt_leaf_hash(bytes{'r', 2}); // a rejection: no witness
  auto witness = evidence_witness_hash(42, bytes(32, 7));
  auto b = sign_receipt_batch(*signer, {pair_with_witness(leaf, witness), other});
  REQUIRE(b);
  auto path = b->paths[0];
  path.insert(path.begin(), witness_path_entry(witness));
  auto root = fold_receipt_path(leaf, path); // what a verifier unaware of the witness does
  CHECK(root == fold_receipt_path(other, b->paths[1]));
  auto input = receipt_batch_signing_input(root);
  CHECK_FALSE(verify(signer->public_part(), input.data(), input.size(), b->signature));
  // Another index or hash is another witness, and the witness is no receipt leaf.
  CHECK(evidence_witness_hash(43, bytes(32, 7)) != witness);
  CHECK(evidence_witness_hash(42, bytes(32, 8)) != witness);
  CHECK(witness_path_entry(witness).size() == 33);
  CHECK(witness_path_entry(witness)[0] == 1);
}
