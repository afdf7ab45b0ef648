#pragma once
// What a domain tells the risk engine about one thing it decides a lane for (a
// declaration, an order, ...): named attributes of the whole, and a list of items each
// with named attributes. The engine knows no domain: rule conditions test attributes
// by the fixed names below, and the domain fills them from its own records (customs:
// actors/customs/declaration_risk_facts.hpp). An absent attribute is "", 0 or false.
//
// Rule keys (TOML / canonical JSON) and the attributes they test:
//   enterprises          header "enterprise"          text, one of the list
//   tiers                header "selectivity_class"   text, one of the list; also picks
//                                                     the random selectivity rates
//   transport-documents  header "transport_document"  list, any element in the list
//   min-prior-violations header "prior_violations"    integer >= the bound
//   ruling-deviation     header "ruling_deviation"    flag
//   direction            header "direction"           "import" or "export"
//   level 2 + district   header "scope"               text equal to the rule's scope
//   hs-prefixes          item "hs"                    text starting with one prefix
//   origins              item "origin"                text, one of the list
//   price                item "price_position"        integer -1 below, +1 above, 0 inside
//   min/max-kg-per-unit  item "kg_per_unit"           number within the bound
//   prohibited           item "prohibited"            flag
//   restricted           item "restricted"            flag
// Other attributes ("declarant", "unit_value", ...) are carried for the record only.

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace hub::risk {

/// The attribute names rules test (see the table above).
namespace attr {
inline constexpr std::string_view enterprise = "enterprise";
inline constexpr std::string_view selectivity_class = "selectivity_class";
inline constexpr std::string_view transport_document = "transport_document";
inline constexpr std::string_view prior_violations = "prior_violations";
inline constexpr std::string_view ruling_deviation = "ruling_deviation";
inline constexpr std::string_view direction = "direction";
inline constexpr std::string_view scope = "scope";
inline constexpr std::string_view hs = "hs";
inline constexpr std::string_view origin = "origin";
inline constexpr std::string_view price_position = "price_position";
inline constexpr std::string_view kg_per_unit = "kg_per_unit";
inline constexpr std::string_view prohibited = "prohibited";
inline constexpr std::string_view restricted = "restricted";
} // namespace attr

/// One attribute's value: a flag, an integer, a number, a text or a list of texts.
using value = std::variant<bool, int64_t, double, std::string, std::vector<std::string>>;

/// Named attributes. A handful per object, so a flat list searched in order.
class attributes {
public:
  /// Room for `n` attributes (a domain filling a known set saves reallocations).
  void reserve(size_t n) { values_.reserve(n); }

  /// Sets `name` (replacing an earlier value).
  attributes& set(std::string_view name, value v);

  /// The value of `name`, or nullptr.
  const value* find(std::string_view name) const;

  /// Typed reads; an absent attribute or one of another type gives the default.
  std::string_view text(std::string_view name) const;
  int64_t integer(std::string_view name) const;
  double number(std::string_view name) const; ///< an integer reads as a number too
  bool flag(std::string_view name) const;
  const std::vector<std::string>& list(std::string_view name) const;

  const std::vector<std::pair<std::string, value>>& all() const { return values_; }

private:
  std::vector<std::pair<std::string, value>> values_;
};

/// Everything the engine sees of one evaluated thing.
struct facts {
  attributes header;             ///< the whole (declaration, order, ...)
  std::vector<attributes> items; ///< its goods items
};

} // namespace hub::risk
