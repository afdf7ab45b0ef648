#include "actors/crypto/receipt_batch.hpp"

#include "actors/crypto/digest.hpp"
#include "actors/crypto/hub_signer.hpp"

namespace hub::crypto {

namespace {

bytes node_hash(const bytes& left, const bytes& right) {
  bytes in;
  in.reserve(65);
  in.push_back(0x01);
  in.insert(in.end(), left.begin(), left.end());
  in.insert(in.end(), right.begin(), right.end());
  return sha256(in.data(), in.size());
}

bytes path_entry(uint8_t side, const bytes& hash) {
  bytes e;
  e.reserve(33);
  e.push_back(side);
  e.insert(e.end(), hash.begin(), hash.end());
  return e;
}

} // namespace

bytes receipt_leaf_hash(const bytes& signing_input) {
  bytes in;
  in.reserve(signing_input.size() + 1);
  in.push_back(0x00);
  in.insert(in.end(), signing_input.begin(), signing_input.end());
  return sha256(in.data(), in.size());
}

bytes evidence_witness_hash(uint64_t index, const bytes& hash) {
  static const std::string tag = "swhub-receipt-evidence-v1";
  bytes in;
  auto lp = [&in](const uint8_t* p, size_t n) {
    for (int i = 3; i >= 0; --i)
      in.push_back(static_cast<uint8_t>(n >> (8 * i)));
    in.insert(in.end(), p, p + n);
  };
  in.push_back(0x02);
  lp(reinterpret_cast<const uint8_t*>(tag.data()), tag.size());
  for (int i = 7; i >= 0; --i)
    in.push_back(static_cast<uint8_t>(index >> (8 * i)));
  lp(hash.data(), hash.size());
  return sha256(in.data(), in.size());
}

bytes pair_with_witness(const bytes& leaf, const bytes& witness) {
  return node_hash(leaf, witness);
}

bytes witness_path_entry(const bytes& witness) {
  return path_entry(1, witness);
}

bytes fold_receipt_path(bytes node, const std::vector<bytes>& path) {
  for (auto& e : path) {
    if (e.size() != 33)
      return {};
    bytes sibling(e.begin() + 1, e.end());
    node = e[0] == 0 ? node_hash(sibling, node) : node_hash(node, sibling);
  }
  return node;
}

bytes receipt_batch_signing_input(const bytes& root) {
  static const std::string tag = "swhub-receipt-batch-v1";
  bytes in;
  auto lp = [&in](const uint8_t* p, size_t n) {
    for (int i = 3; i >= 0; --i)
      in.push_back(static_cast<uint8_t>(n >> (8 * i)));
    in.insert(in.end(), p, p + n);
  };
  lp(reinterpret_cast<const uint8_t*>(tag.data()), tag.size());
  lp(root.data(), root.size());
  return in;
}

caf::expected<signed_receipt_batch> sign_receipt_batch(const hub_signer& signer,
                                                       const std::vector<bytes>& leaves) {
  signed_receipt_batch out;
  out.paths.resize(leaves.size());
  // pos[i]: where leaf i's ancestor sits in the current level.
  std::vector<size_t> pos(leaves.size());
  for (size_t i = 0; i < pos.size(); ++i)
    pos[i] = i;
  std::vector<bytes> level = leaves;
  while (level.size() > 1) {
    std::vector<bytes> next;
    next.reserve((level.size() + 1) / 2);
    for (size_t j = 0; j + 1 < level.size(); j += 2)
      next.push_back(node_hash(level[j], level[j + 1]));
    if (level.size() % 2 == 1)
      next.push_back(level.back()); // unpaired: moves up unchanged
    for (size_t i = 0; i < pos.size(); ++i) {
      auto p = pos[i];
      if (p % 2 == 0 && p + 1 < level.size())
        out.paths[i].push_back(path_entry(1, level[p + 1]));
      else if (p % 2 == 1)
        out.paths[i].push_back(path_entry(0, level[p - 1]));
      pos[i] = p / 2;
    }
    level = std::move(next);
  }
  if (level.empty())
    return out;
  auto sig = signer.sign(receipt_batch_signing_input(level.front()));
  if (!sig)
    return sig.error();
  out.signature = std::move(*sig);
  return out;
}

} // namespace hub::crypto
