#include "actors/ecommerce/parcel_matcher.hpp"

#include <caf/all.hpp>

#include "actors/core/error.hpp"
#include "actors/core/fixed_point.hpp"
#include "actors/core/frames.hpp"
#include "actors/core/log.hpp"
#include "actors/crypto/digest.hpp"
#include "actors/ecommerce/ceb_batch.hpp"
#include "actors/ecommerce/ceb_receipts.hpp"
#include "actors/ecommerce/ceb_records.hpp"
#include "actors/ecommerce/ecommerce_tables.hpp"
#include "actors/ecommerce/match_rules.hpp"
#include "actors/ecommerce/retail_tax.hpp"
#include "actors/ecommerce/table_view.hpp"
#include "actors/risk/risk_engine.hpp"
#include "schemas/ecommerce.capnp.h"
#include "schemas/frame.capnp.h"
#include "actors/store/storage.hpp"

namespace hub::ecommerce {

std::string ecommerce_metrics::summary() const {
  return std::to_string(messages) + " messages, " + std::to_string(documents)
         + " documents (" + std::to_string(refused_documents) + " refused), "
         + std::to_string(released) + " parcels released, " + std::to_string(refused_parcels)
         + " refused, " + std::to_string(expired) + " expired, " + std::to_string(inspections)
         + " selected for inspection";
}

namespace {

using ceb::message_type;
using swhub::wire::ParcelState;

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
           std::chrono::system_clock::now().time_since_epoch())
    .count();
}

/// The specification's error-code range of a message type (ch. 7).
int type_prefix(message_type t) {
  switch (t) {
    case message_type::ceb311: return 301;
    case message_type::ceb411: return 401;
    case message_type::ceb511: return 504;
    case message_type::ceb513: return 505;
    case message_type::ceb621: return 621;
    case message_type::ceb623: return 623;
    case message_type::ceb625: return 625;
    case message_type::ceb711: return 800;
  }
  return 621;
}

/// A StoredInventory as plain values, to change and write back.
struct inventory_row {
  bytes doc; ///< StoredDocument bytes
  ParcelState state = ParcelState::WAITING;
  std::string pre_no, invt_no, reason, lane, risk_reasons;
  units value = 0, tax = 0;
  bool full_rates = false;
  bytes buyer;
  uint16_t quota_year = 0;
  int64_t decided_at = 0, released_at = 0, deadline = 0;
  units original_value = 0, original_tax = 0; ///< at release (returns are shares of these)
  std::vector<int64_t> returned;              ///< quantity returned so far, per line

  static std::optional<inventory_row> decode(const bytes& b) {
    auto h = stored_inventory::decode(b);
    if (!h)
      return std::nullopt;
    auto r = **h;
    inventory_row x;
    capnp::MallocMessageBuilder mb;
    mb.setRoot(r.getDoc());
    x.doc = to_bytes(mb);
    x.state = r.getState();
    x.pre_no = str(r.getPreNo());
    x.invt_no = str(r.getInvtNo());
    x.reason = str(r.getReason());
    x.value = r.getValueUnits();
    x.tax = r.getTaxUnits();
    x.full_rates = r.getFullRates();
    auto bk = r.getBuyerKey();
    x.buyer.assign(bk.begin(), bk.end());
    x.quota_year = r.getQuotaYear();
    x.decided_at = r.getDecidedAt();
    x.released_at = r.getReleasedAt();
    x.deadline = r.getDeadline();
    x.lane = str(r.getLane());
    x.risk_reasons = str(r.getRiskReasons());
    x.original_value = r.getOriginalValueUnits();
    x.original_tax = r.getOriginalTaxUnits();
    for (auto q : r.getReturnedQty())
      x.returned.push_back(q);
    return x;
  }

  bytes encode() const {
    capnp::MallocMessageBuilder mb;
    auto r = mb.initRoot<swhub::wire::StoredInventory>();
    if (auto d = stored_doc::decode(doc))
      r.setDoc(**d);
    r.setState(state);
    r.setPreNo(pre_no);
    r.setInvtNo(invt_no);
    r.setReason(valid_utf8(reason));
    r.setValueUnits(value);
    r.setTaxUnits(tax);
    r.setFullRates(full_rates);
    r.setBuyerKey(kj::arrayPtr(buyer.data(), buyer.size()));
    r.setQuotaYear(quota_year);
    r.setDecidedAt(decided_at);
    r.setReleasedAt(released_at);
    r.setDeadline(deadline);
    r.setLane(lane);
    r.setRiskReasons(valid_utf8(risk_reasons));
    r.setOriginalValueUnits(original_value);
    r.setOriginalTaxUnits(original_tax);
    auto q = r.initReturnedQty(static_cast<unsigned>(returned.size()));
    for (unsigned k = 0; k < returned.size(); ++k)
      q.set(k, returned[k]);
    return to_bytes(mb);
  }
};

bytes be64_bytes(uint64_t v) {
  return be64(v);
}

int64_t read_i64(const std::optional<bytes>& b) {
  return b && b->size() == 8 ? static_cast<int64_t>(from_be64(*b)) : 0;
}

/// Starts the deadlines entries of unmatched orders, payments and waybills.
constexpr char unmatched_mark = '\x1e';

/// The key of the waybill an inventory names (ecommerce.waybills, waybill_waiters).
bytes waybill_key(swhub::ceb::InventoryHead::Reader h) {
  return key_bytes(join_key({str(h.getLogisticsCode()), str(h.getLogisticsNo())}));
}

bytes deadline_key(int64_t deadline, const std::string& parcel) {
  auto k = be64(static_cast<uint64_t>(deadline));
  k.insert(k.end(), parcel.begin(), parcel.end());
  return k;
}

struct matcher_state {
  matcher_deps d;
  std::unique_ptr<table_view> view;
  uint64_t next_commit = 1;
  uint64_t generation = 0;
  bool expiring = false;
  static inline const char* name = "parcel-matcher";
};

using matcher_ptr = matcher_actor::stateful_pointer<matcher_state>;

/// Deciding one message (or one expiry scan).
struct decide {
  matcher_state& st;
  const ecommerce_config& cfg;
  txn tx;
  const ceb_batch* b = nullptr;
  bytes subject;
  int64_t now = 0;
  receipt_set receipts;
  std::vector<decision_record> decisions;
  std::string case_key;

  decide(matcher_state& s, const ceb_batch* batch, bytes message_id, int64_t t)
    : st(s), cfg(*s.d.cfg), tx(*s.view), b(batch), subject(std::move(message_id)), now(t) {}

  // ---- receipts

  void receipt(const std::string& recipient, const bytes& subj, message_type t,
               return_fields fields, const std::string& status, const std::string& info,
               const std::string& hub_status) {
    fields.emplace_back("returnStatus", status);
    receipts.add(pending_receipt{recipient, t, subj, std::move(fields), hub_status, info});
  }

  /// To the sender, and a copy to each subscriber of the message.
  void answer(message_type t, const return_fields& fields, const std::string& status,
              const std::string& info, const std::string& hub_status) {
    receipt(b->party, subject, t, fields, status, info, hub_status);
    for (auto& s : b->subscribers)
      if (s != b->party)
        receipt(s, {}, t, fields, status, info, hub_status);
  }

  void refuse(const ceb_doc&, return_fields fields, errc code, const std::string& detail) {
    st.d.metrics->refused_documents++;
    answer(b->type, fields, ceb_code_of(code, type_prefix(b->type)),
           std::string{error_name(static_cast<uint8_t>(code))} + ": " + detail, "rejected");
  }

  // ---- who acts for whom

  bool acts_for(const std::string& code) const {
    for (auto& c : b->sender_codes)
      if (c == code)
        return true;
    return false;
  }

  bool is(const std::string& code, enterprise_kind k) const {
    auto* e = cfg.find(code);
    return e != nullptr && e->kinds.count(k) > 0;
  }

  // ---- serials

  uint64_t next_serial(const std::string& name) {
    auto k = key_bytes(name);
    auto v = static_cast<uint64_t>(read_i64(tx.get(tables::counters, k))) + 1;
    tx.put(tables::counters, k, be64_bytes(v));
    return v;
  }

  /// B/C/T + yyyyMMdd + 9-digit serial per day (18 characters; ecommerce.md §10.1).
  std::string pre_no(char letter) {
    auto date = china_date(now);
    auto n = next_serial(std::string{"preNo:"} + letter + date) % 1000000000;
    char buf[16];
    std::snprintf(buf, sizeof buf, "%09llu", static_cast<unsigned long long>(n));
    return std::string(1, letter) + date + buf;
  }

  /// customsCode (4) + year (4) + I + 9-digit serial (18 characters).
  std::string invt_no(const std::string& customs) {
    auto unit = customs.size() == 4 ? customs : cfg.customs_code;
    auto year = std::to_string(china_year(now));
    auto n = next_serial("invtNo:" + unit + year) % 1000000000;
    char buf[16];
    std::snprintf(buf, sizeof buf, "%09llu", static_cast<unsigned long long>(n));
    return unit + year + "I" + buf;
  }

  // ---- stored documents

  bytes stored_document(const ceb_doc& d, const bytes& digest) {
    capnp::MallocMessageBuilder mb;
    auto s = mb.initRoot<swhub::wire::StoredDocument>();
    s.setRecord(kj::arrayPtr(d.record.data(), d.record.size()));
    s.setSender(b->party);
    s.setMessageId(kj::arrayPtr(subject.data(), subject.size()));
    s.setIndex(d.index);
    s.setDigest(kj::arrayPtr(digest.data(), digest.size()));
    s.setAt(now);
    auto subs = s.initSubscribers(static_cast<unsigned>(b->subscribers.size()));
    for (unsigned i = 0; i < b->subscribers.size(); ++i)
      subs.set(i, b->subscribers[i]);
    return to_bytes(mb);
  }

  enum class upsert_result { stored, duplicate, erased, refused };

  /// appType 1 (new), 2 (change), 3 (delete) of an order, payment, waybill or status,
  /// idempotent: an identical repeat is a duplicate. `locked` refuses changes (the
  /// parcel's inventory is decided).
  upsert_result upsert(const ceb_doc& d, const return_fields& f, const char* table, const bytes& key,
                       const std::string& app_type, bool locked, const std::string& what) {
    auto digest = record_digest(d.record);
    auto existing = tx.get(table, key);
    std::optional<stored_doc> ex;
    if (existing)
      ex = stored_doc::decode(*existing);
    if (ex) {
      auto od = (*ex)->getDigest();
      if (bytes(od.begin(), od.end()) == digest && app_type != "3")
        return upsert_result::duplicate;
    }
    if (app_type == "1") {
      if (ex) {
        refuse(d, f, errc::ceb_document_exists,
               what + " already exists with other content (send appType 2 to change it)");
        return upsert_result::refused;
      }
    } else if (app_type == "2" || app_type == "3") {
      if (!ex) {
        refuse(d, f, errc::ceb_not_found, what + " is not held by the hub (appType " + app_type
                                            + " changes or deletes a document sent before)");
        return upsert_result::refused;
      }
      if (str((*ex)->getSender()) != b->party) {
        refuse(d, f, errc::ceb_unknown_enterprise,
               what + " was sent by another party; only its sender may change or delete it");
        return upsert_result::refused;
      }
      if (locked) {
        refuse(d, f, errc::ceb_invalid_state,
               what + ": its inventory list is already decided; it can no longer change");
        return upsert_result::refused;
      }
      if (app_type == "3") {
        tx.erase(table, key);
        return upsert_result::erased;
      }
    } else {
      refuse(d, f, errc::ceb_document_invalid, "appType '" + app_type + "': expected 1, 2 or 3");
      return upsert_result::refused;
    }
    tx.put(table, key, stored_document(d, digest));
    keep_unmatched(table, key, now);
    return upsert_result::stored;
  }

  /// Orders, payments and waybills wait for an inventory list to name them for
  /// `keep_unmatched_ms` from their latest version; after that they are dropped (see
  /// drop_unmatched). The entry sits in the deadlines table under 0x1E, a tag and the
  /// document's key (parcel keys are codes and never start with 0x1E).
  /// Whether an inventory list names the document (o: order, p: payment: the parcel's
  /// inventory; w: a waybill link). Raw lookups: this runs for every stored document.
  bool named(char tag, const bytes& key) {
    return tx.get(tag == 'w' ? tables::waybill_waiters : tables::inventories, key).has_value();
  }

  void keep_unmatched(const char* table, const bytes& key, int64_t at) {
    char tag = table == std::string_view{tables::orders}     ? 'o'
               : table == std::string_view{tables::payments} ? 'p'
               : table == std::string_view{tables::waybills} ? 'w'
                                                             : 0;
    if (tag == 0 || named(tag, key)) // named already: no entry
      return;
    // The value is the version's hub time (`at`): a later version (or a changed
    // keep-unmatched) has its own entry; this one then finds another `at`.
    std::string k(key.begin(), key.end());
    tx.put(tables::deadlines,
           deadline_key(now + cfg.keep_unmatched_ms, std::string{unmatched_mark, tag} + k),
           be64(static_cast<uint64_t>(at)));
  }

  void stored_receipt(upsert_result r, const return_fields& f) {
    if (r == upsert_result::refused)
      return;
    auto info = code_info("1800", "逻辑校验通过");
    if (r == upsert_result::duplicate)
      info += " (identical to a document already stored: nothing changed)";
    if (r == upsert_result::erased)
      info = code_info("1800", "删除成功");
    answer(b->type, f, status::stored, info, "accepted");
  }

  std::optional<inventory_row> inventory(const std::string& parcel) {
    auto v = tx.get(tables::inventories, key_bytes(parcel));
    if (!v)
      return std::nullopt;
    return inventory_row::decode(*v);
  }

  bool decided(const std::optional<inventory_row>& inv) const {
    return inv && (inv->state == ParcelState::RELEASED || inv->state == ParcelState::INSPECTION);
  }

  bool currency_ok(const ceb_doc& d, const return_fields& f, const std::string& where,
                   const std::string& currency) {
    if (currency == "142")
      return true;
    refuse(d, f, errc::ceb_currency, where + "/currency is '" + currency
                                       + "': orders, payments and inventories are in RMB (142)");
    return false;
  }

  // ---- documents

  void order(const ceb_doc& d, swhub::ceb::Order::Reader o, const return_fields& f) {
    auto h = o.getHead();
    auto ebp = str(h.getEbpCode()), ebc = str(h.getEbcCode()), no = str(h.getOrderNo());
    if (!acts_for(ebp) && !acts_for(ebc))
      return refuse(d, f, errc::ceb_unknown_enterprise,
                    "OrderHead: neither ebpCode " + ebp + " nor ebcCode " + ebc
                      + " is the sender's (" + b->party + ") or one it transmits for");
    if (!is(ebp, enterprise_kind::platform))
      return refuse(d, f, errc::ceb_unknown_enterprise,
                    "OrderHead/ebpCode " + ebp + " is not a registered e-commerce platform");
    if (!currency_ok(d, f, "OrderHead", str(h.getCurrency())))
      return;
    for (auto l : o.getLines())
      if (!currency_ok(d, f, "OrderList[gnum " + std::to_string(l.getGnum()) + "]",
                       str(l.getCurrency())))
        return;
    auto parcel = join_key({ebp, no});
    auto r = upsert(d, f, tables::orders, key_bytes(parcel), str(h.getAppType()),
                    decided(inventory(parcel)), "order " + no);
    stored_receipt(r, f);
    if (r == upsert_result::stored)
      evaluate(parcel);
  }

  void payment(const ceb_doc& d, swhub::ceb::PaymentHead::Reader p, const return_fields& f) {
    auto pay = str(p.getPayCode()), ebp = str(p.getEbpCode()), no = str(p.getOrderNo());
    if (!acts_for(pay))
      return refuse(d, f, errc::ceb_unknown_enterprise,
                    "PaymentHead/payCode " + pay + " is not the sender's (" + b->party + ")");
    if (!is(ebp, enterprise_kind::platform))
      return refuse(d, f, errc::ceb_unknown_enterprise,
                    "PaymentHead/ebpCode " + ebp + " is not a registered e-commerce platform");
    if (!currency_ok(d, f, "PaymentHead", str(p.getCurrency())))
      return;
    auto parcel = join_key({ebp, no});
    auto r = upsert(d, f, tables::payments, key_bytes(parcel), str(p.getAppType()),
                    decided(inventory(parcel)), "payment for order " + no);
    stored_receipt(r, f);
    if (r == upsert_result::stored)
      evaluate(parcel);
  }

  void waybill(const ceb_doc& d, swhub::ceb::LogisticsHead::Reader w, const return_fields& f) {
    auto lc = str(w.getLogisticsCode()), ln = str(w.getLogisticsNo());
    if (!acts_for(lc))
      return refuse(d, f, errc::ceb_unknown_enterprise,
                    "LogisticsHead/logisticsCode " + lc + " is not the sender's (" + b->party + ")");
    auto lkey = key_bytes(join_key({lc, ln}));
    auto waiter = tx.get(tables::waybill_waiters, lkey);
    std::optional<inventory_row> inv;
    if (waiter)
      inv = inventory(std::string(waiter->begin(), waiter->end()));
    auto r = upsert(d, f, tables::waybills, lkey, str(w.getAppType()), decided(inv),
                    "waybill " + ln);
    stored_receipt(r, f);
    if (r == upsert_result::stored && inv && inv->state == ParcelState::WAITING)
      evaluate(std::string(waiter->begin(), waiter->end()));
  }

  void waybill_status(const ceb_doc& d, swhub::ceb::LogisticsStatus::Reader w,
                      const return_fields& f) {
    auto lc = str(w.getLogisticsCode()), ln = str(w.getLogisticsNo());
    if (!acts_for(lc))
      return refuse(d, f, errc::ceb_unknown_enterprise,
                    "LogisticsStatus/logisticsCode " + lc + " is not the sender's (" + b->party + ")");
    // Each status is a new fact about the waybill: the latest replaces the one before.
    tx.put(tables::waybill_status, key_bytes(join_key({lc, ln})),
           stored_document(d, record_digest(d.record)));
    answer(b->type, f, status::stored, code_info("1800", "逻辑校验通过"), "accepted");
  }

  void delivery(const ceb_doc& d, swhub::ceb::Delivery::Reader dl, const return_fields& f) {
    auto h = dl.getHead();
    auto op = str(h.getOperatorCode());
    if (!acts_for(op))
      return refuse(d, f, errc::ceb_unknown_enterprise,
                    "DeliveryHead/operatorCode " + op + " is not the sender's (" + b->party + ")");
    auto r = upsert(d, f, tables::deliveries, key_bytes(join_key({op, str(h.getGuid())})),
                    str(h.getAppType()), false, "inbound note " + str(h.getGuid()));
    stored_receipt(r, f);
  }

  void inventory_doc(const ceb_doc& d, swhub::ceb::Inventory::Reader inv, return_fields f) {
    auto h = inv.getHead();
    auto ebp = str(h.getEbpCode()), no = str(h.getOrderNo()), agent = str(h.getAgentCode());
    auto parcel = join_key({ebp, no});
    if (case_key.empty())
      case_key = "inventory\x1f" + parcel;
    auto existing = inventory(parcel);
    // The receipt names the pre-entry number: the existing one, or a new one.
    auto pre = existing ? existing->pre_no : std::string{};
    auto with_numbers = [&](return_fields x, const std::string& pre_no, const std::string& invt) {
      x.emplace_back("preNo", pre_no);
      if (!invt.empty())
        x.emplace_back("invtNo", invt);
      return x;
    };
    auto refuse_new = [&](errc code, const std::string& detail) {
      refuse(d, with_numbers(f, pre.empty() ? pre_no('B') : pre, ""), code, detail);
    };
    if (!acts_for(agent) && !acts_for(str(h.getEbcCode())))
      return refuse_new(errc::ceb_unknown_enterprise,
                        "InventoryHead/agentCode " + agent + " is not the sender's (" + b->party
                          + ") or one it transmits for");
    if (!is(ebp, enterprise_kind::platform))
      return refuse_new(errc::ceb_unknown_enterprise,
                        "InventoryHead/ebpCode " + ebp + " is not a registered e-commerce platform");
    if (str(h.getCurrency()) != "142")
      return refuse_new(errc::ceb_currency, "InventoryHead/currency is '" + str(h.getCurrency())
                                              + "': inventories are in RMB (142)");
    auto mode = str(h.getTradeMode());
    if (mode != "9610" && mode != "1210" && mode != "1239")
      return refuse_new(errc::ceb_business_rule, "InventoryHead/tradeMode " + mode
                                                   + ": retail import is 9610, 1210 or 1239");
    if (mode != "9610" && h.getEmsNo().size() == 0)
      return refuse_new(errc::ceb_business_rule,
                        "InventoryHead/emsNo: bonded mode " + mode
                          + " names the zone account book the parcel leaves");
    if (str(h.getIeFlag()) != "I")
      return refuse_new(errc::ceb_business_rule, "InventoryHead/ieFlag must be I (import)");
    std::set<int64_t> gnums;
    for (auto l : inv.getLines()) {
      if (!gnums.insert(l.getGnum()).second)
        return refuse_new(errc::ceb_business_rule,
                          "InventoryList/gnum " + std::to_string(l.getGnum()) + " is repeated (-621027)");
      if (str(l.getCurrency()) != "142")
        return refuse_new(errc::ceb_currency, "InventoryList[gnum " + std::to_string(l.getGnum())
                                                + "]/currency must be 142");
    }
    auto digest = record_digest(d.record);
    auto app_type = str(h.getAppType());
    if (existing) {
      auto ed = stored_doc::decode(existing->doc);
      if (ed) {
        auto od = (*ed)->getDigest();
        if (bytes(od.begin(), od.end()) == digest) {
          answer(b->type, with_numbers(f, existing->pre_no, existing->invt_no), status::stored,
                 code_info("1800", "逻辑校验通过")
                   + " (identical to the inventory already declared; state "
                   + state_name(existing->state) + ")",
                 "accepted");
          return;
        }
      }
      bool live = existing->state == ParcelState::WAITING
                  || existing->state == ParcelState::INSPECTION
                  || existing->state == ParcelState::RELEASED;
      if (app_type == "1" && live)
        return refuse(d, with_numbers(f, existing->pre_no, existing->invt_no),
                      errc::ceb_already_declared,
                      "清单[" + no + "]已经申报过，请勿重复申报 (order " + no + " of " + ebp
                        + " has inventory " + existing->pre_no + ", "
                        + state_name(existing->state) + ")");
      auto owner = stored_doc::decode(existing->doc);
      if (app_type == "2" && owner && str((*owner)->getSender()) != b->party)
        return refuse(d, with_numbers(f, existing->pre_no, existing->invt_no),
                      errc::ceb_unknown_enterprise,
                      "inventory " + existing->pre_no
                        + " was declared by another party; only its declarant may change it");
      if (app_type == "2" && existing->state != ParcelState::WAITING)
        return refuse(d, with_numbers(f, existing->pre_no, existing->invt_no),
                      errc::ceb_invalid_state,
                      "inventory " + existing->pre_no + " is " + state_name(existing->state)
                        + ": only a waiting inventory can change (appType 2)");
    } else if (app_type == "2") {
      return refuse_new(errc::ceb_not_found, "no inventory of order " + no + " to change (appType 2)");
    }
    if (app_type != "1" && app_type != "2")
      return refuse_new(errc::ceb_document_invalid,
                        "appType '" + app_type + "': inventories are new (1) or changed (2); "
                                                 "cancel with CEB623");
    // One waybill is one parcel: while another order's inventory holds this waybill
    // (waiting, inspected or released), a second one naming it would never be matched,
    // so it is refused. The other order is not named: it may be another platform's.
    auto lc = str(h.getLogisticsCode()), ln = str(h.getLogisticsNo());
    auto lkey = waybill_key(h);
    if (auto holder = tx.get(tables::waybill_waiters, lkey)) {
      std::string other(holder->begin(), holder->end());
      auto oi = other == parcel ? std::nullopt : inventory(other);
      if (oi && (oi->state == ParcelState::WAITING || oi->state == ParcelState::INSPECTION
                 || oi->state == ParcelState::RELEASED) && names_waybill(*oi, lkey))
        return refuse_new(errc::ceb_business_rule,
                          "InventoryHead/logisticsNo " + ln + " of logisticsCode " + lc
                            + " is on the live inventory list of another order; one waybill "
                              "is one parcel (name this parcel's own waybill)");
    }
    inventory_row row;
    bool change = existing && app_type == "2";
    // Declared again (a change, or anew after a refusal, expiry or cancellation) with
    // another waybill: the old one no longer waits for this parcel.
    if (existing)
      if (auto rec = parcel_record(*existing)) {
        auto old = waybill_key((*rec)->getInventory().getHead());
        auto held = tx.get(tables::waybill_waiters, old);
        if (old != lkey && held && std::string(held->begin(), held->end()) == parcel) {
          tx.erase(tables::waybill_waiters, old);
          if (auto v = tx.get(tables::waybills, old)) // unnamed now: it may expire
            if (auto sd = stored_doc::decode(*v))
              keep_unmatched(tables::waybills, old, (*sd)->getAt());
        }
      }
    row.pre_no = change ? existing->pre_no : pre_no('B');
    if (change && existing->deadline)
      tx.erase(tables::deadlines, deadline_key(existing->deadline, parcel));
    row.doc = stored_document(d, digest);
    row.state = ParcelState::WAITING;
    row.deadline = now + cfg.match_window_ms;
    tx.put(tables::inventories, key_bytes(parcel), row.encode());
    tx.put(tables::deadlines, deadline_key(row.deadline, parcel), {});
    tx.put(tables::waybill_waiters, lkey, key_bytes(parcel));
    answer(b->type, with_numbers(f, row.pre_no, ""), status::stored,
           code_info("1800", "逻辑校验通过"), "accepted");
    evaluate(parcel);
  }

  void cancel(const ceb_doc& d, swhub::ceb::InvtCancel::Reader c, return_fields f) {
    auto ebp = str(c.getEbpCode()), no = str(c.getOrderNo()), invt = str(c.getInvtNo());
    auto parcel = join_key({ebp, no});
    f.emplace_back("preNo", pre_no('C'));
    if (!acts_for(str(c.getAgentCode())))
      return refuse(d, f, errc::ceb_unknown_enterprise,
                    "InvtCancel/agentCode " + str(c.getAgentCode()) + " is not the sender's");
    auto inv = inventory(parcel);
    if (!inv || inv->invt_no != invt)
      return refuse(d, f, errc::ceb_not_found,
                    "系统中不存在清单编号为[" + invt + "]的清单 (order " + no + " of " + ebp + ")");
    if (!declared_by_sender(*inv))
      return refuse(d, f, errc::ceb_unknown_enterprise,
                    "inventory " + invt + " was declared by another party; only its declarant may cancel it");
    if (inv->state != ParcelState::RELEASED && inv->state != ParcelState::INSPECTION)
      return refuse(d, f, errc::ceb_invalid_state,
                    "清单的状态不符合撤单申报要求 (inventory " + invt + " is "
                      + state_name(inv->state) + ")");
    give_back(*inv, inv->value, inv->tax);
    inv->state = ParcelState::CANCELLED;
    inv->reason = "cancelled: " + str(c.getReason());
    tx.put(tables::inventories, key_bytes(parcel), inv->encode());
    decisions.push_back(decision(parcel, "inventory " + invt + " cancelled; quota and guarantee "
                                           "given back"));
    answer(b->type, f, status::concluded, code_info("2300", "审核通过") + " 撤销清单 " + invt,
           "closed");
  }

  void refund(const ceb_doc& d, swhub::ceb::Refund::Reader r, return_fields f) {
    auto h = r.getHead();
    auto ebp = str(h.getEbpCode()), no = str(h.getOrderNo()), invt = str(h.getInvtNo());
    auto parcel = join_key({ebp, no});
    f.emplace_back("preNo", pre_no('T'));
    if (!acts_for(str(h.getAgentCode())))
      return refuse(d, f, errc::ceb_unknown_enterprise,
                    "InvtRefundHead/agentCode " + str(h.getAgentCode()) + " is not the sender's");
    auto inv = inventory(parcel);
    if (!inv || inv->invt_no != invt)
      return refuse(d, f, errc::ceb_not_found,
                    "no released inventory " + invt + " for order " + no + " of " + ebp);
    if (inv->state != ParcelState::RELEASED)
      return refuse(d, f, errc::ceb_invalid_state,
                    "inventory " + invt + " is " + state_name(inv->state)
                      + ": only a released inventory can be returned");
    if (!declared_by_sender(*inv))
      return refuse(d, f, errc::ceb_unknown_enterprise,
                    "inventory " + invt + " was declared by another party; only its declarant may return it");
    if (now - inv->released_at > cfg.return_window_ms)
      return refuse(d, f, errc::ceb_return_window,
                    "inventory " + invt + " was released more than "
                      + std::to_string(cfg.return_window_ms / 86400000)
                      + " days ago: the return window is closed");
    auto rec = parcel_record(*inv);
    if (!rec)
      return refuse(d, f, errc::ceb_not_found, "inventory record unreadable");
    // Returned value: the newly returned share of each line, against the original
    // value; what each line already returned is kept, so nothing is given back twice.
    auto lines = (*rec)->getInventory().getLines();
    if (inv->returned.size() != lines.size())
      inv->returned.assign(lines.size(), 0);
    wide_int goods = 0, returned = 0;
    for (auto l : lines)
      goods += l.getTotalPrice();
    std::set<int64_t> seen;
    auto now_returned = inv->returned;
    for (auto rl : r.getLines()) {
      if (!seen.insert(rl.getGnum()).second)
        return refuse(d, f, errc::ceb_business_rule,
                      "InvtRefundList/gnum " + std::to_string(rl.getGnum()) + " is repeated");
      bool found = false;
      for (unsigned j = 0; j < lines.size(); ++j) {
        auto l = lines[j];
        if (l.getGnum() != rl.getGnum() || str(l.getGcode()) != str(rl.getGcode()))
          continue;
        auto left = l.getQty() - now_returned[j];
        if (rl.getQty() <= 0 || rl.getQty() > left)
          return refuse(d, f, errc::ceb_business_rule,
                        "InvtRefundList[gnum " + std::to_string(rl.getGnum()) + "]/qty "
                          + format_fixed(rl.getQty(), 5) + ": above 0 and at most the "
                          + format_fixed(left, 5) + " not yet returned");
        returned += l.getQty() == 0 ? 0 : wide_int{l.getTotalPrice()} * rl.getQty() / l.getQty();
        now_returned[j] += rl.getQty();
        found = true;
      }
      if (!found)
        return refuse(d, f, errc::ceb_business_rule,
                      "退货申请单[" + invt + "],在关联的清单中未找到表体序号为["
                        + std::to_string(rl.getGnum()) + "],商品编号为[" + str(rl.getGcode())
                        + "]的数据");
    }
    units value_back = goods == 0 ? inv->value
                                  : static_cast<units>(wide_int{inv->original_value} * returned / goods);
    units tax_back = goods == 0 ? inv->tax
                                : static_cast<units>(wide_int{inv->original_tax} * returned / goods);
    value_back = std::min(value_back, inv->value);
    tax_back = std::min(tax_back, inv->tax);
    inv->returned = now_returned;
    bool all = true;
    for (unsigned j = 0; j < lines.size(); ++j)
      all = all && now_returned[j] >= lines[j].getQty();
    if (all) { // the last share takes what rounding left
      value_back = inv->value;
      tax_back = inv->tax;
    }
    give_back(*inv, value_back, tax_back);
    inv->value -= value_back;
    inv->tax -= tax_back;
    if (all)
      inv->state = ParcelState::RETURNED;
    tx.put(tables::inventories, key_bytes(parcel), inv->encode());
    decisions.push_back(decision(parcel, "inventory " + invt + " returned: quota CNY "
                                           + yuan(value_back) + " given back"));
    answer(b->type, f, status::concluded,
           code_info("2300", "审核通过") + " 退货 " + invt + ": CNY " + yuan(value_back)
             + " restored to the buyer's annual quota",
           "closed");
  }

  bool declared_by_sender(const inventory_row& inv) const {
    auto sd = stored_doc::decode(inv.doc);
    return sd && str((*sd)->getSender()) == b->party;
  }

  /// Quota and guarantee back (cancellation, return).
  void give_back(inventory_row& inv, units value, units tax) {
    if (inv.quota_year != 0 && !inv.buyer.empty()) {
      auto qk = quota_key(inv.buyer, inv.quota_year);
      auto used = read_i64(tx.get(tables::quota, qk));
      tx.put(tables::quota, qk, be64_bytes(static_cast<uint64_t>(std::max<int64_t>(0, used - value))));
    }
    if (auto rec = parcel_record(inv)) {
      auto assure = str((*rec)->getInventory().getHead().getAssureCode());
      auto gk = key_bytes(assure);
      auto used = read_i64(tx.get(tables::guarantees, gk));
      tx.put(tables::guarantees, gk, be64_bytes(static_cast<uint64_t>(std::max<int64_t>(0, used - tax))));
    }
  }

  /// True if the inventory's own record names the waybill `lkey` (a link left by an
  /// earlier declaration of that order may name another).
  bool names_waybill(const inventory_row& inv, const bytes& lkey) {
    auto rec = parcel_record(inv);
    if (!rec)
      return false;
    return waybill_key((*rec)->getInventory().getHead()) == lkey;
  }

  std::optional<record> parcel_record(const inventory_row& inv) {
    auto sd = stored_doc::decode(inv.doc);
    if (!sd)
      return std::nullopt;
    auto r = (*sd)->getRecord();
    auto rec = record::decode(bytes(r.begin(), r.end()));
    if (!rec || !(*rec)->isInventory())
      return std::nullopt;
    return rec;
  }

  decision_record decision(const std::string& parcel, const std::string& detail) {
    decision_record dr;
    dr.party = b ? b->party : std::string{};
    dr.message_id = subject;
    auto body = parcel + "\n" + detail;
    dr.digest = sha256(reinterpret_cast<const uint8_t*>(body.data()), body.size());
    auto shown = parcel;
    std::replace(shown.begin(), shown.end(), '\x1f', '/');
    dr.detail = "parcel " + shown + ": " + detail;
    return dr;
  }

  // ---- the parcel

  std::optional<record> doc_record(const char* table, const bytes& key) {
    auto v = tx.get(table, key);
    if (!v)
      return std::nullopt;
    auto sd = stored_doc::decode(*v);
    if (!sd)
      return std::nullopt;
    auto r = (*sd)->getRecord();
    return record::decode(bytes(r.begin(), r.end()));
  }

  /// The inventory's receipt fields and recipient (its sender), from the stored record.
  std::pair<std::string, return_fields> inventory_receipt(const inventory_row& inv,
                                                          swhub::ceb::InventoryHead::Reader h) {
    auto sd = stored_doc::decode(inv.doc);
    return_fields f{{"guid", str(h.getGuid())},       {"customsCode", str(h.getCustomsCode())},
                    {"ebpCode", str(h.getEbpCode())}, {"ebcCode", str(h.getEbcCode())},
                    {"agentCode", str(h.getAgentCode())},
                    {"copNo", h.getCopNo().size() ? str(h.getCopNo()) : inv.pre_no},
                    {"preNo", inv.pre_no}};
    if (!inv.invt_no.empty())
      f.emplace_back("invtNo", inv.invt_no);
    return {sd ? str((*sd)->getSender()) : std::string{}, f};
  }

  void inventory_answer(const inventory_row& inv, swhub::ceb::InventoryHead::Reader h,
                        const std::string& status, const std::string& info,
                        const std::string& hub_status) {
    auto [to, f] = inventory_receipt(inv, h);
    auto sd = stored_doc::decode(inv.doc);
    bytes subj;
    if (sd)
      subj.assign((*sd)->getMessageId().begin(), (*sd)->getMessageId().end());
    receipt(to, subj, message_type::ceb621, f, status, info, hub_status);
    if (sd)
      for (auto s : (*sd)->getSubscribers())
        if (str(s) != to)
          receipt(str(s), {}, message_type::ceb621, f, status, info, hub_status);
  }

  /// The inventory no longer waits. Its waybill link stays: it locks the waybill of a
  /// decided parcel against changes (see waybill()).
  void close_waiting(inventory_row& inv, const std::string& parcel) {
    if (inv.deadline)
      tx.erase(tables::deadlines, deadline_key(inv.deadline, parcel));
    inv.deadline = 0;
  }

  void refuse_parcel(inventory_row& inv, const std::string& parcel,
                     swhub::ceb::InventoryHead::Reader h, const std::string& status,
                     const std::string& info, const std::string& why) {
    close_waiting(inv, parcel);
    inv.state = ParcelState::REFUSED;
    inv.reason = info;
    inv.decided_at = now;
    tx.put(tables::inventories, key_bytes(parcel), inv.encode());
    inventory_answer(inv, h, status, info, "rejected");
    decisions.push_back(decision(parcel, "inventory " + inv.pre_no + " refused: " + why));
    st.d.metrics->refused_parcels++;
  }

  /// Decides the parcel's inventory once order, payment, waybill and inventory are all
  /// held (M1-M9, quota, tax, guarantee); until then records what it waits for.
  void evaluate(const std::string& parcel) {
    auto inv = inventory(parcel);
    if (!inv || inv->state != ParcelState::WAITING)
      return;
    auto rec = parcel_record(*inv);
    if (!rec)
      return;
    auto i = (*rec)->getInventory();
    auto h = i.getHead();
    auto lkey = waybill_key(h);
    auto o = doc_record(tables::orders, key_bytes(parcel));
    auto p = doc_record(tables::payments, key_bytes(parcel));
    auto w = doc_record(tables::waybills, lkey);
    std::string missing;
    if (!o)
      missing += "order, ";
    if (!p)
      missing += "payment, ";
    if (!w) {
      missing += "waybill, ";
      tx.put(tables::waybill_waiters, lkey, key_bytes(parcel));
    }
    if (!missing.empty()) {
      missing.resize(missing.size() - 2);
      if (inv->reason != "waiting for " + missing) {
        inv->reason = "waiting for " + missing;
        tx.put(tables::inventories, key_bytes(parcel), inv->encode());
      }
      return;
    }
    auto failures = check_parcel((*o)->getOrder(), (*p)->getPayment(), (*w)->getWaybill(), i);
    if (!failures.empty()) {
      std::string rules;
      for (auto& x : failures)
        rules += x.rule + " ";
      return refuse_parcel(*inv, parcel, h, status::refused, reasons_text(failures),
                           "documents disagree (" + rules + ")");
    }
    // M8: the buyer's limits.
    auto lines = i.getLines();
    bool single_item = lines.size() == 1 && lines[0].getQty() <= units_per_yuan; // one piece
    auto probe = retail_tax(i, cfg, false);
    if (!probe)
      return refuse_parcel(*inv, parcel, h, ceb_code_of(errc::ceb_business_rule, 621),
                           context_text(probe.error()), "impossible value");
    units value = probe->value;
    if (value > cfg.per_transaction && !single_item)
      return refuse_parcel(*inv, parcel, h, ceb_code_of(errc::ceb_single_limit, 621),
                           "清单[" + inv->pre_no + "]的购买金额超过单笔限额[" + yuan(cfg.per_transaction)
                             + "] (CNY " + yuan(value) + ")",
                           "above the per-transaction limit");
    auto buyer = st.d.buyers->key(str(h.getBuyerIdType()), str(h.getBuyerIdNumber()));
    auto year = china_year(now);
    auto qk = quota_key(buyer, year);
    units used = read_i64(tx.get(tables::quota, qk));
    if (used + value > cfg.per_year)
      return refuse_parcel(*inv, parcel, h, status::refused,
                           code_info("1313", "订购人购买超过年度限额") + " (used CNY " + yuan(used)
                             + " of " + yuan(cfg.per_year) + " in " + std::to_string(year)
                             + ", this parcel CNY " + yuan(value) + ")",
                           "annual quota");
    bool full = value > cfg.per_transaction;
    auto tax = full ? retail_tax(i, cfg, true) : probe;
    if (!tax)
      return refuse_parcel(*inv, parcel, h, ceb_code_of(errc::ceb_business_rule, 621),
                           context_text(tax.error()), "impossible value");
    auto assure = str(h.getAssureCode());
    auto* g = cfg.find(assure);
    auto gk = key_bytes(assure);
    units g_used = read_i64(tx.get(tables::guarantees, gk));
    if (assure != str(h.getAgentCode()) && assure != str(h.getEbcCode())
        && assure != str(h.getLogisticsCode()))
      return refuse_parcel(*inv, parcel, h, ceb_code_of(errc::ceb_no_guarantee, 621),
                           "InventoryHead/assureCode " + assure
                             + " is not the inventory's declaring, e-commerce or logistics enterprise",
                           "guarantor not a party of the parcel");
    if (g == nullptr || g->guarantee == 0)
      return refuse_parcel(*inv, parcel, h, ceb_code_of(errc::ceb_no_guarantee, 621),
                           "InventoryHead/assureCode " + assure
                             + " names no enterprise with a tax guarantee",
                           "no guarantee");
    if (g_used + tax->tax > g->guarantee)
      return refuse_parcel(*inv, parcel, h, ceb_code_of(errc::ceb_no_guarantee, 621),
                           "the tax guarantee of " + assure + " has CNY "
                             + yuan(g->guarantee - g_used) + " left; this parcel's tax is CNY "
                             + yuan(tax->tax),
                           "guarantee exhausted");
    tx.put(tables::quota, qk, be64_bytes(static_cast<uint64_t>(used + value)));
    tx.put(tables::guarantees, gk, be64_bytes(static_cast<uint64_t>(g_used + tax->tax)));
    close_waiting(*inv, parcel);
    inv->value = inv->original_value = value;
    inv->tax = inv->original_tax = tax->tax;
    inv->full_rates = full;
    inv->buyer = buyer;
    inv->quota_year = year;
    inv->invt_no = invt_no(str(h.getCustomsCode()));
    inv->decided_at = now;
    tx.put(tables::invt_refs, key_bytes(inv->invt_no), key_bytes(parcel));
    // The lane: the shared risk engine over e-commerce's facts (SR-05.1, SR-15).
    auto lane = choose_lane(*inv, i);
    auto tax_info = code_info("2300", "审核通过") + " tax CNY " + yuan(tax->tax)
                    + (full ? " at full rates (single item above the limit)"
                            : " (VAT and consumption tax at 70 %)")
                    + ", guaranteed by " + assure;
    inventory_answer(*inv, h, status::concluded, tax_info, "accepted");
    if (lane != "green") {
      inv->state = ParcelState::INSPECTION;
      inv->reason = "selected for inspection";
      tx.put(tables::inventories, key_bytes(parcel), inv->encode());
      inventory_answer(*inv, h, status::inspection, code_info("2500", "查验"), "forExamination");
      decisions.push_back(decision(parcel, "inventory " + inv->invt_no + " selected for inspection ("
                                             + lane + "): " + inv->risk_reasons));
      st.d.metrics->inspections++;
      return;
    }
    inv->released_at = now;
    inv->state = ParcelState::RELEASED;
    inv->reason = "released";
    tx.put(tables::inventories, key_bytes(parcel), inv->encode());
    inventory_answer(*inv, h, status::released, code_info("2600", "放行"), "released");
    decisions.push_back(decision(parcel, "inventory " + inv->invt_no + " released: value CNY "
                                           + yuan(value) + ", tax CNY " + yuan(tax->tax) + "; "
                                           + inv->risk_reasons));
    st.d.metrics->released++;
  }

  /// "green", "yellow" or "red"; the explanation and the seed go to inv.risk_reasons
  /// (swhub ecommerce explain; replayable: the seed is derived from the preNo).
  std::string choose_lane(inventory_row& inv, swhub::ceb::Inventory::Reader i) {
    inv.lane = "green";
    if (!st.d.risk)
      return inv.lane;
    auto h = i.getHead();
    risk::facts f;
    auto agent = str(h.getAgentCode());
    f.header.set(risk::attr::enterprise, agent);
    auto* e = cfg.find(agent);
    f.header.set(risk::attr::selectivity_class, e ? e->tier : std::string{"general-credit"});
    f.header.set(risk::attr::direction, std::string{"import"});
    for (auto l : i.getLines()) {
      risk::attributes a;
      a.set(risk::attr::hs, str(l.getGcode()));
      a.set(risk::attr::origin, str(l.getCountry()));
      f.items.push_back(std::move(a));
    }
    auto d = sha256(reinterpret_cast<const uint8_t*>(inv.pre_no.data()), inv.pre_no.size());
    uint64_t seed = 0;
    for (int k = 0; k < 8; ++k)
      seed = (seed << 8) | d[static_cast<size_t>(k)];
    auto decision = st.d.risk->evaluate(f, seed, now);
    inv.lane = risk::to_string(decision.lane);
    inv.risk_reasons = decision.explanation + " (rule set " + std::to_string(decision.rule_set_version)
                       + ", seed " + std::to_string(seed) + ")";
    return inv.lane;
  }

  /// A port officer's inspection result: release (800) or refuse (100, quota back).
  caf::error inspected(const std::string& officer, swhub::wire::InventoryInspection::Reader r) {
    auto invt = str(r.getInvtNo());
    auto ref = tx.get(tables::invt_refs, key_bytes(invt));
    if (!ref)
      return caf::make_error(errc::ceb_not_found, "no inventory " + invt);
    std::string parcel(ref->begin(), ref->end());
    auto inv = inventory(parcel);
    if (!inv)
      return caf::make_error(errc::ceb_not_found, "no inventory " + invt);
    if (inv->invt_no != invt)
      return caf::make_error(errc::ceb_invalid_state, "inventory " + invt
                                                        + " was cancelled; its order has inventory "
                                                        + inv->invt_no + " now");
    if (inv->state != ParcelState::INSPECTION)
      return caf::make_error(errc::ceb_invalid_state, "inventory " + invt + " is "
                                                        + state_name(inv->state)
                                                        + ", not waiting for inspection");
    auto rec = parcel_record(*inv);
    if (!rec)
      return caf::make_error(errc::ceb_not_found, "inventory record unreadable");
    auto h = (*rec)->getInventory().getHead();
    auto findings = valid_utf8(str(r.getFindings()));
    if (r.getRelease()) {
      inv->state = ParcelState::RELEASED;
      inv->released_at = now;
      inv->reason = "released after inspection" + (findings.empty() ? "" : ": " + findings);
      tx.put(tables::inventories, key_bytes(parcel), inv->encode());
      inventory_answer(*inv, h, status::released, code_info("2600", "放行"), "released");
      decisions.push_back(decision(parcel, "inventory " + invt + " released after inspection by "
                                             + officer));
      st.d.metrics->released++;
    } else {
      give_back(*inv, inv->value, inv->tax);
      inv->state = ParcelState::REFUSED;
      inv->reason = "refused after inspection: " + findings;
      tx.put(tables::inventories, key_bytes(parcel), inv->encode());
      inventory_answer(*inv, h, status::refused, code_info("2501", "查验不合格") + " " + findings,
                       "rejected");
      decisions.push_back(decision(parcel, "inventory " + invt + " refused after inspection by "
                                             + officer + "; quota and guarantee given back"));
      st.d.metrics->refused_parcels++;
    }
    return caf::none;
  }

  /// The matching window passed: the inventory is refused, its senders told.
  void expire(const std::string& parcel, int64_t deadline) {
    auto inv = inventory(parcel);
    if (!inv || inv->state != ParcelState::WAITING || inv->deadline != deadline) {
      tx.erase(tables::deadlines, deadline_key(deadline, parcel)); // a stale entry
      return;
    }
    auto rec = parcel_record(*inv);
    if (!rec)
      return;
    auto h = (*rec)->getInventory().getHead();
    auto why = inv->reason;
    close_waiting(*inv, parcel);
    inv->state = ParcelState::EXPIRED;
    inv->reason = "expired: " + why;
    inv->decided_at = now;
    tx.put(tables::inventories, key_bytes(parcel), inv->encode());
    inventory_answer(*inv, h, ceb_code_of(errc::ceb_expired, 621),
                     "ceb_expired: no match within " + std::to_string(cfg.match_window_ms / 60000)
                       + " minutes (" + why + "); declare again when the documents are sent",
                     "rejected");
    // The senders of the documents that did arrive learn that the parcel expired.
    auto tell = [&](const char* table, const bytes& key, message_type t, return_fields f) {
      auto v = tx.get(table, key);
      if (!v)
        return;
      auto sd = stored_doc::decode(*v);
      if (!sd)
        return;
      bytes subj((*sd)->getMessageId().begin(), (*sd)->getMessageId().end());
      receipt(str((*sd)->getSender()), subj, t, std::move(f), status::refused,
              code_info("1800", "逻辑校验通过") + " but inventory " + inv->pre_no
                + " expired unmatched (" + why + ")",
              "rejected");
    };
    auto ebp = str(h.getEbpCode()), no = str(h.getOrderNo());
    std::string order_guid;
    if (auto o = doc_record(tables::orders, key_bytes(parcel)); o && (*o)->isOrder())
      order_guid = str((*o)->getOrder().getHead().getGuid());
    if (!order_guid.empty())
      tell(tables::orders, key_bytes(parcel), message_type::ceb311,
           {{"guid", order_guid}, {"ebpCode", ebp}, {"ebcCode", str(h.getEbcCode())}, {"orderNo", no}});
    decisions.push_back(decision(parcel, "inventory " + inv->pre_no + " expired (" + why + ")"));
    st.d.metrics->expired++;
  }

  /// An order, payment or waybill still not named by any inventory list after
  /// keep_unmatched_ms is dropped and its sender told; one that is named since, deleted
  /// (appType 3) or sent again later (its own, later entry) is left alone.
  void drop_unmatched(const std::string& entry, int64_t deadline) {
    auto at = tx.get(tables::deadlines, deadline_key(deadline, entry));
    tx.erase(tables::deadlines, deadline_key(deadline, entry));
    if (!at || at->size() != 8)
      return;
    if (entry.size() < 3)
      return;
    char tag = entry[1];
    std::string k = entry.substr(2);
    auto key = key_bytes(k);
    const char* table = tag == 'o' ? tables::orders : tag == 'p' ? tables::payments : tables::waybills;
    auto v = tx.get(table, key);
    if (named(tag, key) || !v)
      return;
    auto sd = stored_doc::decode(*v);
    if (!sd || (*sd)->getAt() != static_cast<int64_t>(from_be64(*at)))
      return; // changed since: its own entry decides
    auto r = (*sd)->getRecord();
    auto rec = record::decode(bytes(r.begin(), r.end()));
    if (!rec)
      return;
    return_fields f;
    message_type t = message_type::ceb311;
    std::string what;
    if ((*rec)->isOrder()) {
      auto h = (*rec)->getOrder().getHead();
      f = {{"guid", str(h.getGuid())}, {"ebpCode", str(h.getEbpCode())},
           {"ebcCode", str(h.getEbcCode())}, {"orderNo", str(h.getOrderNo())}};
      what = "order " + str(h.getOrderNo());
    } else if ((*rec)->isPayment()) {
      auto h = (*rec)->getPayment();
      t = message_type::ceb411;
      f = {{"guid", str(h.getGuid())}, {"payCode", str(h.getPayCode())},
           {"payTransactionId", str(h.getPayTransactionId())}};
      what = "payment " + str(h.getPayTransactionId()) + " for order " + str(h.getOrderNo());
    } else if ((*rec)->isWaybill()) {
      auto h = (*rec)->getWaybill();
      t = message_type::ceb511;
      f = {{"guid", str(h.getGuid())}, {"logisticsCode", str(h.getLogisticsCode())},
           {"logisticsNo", str(h.getLogisticsNo())}};
      what = "waybill " + str(h.getLogisticsNo());
    } else {
      return;
    }
    tx.erase(table, key);
    auto span = cfg.keep_unmatched_ms % 86400000 == 0
                  ? std::to_string(cfg.keep_unmatched_ms / 86400000) + " days"
                  : std::to_string(cfg.keep_unmatched_ms / 1000) + " seconds";
    bytes subj((*sd)->getMessageId().begin(), (*sd)->getMessageId().end());
    receipt(str((*sd)->getSender()), subj, t, std::move(f), ceb_code_of(errc::ceb_expired, type_prefix(t)),
            std::string{"ceb_expired: no inventory list named this "} + what + " within " + span
              + "; the hub no longer holds it (send it again with its inventory list)",
            "rejected");
    decisions.push_back(decision(k, what + " dropped: no inventory list named it within " + span));
  }
};

/// Fields of a document's receipt: what the adapter could read of its keys.
return_fields fields_of(const ceb_doc& d) {
  return_fields f;
  for (auto& [k, v] : d.keys)
    f.emplace_back(k, v);
  return f;
}

/// Committed receipts to the outbox, which pushes them until acknowledged.
void deliver(matcher_ptr self, const std::vector<notice>& notices, const std::vector<uint64_t>& ids) {
  for (size_t i = 0; i < notices.size() && i < ids.size(); ++i)
    self->send(self->state.d.outbox, atom::deliver_v, ids[i], notices[i].recipient,
               notices[i].notification);
}

void rollback(matcher_ptr self, const caf::error& why) {
  auto& st = self->state;
  st.view->clear();
  ++st.generation;
  st.d.metrics->commits_failed++;
  self->send(st.d.store, atom::resync_v);
  log::warn("ecommerce", "pending writes dropped after a refused commit: " + context_text(why));
}

/// Commits `w` with everything `dc` decided (records, decisions, receipts) in one
/// transaction; the receipts go to the outbox once committed.
caf::result<document_commit> commit(matcher_ptr self, document_write& w, decide& dc) {
  auto& st = self->state;
  auto now = dc.now;
  w.ops = dc.tx.take_ops();
  w.decisions = std::move(dc.decisions);
  w.notices = dc.receipts.notices(now);
  w.case_key = dc.case_key;
  auto notices = w.notices; // to hand to the outbox once committed
  auto id = st.next_commit++;
  st.view->apply(w.ops, id);
  auto rp = self->make_response_promise<document_commit>();
  auto generation = st.generation;
  // No timeout: a late commit is not a refused one (it may still land); dropping the
  // overlay on a timeout would let later messages build on state without it. Intake's
  // own timeout answers the partner hub_busy meanwhile.
  self->request(st.d.store, caf::infinite, atom::put_v, std::move(w))
    .then(
      [self, rp, id, notices](document_commit& c) mutable {
        self->state.view->committed(id);
        if (!c.existed)
          deliver(self, notices, c.notice_ids);
        rp.deliver(std::move(c));
      },
      [self, rp, generation](caf::error& err) mutable {
        if (generation == self->state.generation)
          rollback(self, err);
        rp.deliver(std::move(err));
      });
  return rp;
}

caf::result<document_commit> lodge(matcher_ptr self, document_write& w, const ceb_batch& b) {
  auto& st = self->state;
  auto now = now_ms();
  decide dc{st, &b, w.message_id, now};
  st.d.metrics->messages++;
  for (auto& d : b.docs) {
    st.d.metrics->documents++;
    auto f = fields_of(d);
    if (d.error) {
      if (b.type == message_type::ceb621)
        f.emplace_back("preNo", dc.pre_no('B'));
      else if (b.type == message_type::ceb623)
        f.emplace_back("preNo", dc.pre_no('C'));
      else if (b.type == message_type::ceb625)
        f.emplace_back("preNo", dc.pre_no('T'));
      dc.refuse(d, f, *d.error, d.detail);
      continue;
    }
    auto rec = record::decode(d.record);
    if (!rec) {
      dc.refuse(d, f, errc::ceb_document_invalid, "record unreadable");
      continue;
    }
    auto r = **rec;
    switch (r.which()) {
      case swhub::ceb::Document::ORDER: dc.order(d, r.getOrder(), f); break;
      case swhub::ceb::Document::PAYMENT: dc.payment(d, r.getPayment(), f); break;
      case swhub::ceb::Document::WAYBILL: dc.waybill(d, r.getWaybill(), f); break;
      case swhub::ceb::Document::WAYBILL_STATUS: dc.waybill_status(d, r.getWaybillStatus(), f); break;
      case swhub::ceb::Document::INVENTORY: dc.inventory_doc(d, r.getInventory(), f); break;
      case swhub::ceb::Document::CANCEL: dc.cancel(d, r.getCancel(), f); break;
      case swhub::ceb::Document::REFUND: dc.refund(d, r.getRefund(), f); break;
      case swhub::ceb::Document::DELIVERY: dc.delivery(d, r.getDelivery(), f); break;
    }
  }
  // The message itself, in the evidence log: who sent how many documents, and how its
  // signature verified (the specification's way or the signers', ecommerce.md §10.3).
  {
    size_t refused = 0;
    for (auto& d : b.docs)
      refused += d.error ? 1 : 0;
    auto detail = std::string{ceb::root_name(b.type)} + " from " + b.party + " (copCode " + b.cop_code
                  + "): " + std::to_string(b.docs.size()) + " documents, "
                  + std::to_string(refused) + " refused by the schema; "
                  + (b.signature_way.empty() ? std::string{"unsigned"}
                                             : "signature verified (" + b.signature_way + ", "
                                                 + b.signature_method + ")");
    decision_record dr;
    dr.party = b.party;
    dr.message_id = w.message_id;
    dr.digest = w.digest;
    dr.detail = detail;
    dc.decisions.insert(dc.decisions.begin(), std::move(dr));
  }
  return commit(self, w, dc);
}

/// A port officer's inspection result (ecommerce.inspection-result).
caf::result<document_commit> lodge_inspection(matcher_ptr self, document_write& w) {
  auto& st = self->state;
  auto frame = aligned_message::copy(w.frame.data(), w.frame.size());
  if (!frame)
    return frame.error();
  decide dc{st, nullptr, w.message_id, now_ms()};
  auto err = with_root<wire::Frame>(*frame, ec::malformed_frame, [&](wire::Frame::Reader f) -> caf::error {
    auto p = f.getEnvelope().getPayload();
    auto msg = aligned_message::copy(p.begin(), p.size(), ec::malformed_payload);
    if (!msg)
      return msg.error();
    return with_root<wire::InventoryInspection>(*msg, ec::malformed_payload,
                                                [&](wire::InventoryInspection::Reader r) {
                                                  return dc.inspected(w.sender, r);
                                                });
  });
  if (err)
    return err; // nothing stored: the officer gets the refusal
  return commit(self, w, dc);
}

void expire_due(matcher_ptr self) {
  auto& st = self->state;
  if (st.expiring)
    return;
  auto now = now_ms();
  std::vector<std::pair<int64_t, std::string>> due;
  st.view->reader().for_each(tables::deadlines, [&](const bytes& k, const bytes&) {
    if (k.size() < 8 || static_cast<int64_t>(from_be64(bytes(k.begin(), k.begin() + 8))) > now
        || due.size() >= 1000)
      return false;
    due.emplace_back(static_cast<int64_t>(from_be64(bytes(k.begin(), k.begin() + 8))),
                     std::string(k.begin() + 8, k.end()));
    return true;
  });
  if (due.empty())
    return;
  decide dc{st, nullptr, {}, now};
  for (auto& [deadline, p] : due) {
    if (!p.empty() && p[0] == unmatched_mark)
      dc.drop_unmatched(p, deadline);
    else
      dc.expire(p, deadline);
  }
  write_set ws{dc.tx.take_ops(), std::move(dc.decisions), dc.receipts.notices(now)};
  if (ws.ops.empty())
    return;
  auto notices = ws.notices;
  auto id = st.next_commit++;
  st.view->apply(ws.ops, id);
  st.expiring = true;
  auto generation = st.generation;
  self->request(st.d.store, caf::infinite, atom::write_v, std::move(ws))
    .then(
      [self, id, notices](write_result& wr) {
        self->state.view->committed(id);
        self->state.expiring = false;
        deliver(self, notices, wr.notice_ids);
      },
      [self, generation](caf::error& err) {
        self->state.expiring = false;
        if (generation == self->state.generation)
          rollback(self, err);
      });
}

matcher_actor::behavior_type parcel_matcher(matcher_ptr self, matcher_deps deps) {
  auto& st = self->state;
  st.d = std::move(deps);
  st.view = std::make_unique<table_view>(st.d.reader);
  self->send(st.d.store, atom::resync_v); // fence the matcher after each refused write
  self->delayed_send(self, std::chrono::milliseconds{st.d.cfg->expiry_check_ms}, atom::tick_v);
  return {
    [self](atom::status) -> std::string {
      return self->state.d.metrics->summary() + ", "
             + std::to_string(self->state.view->pending()) + " writes in flight";
    },
    [self](atom::lodge, document_write& w, ceb_batch_ref& ref) -> caf::result<document_commit> {
      auto b = std::static_pointer_cast<const ceb_batch>(ref.ptr);
      if (!b)
        return caf::make_error(ec::hub_busy, "parcel matcher: empty batch");
      return lodge(self, w, *b);
    },
    [self](atom::lodge, document_write& w) -> caf::result<document_commit> {
      return lodge_inspection(self, w);
    },
    [self](atom::tick) {
      expire_due(self);
      self->delayed_send(self, std::chrono::milliseconds{self->state.d.cfg->expiry_check_ms},
                         atom::tick_v);
    },
  };
}

} // namespace

matcher_actor spawn_parcel_matcher(caf::actor_system& sys, matcher_deps deps) {
  return sys.spawn(parcel_matcher, std::move(deps));
}

} // namespace hub::ecommerce
