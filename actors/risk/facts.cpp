#include "actors/risk/facts.hpp"

#include <algorithm>

namespace hub::risk {

attributes& attributes::set(std::string_view name, value v) {
  for (auto& [n, x] : values_)
    if (n == name) {
      x = std::move(v);
      return *this;
    }
  values_.emplace_back(std::string{name}, std::move(v));
  return *this;
}

const value* attributes::find(std::string_view name) const {
  for (auto& [n, x] : values_)
    if (n == name)
      return &x;
  return nullptr;
}

std::string_view attributes::text(std::string_view name) const {
  auto* v = find(name);
  auto* s = v != nullptr ? std::get_if<std::string>(v) : nullptr;
  return s != nullptr ? std::string_view{*s} : std::string_view{};
}

int64_t attributes::integer(std::string_view name) const {
  auto* v = find(name);
  auto* i = v != nullptr ? std::get_if<int64_t>(v) : nullptr;
  return i != nullptr ? *i : 0;
}

double attributes::number(std::string_view name) const {
  auto* v = find(name);
  if (v == nullptr)
    return 0;
  if (auto* d = std::get_if<double>(v))
    return *d;
  if (auto* i = std::get_if<int64_t>(v))
    return static_cast<double>(*i);
  return 0;
}

bool attributes::flag(std::string_view name) const {
  auto* v = find(name);
  auto* b = v != nullptr ? std::get_if<bool>(v) : nullptr;
  return b != nullptr && *b;
}

const std::vector<std::string>& attributes::list(std::string_view name) const {
  static const std::vector<std::string> none;
  auto* v = find(name);
  auto* l = v != nullptr ? std::get_if<std::vector<std::string>>(v) : nullptr;
  return l != nullptr ? *l : none;
}

} // namespace hub::risk
