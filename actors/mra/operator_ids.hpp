#pragma once
// How a partner customs' operator ids look, per identifier scheme (aeo-and-3m.md
// section 4). Shared by the hub (actors/foreign: a batch with an id outside its
// arrangement's scheme is refused) and the partner's bridge (tools/foreign: such a
// record is reported by its input line before it is sent), so the two cannot drift.
// Header-only: the bridge links none of the hub's libraries.

#include <optional>
#include <string>
#include <string_view>

namespace hub::mra {

enum class id_scheme : unsigned char {
  eori,   ///< ISO country code + up to 15 alphanumerics (EU EORI, at most 17)
  ctpat,  ///< C-TPAT account number: up to 20 alphanumerics
  uen,    ///< Singapore unique entity number: 9 or 10 alphanumerics ending in a letter
  mid,    ///< US manufacturer id: 2 letters + up to 13 alphanumerics (derived, never merged)
};

inline const char* to_string(id_scheme s) {
  switch (s) {
    case id_scheme::eori: return "eori";
    case id_scheme::ctpat: return "ctpat";
    case id_scheme::uen: return "uen";
    case id_scheme::mid: return "mid";
  }
  return "?";
}

inline std::optional<id_scheme> id_scheme_from_string(std::string_view s) {
  for (auto x : {id_scheme::eori, id_scheme::ctpat, id_scheme::uen, id_scheme::mid})
    if (s == to_string(x))
      return x;
  return std::nullopt;
}

/// Why `id` is not an id of the scheme, or "" if it is one.
inline std::string id_problem(id_scheme s, std::string_view id) {
  auto upper = [](char c) { return c >= 'A' && c <= 'Z'; };
  auto alnum_from = [&](size_t from) {
    for (size_t i = from; i < id.size(); ++i) {
      char c = id[i];
      if (!((c >= '0' && c <= '9') || upper(c) || (c >= 'a' && c <= 'z')))
        return false;
    }
    return true;
  };
  switch (s) {
    case id_scheme::eori:
      if (id.size() < 3 || id.size() > 17 || !upper(id[0]) || !upper(id[1]) || !alnum_from(2))
        return "an EORI is a 2-letter country code and 1 to 15 letters or digits";
      return {};
    case id_scheme::ctpat:
      if (id.empty() || id.size() > 20 || !alnum_from(0))
        return "a C-TPAT account number is 1 to 20 letters or digits";
      return {};
    case id_scheme::uen:
      if (id.size() < 9 || id.size() > 10 || !alnum_from(0) || !upper(id.back()))
        return "a UEN is 9 or 10 letters or digits ending in a capital letter";
      return {};
    case id_scheme::mid:
      if (id.size() < 3 || id.size() > 15 || !upper(id[0]) || !upper(id[1]) || !alnum_from(2))
        return "a MID is 2 letters and up to 13 letters or digits";
      return {};
  }
  return "unknown identifier scheme";
}

} // namespace hub::mra
