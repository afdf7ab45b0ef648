#include "actors/customs/post_release_audit.hpp"

#include <algorithm>
#include <cmath>
#include <utility>

#include "actors/core/error.hpp"

// How the batch review decides (deterministic: only ordered containers, input order kept).
//
// Classification (per item):
//   * an advance ruling of kind classification held by the case's enterprise (holder
//     empty or equal), valid at release (valid_from <= released < valid_until, 0 =
//     open), whose description and the item's contain one another (case-insensitive),
//     governs. Declared HS == ruled HS: no finding (and no precedent check). Otherwise
//     the item's taxes are recomputed at the ruled HS (same CNY value, same claim):
//     |difference| >= min_adjustment => tax-adjustment of the difference (negative =
//     refund); else verification (a deviation from a binding ruling is checked even
//     when the money is small). A "same HS family" match alone is NOT used: it would
//     flag every other article of the heading.
//   * otherwise the first precedent whose keyword occurs in the description: declared
//     HS differs => recompute at the precedent's HS; an increase >= min_adjustment =>
//     tax-adjustment, anything else => verification.
// Value (per item, unit value = CNY value / quantity, rounded to a cent):
//   * a valuation ruling held (same HS, description matching if it has one) and the
//     unit value inside its range => no value finding; outside => verification;
//   * else below the reference minimum (prices.toml, same unit): by more than
//     severe_undervaluation => audit-instruction, else verification;
//   * and below the median of its group in the batch (same HS and origin, >= 3 items)
//     by more than similar_deviation => verification.
//   One value finding per item at most (the more severe, reasons joined). Value
//   findings carry no adjustment: the value is only known after verification.
// Origin (per item assessed at a preferential rate): the quoted certificate must
//   exist, be for the claimed agreement and the item's origin country, cover its HS
//   (a prefix, or no prefixes) and not be expired at release (released < valid_until).
//   Otherwise the MFN taxes minus the assessed ones: >= min_adjustment =>
//   tax-adjustment; smaller => a no-action finding (recorded, not raised).
// Enterprise: one with >= audit_after_findings findings (other than no-action) in
//   the batch has each of its cases that has such a finding raised to
//   audit-instruction (case_result::note says why). Clean cases stay clean.
// Report: reset, then counts per outcome, total adjustments, and the unit-value
//   distribution per declared HS code over every item with a positive quantity.

namespace hub::customs {

const char* to_string(audit_outcome x) {
  switch (x) {
    case audit_outcome::no_action:
      return "no-action";
    case audit_outcome::tax_adjustment:
      return "tax-adjustment";
    case audit_outcome::verification:
      return "verification";
    case audit_outcome::audit_instruction:
      return "audit-instruction";
  }
  return "?";
}

namespace {

using wide = wide_cents; // exact ppm comparisons and sums

bool valid_at(const advance_ruling& r, const std::string& enterprise, int64_t at_ms) {
  return (r.holder.empty() || r.holder == enterprise) && r.valid_from_ms <= at_ms
         && (r.valid_until_ms == 0 || at_ms < r.valid_until_ms);
}

bool describes(const std::string& a, const std::string& b) {
  return contains_ci(a, b) || contains_ci(b, a);
}

std::string item_name(size_t i) {
  return "items[" + std::to_string(i) + "]";
}

/// The taxes of an item recomputed at `line` (claim applied if it has a rate) minus
/// those assessed; fails (invalid_amount) when the recomputed taxes are beyond
/// max_amount, which the reviewer then verifies by hand.
caf::expected<cents> tax_difference(const tariff_line& line, const item_tax& assessed,
                                    std::string_view claim) {
  auto at_line = tax_at_line(line, assessed.value_cny, claim);
  if (!at_line)
    return at_line.error();
  return total_tax(*at_line) - total_tax(assessed); // both within max_amount: no wrap
}

/// True (and `f` a verification) if the taxes could not be recomputed.
bool verify_by_hand(audit_finding& f, const std::string& head, const caf::expected<cents>& diff) {
  if (diff)
    return false;
  f.outcome = audit_outcome::verification;
  f.reason = head + " (" + context_text(diff.error()) + ": to be verified by hand)";
  return true;
}

cents median_of(std::vector<cents> v) {
  std::sort(v.begin(), v.end());
  auto n = v.size();
  if (n % 2 == 1)
    return v[n / 2];
  wide sum = wide{v[n / 2 - 1]} + v[n / 2];
  return static_cast<cents>(sum >= 0 ? (sum + 1) / 2 : sum / 2); // between the two: fits
}

/// Share (ppm) by which `value` lies below `reference` (> 0 only when below).
ppm shortfall(cents value, cents reference) {
  if (reference <= 0 || value >= reference)
    return 0;
  return static_cast<ppm>(static_cast<wide>(reference - value) * one_ppm / reference);
}

/// The value per unit, or none when it is beyond max_amount (a tiny quantity of a
/// large value: llround would overflow) and cannot be compared with a price range.
std::optional<cents> unit_value(cents value_cny, double quantity) {
  if (!std::isfinite(quantity) || quantity <= 0)
    return std::nullopt;
  long double v = static_cast<long double>(value_cny) / quantity;
  if (!(v <= static_cast<long double>(max_amount)))
    return std::nullopt;
  return static_cast<cents>(std::llround(v));
}

/// What the review works from per item: the assessed taxes and the unit value.
struct item_view {
  item_tax assessed;
  std::optional<cents> unit_value;
};

struct case_view {
  std::vector<item_view> items;
  std::string failure; ///< non-empty: the assessment could not be established
};

case_view view_of(const reference_data& ref, const audit_case& c) {
  case_view v;
  std::vector<item_tax> taxes;
  if (c.assessed.items.size() == c.items.size()) {
    taxes = c.assessed.items;
  } else {
    std::vector<tax_item> goods;
    for (auto& it : c.items)
      goods.push_back(it.goods);
    auto again = assess(ref, goods, true);
    if (!again) {
      v.failure = "the assessment at release covers " + std::to_string(c.assessed.items.size())
                  + " of " + std::to_string(c.items.size())
                  + " items and cannot be recomputed: " + hub::context_text(again.error());
      return v;
    }
    taxes = std::move(again->items);
  }
  for (size_t i = 0; i < c.items.size(); ++i)
    v.items.push_back({taxes[i], unit_value(taxes[i].value_cny, c.items[i].goods.quantity)});
  return v;
}

using group_key = std::pair<std::string, std::string>; // (hs, origin)

std::string money(cents x) {
  return format_amount(x) + " CNY";
}

class reviewer {
public:
  reviewer(const reference_data& ref, const audit_policy& policy,
           const std::map<group_key, cents>& medians)
    : ref_(ref), policy_(policy), medians_(medians) {}

  void review(const audit_case& c, const case_view& v, case_result& out) const {
    if (!v.failure.empty()) {
      out.findings.push_back(
          {0, audit_finding::classification, audit_outcome::verification, v.failure, 0});
      return;
    }
    for (size_t i = 0; i < c.items.size(); ++i) {
      if (auto f = classification(c, i, v.items[i]))
        out.findings.push_back(std::move(*f));
      if (auto f = value(c, i, v.items[i]))
        out.findings.push_back(std::move(*f));
      if (auto f = origin(c, i, v.items[i]))
        out.findings.push_back(std::move(*f));
    }
  }

private:
  std::optional<audit_finding> classification(const audit_case& c, size_t i,
                                              const item_view& v) const {
    auto& it = c.items[i];
    auto& hs = it.goods.hs;
    audit_finding f;
    f.item = static_cast<uint16_t>(i);
    f.area = audit_finding::classification;
    for (auto& r : c.rulings) {
      if (r.kind != advance_ruling::classification || !valid_at(r, c.enterprise, c.released_at_ms)
          || !describes(it.description, r.description))
        continue;
      if (r.hs == hs)
        return std::nullopt; // classified as ruled
      auto head = item_name(i) + " \"" + it.description + "\" declared under HS " + hs
                  + " but advance ruling " + r.id + " classifies \"" + r.description
                  + "\" under HS " + r.hs;
      auto* line = ref_.line(r.hs);
      if (line == nullptr) {
        f.outcome = audit_outcome::verification;
        f.reason = head + " (not a line of the tariff: taxes cannot be recomputed)";
        return f;
      }
      auto recomputed = tax_difference(*line, v.assessed, it.goods.preferential_claim);
      if (verify_by_hand(f, head, recomputed))
        return f;
      auto diff = *recomputed;
      auto abs_diff = diff < 0 ? -diff : diff;
      if (abs_diff >= policy_.min_adjustment) {
        f.outcome = audit_outcome::tax_adjustment;
        f.adjustment = diff;
        f.reason = head + "; taxes at HS " + r.hs + " differ by " + money(diff);
      } else {
        f.outcome = audit_outcome::verification;
        f.reason = head + "; the tax difference " + money(diff) + " is below "
                   + money(policy_.min_adjustment) + " and is not raised";
      }
      return f;
    }
    auto* p = ref_.precedent_for(it.description);
    if (p == nullptr || p->hs == hs)
      return std::nullopt;
    auto head = item_name(i) + " \"" + it.description + "\" declared under HS " + hs
                + " but precedent " + p->id + " (\"" + p->keyword + "\") classifies it under HS "
                + p->hs;
    auto* line = ref_.line(p->hs);
    if (line != nullptr) {
      auto recomputed = tax_difference(*line, v.assessed, it.goods.preferential_claim);
      if (verify_by_hand(f, head, recomputed))
        return f;
      auto diff = *recomputed;
      if (diff >= policy_.min_adjustment) {
        f.outcome = audit_outcome::tax_adjustment;
        f.adjustment = diff;
        f.reason = head + "; taxes at HS " + p->hs + " are higher by " + money(diff);
        return f;
      }
      f.reason = head + "; tax difference " + money(diff) + ", to be verified";
    } else {
      f.reason = head + " (not a line of the tariff), to be verified";
    }
    f.outcome = audit_outcome::verification;
    return f;
  }

  std::optional<audit_finding> value(const audit_case& c, size_t i, const item_view& v) const {
    if (!v.unit_value)
      return std::nullopt;
    auto& it = c.items[i];
    auto uv = *v.unit_value;
    auto per_unit = money(uv) + " per " + it.goods.unit;
    audit_finding f;
    f.item = static_cast<uint16_t>(i);
    f.area = audit_finding::value;
    for (auto& r : c.rulings) {
      if (r.kind != advance_ruling::valuation || !valid_at(r, c.enterprise, c.released_at_ms)
          || r.hs != it.goods.hs
          || (!r.description.empty() && !describes(it.description, r.description)))
        continue;
      if (uv >= r.min_unit_value && uv <= r.max_unit_value)
        return std::nullopt;
      f.outcome = audit_outcome::verification;
      f.reason = item_name(i) + " unit value " + per_unit + " is outside the range "
                 + format_amount(r.min_unit_value) + "-" + format_amount(r.max_unit_value)
                 + " of advance valuation ruling " + r.id;
      return f;
    }
    std::string reasons;
    auto raise = [&](audit_outcome o, const std::string& why) {
      f.outcome = std::max(f.outcome, o);
      reasons += (reasons.empty() ? "" : "; ") + why;
    };
    auto* price = ref_.price_for(it.goods.hs);
    if (price != nullptr && price->unit == it.goods.unit) {
      auto below = shortfall(uv, price->min_per_unit);
      if (below > 0) {
        auto why = item_name(i) + " unit value " + per_unit + " is " + format_percent(below)
                   + " below the reference minimum " + money(price->min_per_unit) + " for HS "
                   + price->hs_prefix;
        raise(below > policy_.severe_undervaluation ? audit_outcome::audit_instruction
                                                    : audit_outcome::verification,
              why);
      }
    }
    auto m = medians_.find({it.goods.hs, it.goods.origin});
    if (m != medians_.end()) {
      auto below = shortfall(uv, m->second);
      if (below > policy_.similar_deviation)
        raise(audit_outcome::verification,
              item_name(i) + " unit value " + per_unit + " is " + format_percent(below)
                  + " below the median " + money(m->second) + " of similar declarations (HS "
                  + it.goods.hs + ", origin " + it.goods.origin + ") in this batch");
    }
    if (reasons.empty())
      return std::nullopt;
    f.reason = std::move(reasons);
    return f;
  }

  std::optional<audit_finding> origin(const audit_case& c, size_t i, const item_view& v) const {
    if (!v.assessed.preferential)
      return std::nullopt;
    auto& it = c.items[i];
    auto& claim = it.goods.preferential_claim;
    std::string problem;
    auto cert = ref_.certificates.find(it.certificate);
    if (it.certificate.empty()) {
      problem = "quotes no certificate of origin";
    } else if (cert == ref_.certificates.end()) {
      problem = "quotes certificate " + it.certificate + " which is not in the registry";
    } else {
      auto& oc = cert->second;
      auto covers =
          oc.hs_prefixes.empty()
          || std::any_of(oc.hs_prefixes.begin(), oc.hs_prefixes.end(),
                         [&](const std::string& p) { return it.goods.hs.rfind(p, 0) == 0; });
      if (oc.agreement != claim)
        problem =
            "quotes certificate " + oc.number + " issued under " + oc.agreement + ", not " + claim;
      else if (oc.country != it.goods.origin)
        problem = "quotes certificate " + oc.number + " for origin " + oc.country
                  + " but declares origin " + it.goods.origin;
      else if (!covers)
        problem = "quotes certificate " + oc.number + " which does not cover HS " + it.goods.hs;
      else if (oc.valid_until_ms != 0 && c.released_at_ms >= oc.valid_until_ms)
        problem = "quotes certificate " + oc.number + " which had expired at release";
    }
    if (problem.empty())
      return std::nullopt;
    auto* line = ref_.line(it.goods.hs);
    audit_finding f;
    f.item = static_cast<uint16_t>(i);
    f.area = audit_finding::origin;
    auto head = item_name(i) + " was assessed at the " + claim + " rate but " + problem;
    if (line == nullptr) {
      f.outcome = audit_outcome::verification;
      f.reason = head + "; HS " + it.goods.hs + " is not in the tariff, MFN taxes unknown";
      return f;
    }
    auto recomputed = tax_difference(*line, v.assessed, "");
    if (verify_by_hand(f, head, recomputed))
      return f;
    auto diff = *recomputed;
    if (diff >= policy_.min_adjustment) {
      f.outcome = audit_outcome::tax_adjustment;
      f.adjustment = diff;
      f.reason = head + "; MFN taxes are higher by " + money(diff);
    } else {
      f.outcome = audit_outcome::no_action;
      f.reason = head + "; the MFN difference " + money(diff) + " is below "
                 + money(policy_.min_adjustment) + " and is not raised";
    }
    return f;
  }

  const reference_data& ref_;
  const audit_policy& policy_;
  const std::map<group_key, cents>& medians_;
};

} // namespace

std::vector<case_result> audit_batch(const reference_data& ref,
                                     const std::vector<audit_case>& batch,
                                     const audit_policy& policy, int64_t now_ms,
                                     group_report& report) {
  (void)now_ms; // validity is judged at each case's release, not at review time
  report = group_report{};
  std::vector<case_view> views;
  views.reserve(batch.size());
  std::map<group_key, std::vector<cents>> groups;
  std::map<std::string, std::vector<cents>> by_hs;
  for (auto& c : batch) {
    views.push_back(view_of(ref, c));
    auto& v = views.back();
    for (size_t i = 0; i < v.items.size(); ++i)
      if (auto uv = v.items[i].unit_value) {
        auto& g = c.items[i].goods;
        groups[{g.hs, g.origin}].push_back(*uv);
        by_hs[g.hs].push_back(*uv);
      }
  }
  std::map<group_key, cents> medians;
  for (auto& [key, values] : groups)
    if (values.size() >= 3)
      medians.emplace(key, median_of(values));

  reviewer rev{ref, policy, medians};
  std::vector<case_result> out;
  out.reserve(batch.size());
  amount_sum adjustments;
  std::map<std::string, size_t> per_enterprise;
  for (size_t k = 0; k < batch.size(); ++k) {
    case_result r;
    r.case_id = batch[k].case_id;
    rev.review(batch[k], views[k], r);
    amount_sum adjustment;
    for (auto& f : r.findings) {
      r.outcome = std::max(r.outcome, f.outcome);
      adjustment += f.adjustment;
      if (f.outcome != audit_outcome::no_action)
        ++per_enterprise[batch[k].enterprise];
    }
    if (auto total = adjustment.total("the case's tax adjustment")) {
      r.adjustment = *total;
    } else { // too large to ask for: customs verifies it by hand
      r.adjustment = 0;
      r.outcome = std::max(r.outcome, audit_outcome::verification);
      r.note = context_text(total.error());
    }
    out.push_back(std::move(r));
  }
  for (size_t k = 0; k < batch.size(); ++k) {
    auto n = per_enterprise[batch[k].enterprise];
    auto& r = out[k];
    if (policy.audit_after_findings > 0 && n >= policy.audit_after_findings
        && r.outcome != audit_outcome::no_action && r.outcome != audit_outcome::audit_instruction) {
      r.outcome = audit_outcome::audit_instruction;
      r.note = "enterprise " + batch[k].enterprise + " has " + std::to_string(n)
               + " findings in this batch (audit after "
               + std::to_string(policy.audit_after_findings) + ")";
    }
    ++report.outcomes[r.outcome];
    adjustments += r.adjustment;
  }
  // A report figure: shown at the limit rather than wrapped if a batch ever exceeds it.
  auto sum = adjustments.exact();
  report.adjustments = static_cast<cents>(std::clamp<wide>(sum, -wide{max_amount}, wide{max_amount}));
  report.cases = batch.size();
  for (auto& [hs, values] : by_hs) {
    auto& u = report.by_hs[hs];
    u.count = values.size();
    u.median = median_of(values);
    u.min = *std::min_element(values.begin(), values.end());
    u.max = *std::max_element(values.begin(), values.end());
  }
  return out;
}

} // namespace hub::customs
