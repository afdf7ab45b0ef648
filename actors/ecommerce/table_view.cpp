#include "actors/ecommerce/table_view.hpp"

namespace hub::ecommerce {

std::optional<bytes> table_view::get(const std::string& table, const bytes& key) const {
  auto i = overlay_.find({table, key});
  if (i != overlay_.end())
    return i->second.value;
  auto v = reader_->get(table, key);
  if (!v)
    return std::nullopt;
  return std::move(*v);
}

void table_view::apply(const std::vector<table_op>& ops, uint64_t commit_id) {
  for (auto& op : ops) {
    auto& e = overlay_[{op.table, op.key}];
    e.value = op.erase ? std::nullopt : std::optional<bytes>{op.value};
    e.commit_id = commit_id;
    by_commit_[commit_id].emplace_back(op.table, op.key);
  }
}

void table_view::committed(uint64_t commit_id) {
  auto keys = by_commit_.find(commit_id);
  if (keys == by_commit_.end())
    return;
  for (auto& k : keys->second) {
    auto i = overlay_.find(k);
    if (i != overlay_.end() && i->second.commit_id == commit_id)
      overlay_.erase(i);
  }
  by_commit_.erase(keys);
}

std::optional<bytes> txn::get(const std::string& table, const bytes& key) const {
  auto i = local_.find({table, key});
  if (i != local_.end())
    return i->second;
  return base_.get(table, key);
}

void txn::put(const std::string& table, bytes key, bytes value) {
  local_[{table, key}] = value;
  ops_.push_back(table_op{table, std::move(key), std::move(value), false});
}

void txn::erase(const std::string& table, bytes key) {
  local_[{table, key}] = std::nullopt;
  ops_.push_back(table_op{table, std::move(key), {}, true});
}

std::vector<table_op> txn::take_ops() {
  local_.clear();
  return std::move(ops_);
}

} // namespace hub::ecommerce
