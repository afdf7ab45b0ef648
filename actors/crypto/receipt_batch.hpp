#pragma once
// Receipts leave the hub in batches (all receipts the gateway sends in one pass of its
// loop), and the hub signs a batch once: the receipts are the leaves of a Merkle tree,
// the hub signs the root, and each receipt carries its path to the root. Under load
// that is one signature per batch instead of one per receipt; a lone receipt is a
// batch of one (empty path). Verification needs only the receipt and the hub key.
//
//   leaf = SHA-256(0x00 || receipt signing input)
//   node = SHA-256(0x01 || left || right); an unpaired last node moves up unchanged
//   the hub signs lp("swhub-receipt-batch-v1") || lp(root)
//   path entry = 1 byte side (0: sibling on the left, 1: on the right) || 32-byte hash
//
// A receipt for a stored document also vouches for the document's evidence record
// (index, hash), so a partner's receipt is a witness of the log's length outside the
// hub. The pair enters the tree as one node over the receipt's leaf and a witness leaf:
//
//   witness = SHA-256(0x02 || lp("swhub-receipt-evidence-v1") || u64be(index) || lp(hash))
//   entry   = node(leaf, witness); the receipt's path starts with (1, witness)
//
// A verifier that does not know the evidence fields folds the path as before.

#include <vector>

#include <caf/expected.hpp>

#include "actors/actors.hpp"

namespace hub::crypto {

class hub_signer;

bytes receipt_leaf_hash(const bytes& signing_input);

/// The root a receipt's leaf and path lead to.
bytes fold_receipt_path(bytes leaf, const std::vector<bytes>& path);

/// The witness leaf for a document's evidence record.
bytes evidence_witness_hash(uint64_t index, const bytes& hash);

/// The tree entry of a receipt carrying `witness`, and the path entry that leads from
/// the receipt's leaf to it (the first entry of the receipt's path).
bytes pair_with_witness(const bytes& leaf, const bytes& witness);
bytes witness_path_entry(const bytes& witness);

/// What the hub signs for a batch root.
bytes receipt_batch_signing_input(const bytes& root);

struct signed_receipt_batch {
  bytes signature;                       ///< over receipt_batch_signing_input(root)
  std::vector<std::vector<bytes>> paths; ///< per leaf, in input order
};

/// Builds the tree over `leaves` (leaf hashes) and signs its root once.
caf::expected<signed_receipt_batch> sign_receipt_batch(const hub_signer& signer,
                                                       const std::vector<bytes>& leaves);

} // namespace hub::crypto
