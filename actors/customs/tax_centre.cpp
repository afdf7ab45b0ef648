#include "actors/customs/tax_centre.hpp"

#include <set>

#include <caf/all.hpp>

#include "actors/core/error.hpp"
#include "actors/core/frames.hpp"
#include "actors/core/log.hpp"
#include "actors/customs/case_record.hpp"
#include "actors/customs/post_release_audit.hpp"
#include "actors/store/storage.hpp"
#include "actors/customs/customs_tables.hpp"

namespace hub::customs {

namespace {

using json = nlohmann::json;

struct tax_centre_state {
  static inline const char* name = "tax-centre";
  tax_centre_config cfg;
  customs_deps d;
  clearance_actor clearance;
  std::vector<std::string> queue; ///< case ids in arrival order
  std::set<std::string> queued;
  std::set<std::string> in_review; ///< sent to clearance, not yet committed
  bool timer = false;
};

using tax_centre_ptr = tax_centre_actor::stateful_pointer<tax_centre_state>;

std::vector<advance_ruling> rulings_of(const store_reader& reader, const std::string& holder) {
  std::vector<advance_ruling> out;
  reader.for_each(tables::rulings, [&](const bytes&, const bytes& val) {
    if (auto r = ruling_from_bytes(val); r && r->holder == holder)
      out.push_back(std::move(*r));
    return true;
  });
  return out;
}

/// The lines of a case this centre reviews, with the index each had in the declaration.
audit_case review_input(const tax_centre_state& st, const case_record& c, std::vector<uint16_t>& index) {
  audit_case a;
  a.case_id = c.case_id;
  a.enterprise = c.enterprise;
  a.released_at_ms = c.released_at;
  for (size_t i = 0; i < c.items.size(); ++i) {
    auto& it = c.items[i];
    if (!st.cfg.covers(it.hs))
      continue;
    audit_item ai;
    ai.goods = {it.hs, it.value, it.currency, it.origin, it.claim, it.quantity, it.unit};
    ai.description = it.description;
    ai.certificate = it.certificate;
    ai.net_kg = it.net_kg;
    a.items.push_back(std::move(ai));
    if (i < c.assessed.items.size())
      a.assessed.items.push_back(c.assessed.items[i]);
    index.push_back(static_cast<uint16_t>(i));
  }
  // Lines of a declaration whose totals were checked at lodgement: their sums fit.
  if (auto err = sum_items(a.assessed))
    log::error("tax-centre", "case " + c.case_id + ": " + context_text(err));
  return a;
}

json report_json(const tax_centre_state& st, const group_report& r, int64_t now) {
  json outcomes = json::object();
  for (auto& [o, n] : r.outcomes)
    outcomes[to_string(o)] = n;
  json by_hs = json::object();
  for (auto& [hs, u] : r.by_hs)
    by_hs[hs] = {{"count", u.count}, {"median", format_amount(u.median)}, {"min", format_amount(u.min)},
                 {"max", format_amount(u.max)}};
  return {{"centre", st.cfg.id}, {"name", st.cfg.name}, {"at", now}, {"cases", r.cases},
          {"outcomes", outcomes}, {"adjustments", format_amount(r.adjustments)}, {"unitValuesByHs", by_hs}};
}

void schedule(tax_centre_ptr self) {
  auto& st = self->state;
  if (!st.timer && !st.queue.empty()) {
    st.timer = true;
    self->delayed_send(self, st.d.cfg->audit.interval, atom::tick_v);
  }
}

void run_batch(tax_centre_ptr self) {
  auto& st = self->state;
  if (!st.in_review.empty() || st.queue.empty())
    return;
  auto now = now_ms();
  std::vector<audit_case> batch;
  std::vector<std::vector<uint16_t>> indices;
  std::vector<std::string> ids;
  std::map<std::string, std::vector<advance_ruling>> rulings;
  for (auto& id : st.queue) {
    if (ids.size() >= st.d.cfg->audit.batch_size)
      break;
    ids.push_back(id);
    auto b = st.d.reader->get(tables::cases, bytes(id.begin(), id.end()));
    auto c = b ? decode_case(*b) : caf::expected<case_record>{b.error()};
    if (!c) {
      log::warn("tax-centre", st.cfg.id + ": case " + id + " unreadable, reviewed as empty: " + context_text(c.error()));
      audit_case empty;
      empty.case_id = id;
      batch.push_back(std::move(empty));
      indices.emplace_back();
      continue;
    }
    std::vector<uint16_t> idx;
    auto a = review_input(st, *c, idx);
    if (rulings.count(a.enterprise) == 0)
      rulings[a.enterprise] = rulings_of(*st.d.reader, a.enterprise);
    for (auto& r : rulings[a.enterprise])
      if (r.valid_from_ms <= a.released_at_ms && a.released_at_ms < r.valid_until_ms)
        a.rulings.push_back(r);
    batch.push_back(std::move(a));
    indices.push_back(std::move(idx));
  }
  group_report report;
  auto results = audit_batch(*st.d.ref, batch, st.d.cfg->audit.policy, now, report);
  review_report rep;
  rep.centre = st.cfg.id;
  for (size_t i = 0; i < results.size(); ++i) {
    auto& r = results[i];
    json findings = json::array();
    for (auto& f : r.findings) {
      auto item = f.item < indices[i].size() ? indices[i][f.item] : f.item;
      static const char* areas[] = {"classification", "value", "origin"};
      findings.push_back(json{{"item", item}, {"area", areas[f.area]}, {"outcome", to_string(f.outcome)},
                              {"reason", f.reason}, {"adjustment", f.adjustment}});
    }
    review_result rr;
    rr.case_id = r.case_id;
    rr.outcome = static_cast<uint8_t>(r.outcome);
    rr.adjustment = r.adjustment;
    rr.findings = findings.dump();
    rep.results.push_back(std::move(rr));
  }
  rep.report = report_json(st, report, now).dump();
  st.in_review.insert(ids.begin(), ids.end());
  self->request(st.clearance, st.d.store_timeout * 2, atom::audited_v, std::move(rep))
    .then(
      [self, ids](bool) {
        auto& st = self->state;
        for (auto& id : ids) {
          st.queued.erase(id);
          st.in_review.erase(id);
        }
        st.queue.erase(std::remove_if(st.queue.begin(), st.queue.end(),
                                      [&st](const std::string& id) { return st.queued.count(id) == 0; }),
                       st.queue.end());
        if (st.queue.size() >= st.d.cfg->audit.batch_size)
          self->send(self, atom::tick_v);
        else
          schedule(self);
      },
      [self](caf::error& err) {
        auto& st = self->state;
        st.in_review.clear(); // still queued (also in LMDB): retried on the next tick
        log::warn("tax-centre", st.cfg.id + ": review not committed, will retry: " + context_text(err));
        schedule(self);
      });
}

tax_centre_actor::behavior_type tax_centre(tax_centre_ptr self, tax_centre_config cfg, customs_deps deps,
                                           clearance_actor clearance) {
  auto& st = self->state;
  st.cfg = std::move(cfg);
  st.d = std::move(deps);
  st.clearance = std::move(clearance);
  auto prefix = st.cfg.id + std::string(1, '\0');
  st.d.reader->for_each(tables::audit_queue, [&](const bytes& key, const bytes&) {
    std::string k(key.begin(), key.end());
    if (k.rfind(prefix, 0) == 0 && st.queued.insert(k.substr(prefix.size())).second)
      st.queue.push_back(k.substr(prefix.size()));
    return true;
  });
  schedule(self);
  return {
    [self](atom::status) {
      return "tax-centre " + self->state.cfg.id + " queued=" + std::to_string(self->state.queue.size());
    },
    [self](atom::review, std::string& id) {
      auto& st = self->state;
      if (!st.queued.insert(id).second)
        return;
      st.queue.push_back(std::move(id));
      if (st.queue.size() >= st.d.cfg->audit.batch_size)
        run_batch(self);
      else
        schedule(self);
    },
    [self](atom::tick) {
      self->state.timer = false;
      run_batch(self);
      schedule(self);
    },
  };
}

} // namespace

tax_centre_actor spawn_tax_centre(caf::actor_system& sys, const tax_centre_config& centre,
                                  customs_deps deps, clearance_actor clearance) {
  return sys.spawn(tax_centre, centre, std::move(deps), std::move(clearance));
}

} // namespace hub::customs
