#pragma once
// Inside clearance (not an interface): the state the clearance actor owns, what one
// document changes ("plan"), and the functions that decide a case, split by purpose:
// case_flow.cpp (lookups, tariff and lane, the state machine from lodgement to
// release), case_documents.cpp (one function per customs document, post-release
// outcomes, payment deadlines), clearance.cpp (the actor: commit and follow-ups).

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "actors/customs/customs_actors.hpp"
#include "actors/actors.hpp"
#include "actors/core/frames.hpp"
#include "actors/customs/case_record.hpp"
#include "actors/customs/credit_record.hpp"
#include "actors/customs/customs_context.hpp"
#include "actors/customs/post_release_audit.hpp"
#include "schemas/declaration.capnp.h"
#include "schemas/frame.capnp.h"

namespace hub {
struct party;
} // namespace hub

namespace hub::customs::detail {

using json = nlohmann::json;

// -- enterprise state (guarantee account and history) --------------------------

struct enterprise_state {
  cents reserved = 0;          ///< on the guarantee for released, unpaid declarations
  cents consumed = 0;          ///< called from the guarantee after a missed deadline
  uint32_t declarations = 0;
  uint32_t violations = 0;     ///< post-release findings (SR-04.3: they feed the risk engine)
  std::map<std::string, cents> statements; ///< consolidated: month -> amount outstanding
};

// -- what one document changes ------------------------------------------------

struct plan {
  std::vector<table_op> ops;
  std::vector<decision_record> decisions;
  std::vector<notice> notices;
  std::string case_key;
  std::vector<std::string> touched_cases;
  std::vector<std::string> touched_enterprises;
  std::vector<std::pair<std::string, std::string>> reviews; ///< (centre, case id) after commit
  std::string step1; ///< while step 1 runs: lane, reservation and release, recorded as one decision
};

/// What step 1 reads besides config, tariff and rules: the advance rulings and each
/// enterprise's history. Clearance owns both and publishes copies here, so that the
/// assessors (on other threads) can prepare declarations in parallel.
class step1_board {
public:
  std::shared_ptr<const std::map<std::string, advance_ruling>> rulings() const {
    std::lock_guard<std::mutex> g{m_};
    return rulings_;
  }
  void set_rulings(std::map<std::string, advance_ruling> r) {
    auto p = std::make_shared<const std::map<std::string, advance_ruling>>(std::move(r));
    std::lock_guard<std::mutex> g{m_};
    rulings_ = std::move(p);
  }
  /// (declarations, post-release findings) of an enterprise.
  std::pair<uint32_t, uint32_t> history(const std::string& enterprise) const {
    std::lock_guard<std::mutex> g{m_};
    auto i = history_.find(enterprise);
    return i == history_.end() ? std::pair<uint32_t, uint32_t>{0, 0} : i->second;
  }
  void set_history(const std::string& enterprise, uint32_t declarations, uint32_t violations) {
    std::lock_guard<std::mutex> g{m_};
    history_[enterprise] = {declarations, violations};
  }
  /// Replaces every enterprise's history (after clearance reloaded its accounts).
  void set_histories(std::map<std::string, std::pair<uint32_t, uint32_t>> h) {
    std::lock_guard<std::mutex> g{m_};
    history_ = std::move(h);
  }
  /// The enterprise's credit tier at `ms` (general credit if it has no record).
  tier tier_at(const std::string& enterprise, int64_t ms) const {
    std::shared_ptr<const std::map<std::string, credit_record>> c;
    {
      std::lock_guard<std::mutex> g{m_};
      c = credit_;
    }
    auto i = c->find(enterprise);
    return i == c->end() ? tier::general_credit : i->second.tier_at(ms);
  }
  void set_credit(std::map<std::string, credit_record> c) {
    auto p = std::make_shared<const std::map<std::string, credit_record>>(std::move(c));
    std::lock_guard<std::mutex> g{m_};
    credit_ = std::move(p);
  }

private:
  mutable std::mutex m_;
  std::shared_ptr<const std::map<std::string, advance_ruling>> rulings_ =
    std::make_shared<const std::map<std::string, advance_ruling>>();
  std::map<std::string, std::pair<uint32_t, uint32_t>> history_;
  std::shared_ptr<const std::map<std::string, credit_record>> credit_ =
    std::make_shared<const std::map<std::string, credit_record>>();
};

/// A licence and what is left of it.
struct licence_state {
  std::string id, type, holder, issuer;
  std::vector<std::string> hs_prefixes;
  units quantity = 0, remaining = 0; ///< fixed point (actors/core/quantity.hpp)
  std::string unit;
  int64_t valid_from = 0, valid_until = 0;
};
bytes encode(const licence_state& l);
std::optional<licence_state> decode_licence(const bytes& b);

/// 64 bits from OpenSSL's DRBG, to seed a generator.
uint64_t random_device_seed();

struct clearance_state {
  static inline const char* name = "clearance";
  customs_deps d;
  std::map<std::string, lodge_actor> risk_centres;
  std::map<std::string, tax_centre_actor> centres;
  std::map<std::string, office_actor> offices;       ///< by unit code
  std::map<std::string, std::pair<std::string, std::string>> tasked; ///< case -> (unit, kind) announced
  std::map<std::string, case_record> cases;          ///< open cases and those touched since start
  std::map<std::string, std::string> refs;           ///< case_ref_key -> case id (cached)
  std::map<std::string, enterprise_state> enterprises;
  std::map<std::string, advance_ruling> rulings;
  std::map<std::string, licence_state> licences;
  /// Every registered enterprise's credit record: customs.toml's, or the stored one
  /// once a change was decided (credit_decisions.cpp); published on the board.
  std::map<std::string, credit_record> credit;
  /// Disclosure keys (declarant \0 disclosureId) planned since the last load: a second
  /// use of an id is refused also before the first one's commit reaches LMDB.
  std::set<std::string> disclosures;
  uint64_t next_serial = 1;
  std::shared_ptr<step1_board> board = std::make_shared<step1_board>();
  std::mt19937_64 seeds{random_device_seed()}; ///< lane draw seeds (recorded with each decision)
  /// Memory runs ahead of the store: a plan changes cases, accounts, licences and
  /// rulings before its commit. A refused commit rolls all of that back by reloading
  /// from LMDB and bumps the generation; a refusal of a plan made under an older
  /// generation needs nothing more, the reload after it already undid it.
  uint64_t generation = 0;
};

bytes encode(const enterprise_state& e);
enterprise_state decode_enterprise(const bytes& b);
void load_rulings(clearance_state& st);

bytes as_bytes(std::string_view s);
std::string as_string(const bytes& b);
std::string text(capnp::Text::Reader t);

/// Runs `fn` on the envelope payload of a stored-to-be document as T.
template <class T, class F>
caf::error with_document(const document_write& w, F&& fn) {
  auto frame = aligned_message::copy(w.frame.data(), w.frame.size());
  if (!frame)
    return frame.error();
  return with_root<wire::Frame>(*frame, ec::malformed_frame, [&](wire::Frame::Reader f) -> caf::error {
    auto p = f.getEnvelope().getPayload();
    auto msg = aligned_message::copy(p.begin(), p.size(), ec::malformed_payload);
    if (!msg)
      return msg.error();
    return with_root<T>(*msg, ec::malformed_payload, std::forward<F>(fn));
  });
}

/// A status notification for `recipient` about case `c`, in the declarant's terms.
notice status_notice(const std::string& recipient, const case_record& c, const bytes& subject,
                     const std::string& status, const std::string& reason, int64_t now);
void set_status(case_record& c, const std::string& status, const std::string& detail, int64_t now);
decision_record decision_for(const case_record& c, const bytes& message_id, const std::string& detail);
void put_case(plan& p, const case_record& c);
void put_enterprise(clearance_state& st, plan& p, const std::string& code);
int64_t year_of(int64_t ms);
std::string month_of(int64_t ms);

// lookups (memory first, then LMDB)
enterprise_state& enterprise_of(clearance_state& st, const std::string& code);
case_record* case_by_id(clearance_state& st, const std::string& id);
case_record* case_by_ref(clearance_state& st, const std::string& declarant, const std::string& decl_id);
caf::error no_case(const std::string& declarant, const std::string& decl_id);
caf::error officer_scope(const clearance_state& st, const party& officer, const case_record& c);

struct lodged {
  std::vector<case_item> items;
  std::vector<tax_item> tax_items;
  assessment assessed;
  std::string enterprise, unit;
  bool import = true;
  settlement settle = settlement::payment;
  cents self_assessed = -1;
  std::vector<std::string> transport_documents;
  std::vector<std::pair<std::string, std::string>> foreign_operators; ///< (role, AEO id) named
};

caf::expected<lodged> read_declaration(const customs_deps& dep, wire::Declaration::Reader d);

/// Step 1 of one declaration computed without clearance's state (tariff, rulings,
/// admissibility, facts, lane): by an assessor in parallel, or by clearance itself.
struct prepared {
  lodged l;
  std::vector<std::string> errors; ///< reasons for acceptedWithErrors
  std::string prohibited;          ///< why it is rejected at admissibility, if it is
  lane_decision decision;
  std::string decision_text, facts_text;
  uint64_t seed = 0;
  tier credit = tier::general_credit;
  int64_t at = 0;
};

caf::expected<prepared> prepare_step1(const customs_deps& dep, const step1_board& board, lodged l,
                                      const std::string& declarant, uint64_t seed, int64_t now);
caf::expected<prepared> prepare_declaration(const customs_deps& dep, const step1_board& board,
                                            wire::Declaration::Reader d, const std::string& declarant,
                                            uint64_t seed, int64_t now);
/// Applies a prepared step 1 to the case: lane, evidence, then as far as it goes.
void apply_step1(clearance_state& st, case_record& c, const prepared& pr, plan& p, const bytes& subject,
                 int64_t now);
bool tier_in(const std::vector<tier>& v, tier t);

// the state machine
void release(clearance_state& st, case_record& c, plan& p, const bytes& subject, int64_t now);
void advance(clearance_state& st, case_record& c, plan& p, const bytes& subject, int64_t now);
void restore_reservation(clearance_state& st, case_record& c, plan& p, const bytes& subject, const std::string& why);
/// Gives back `amount` of it (a correction that lowers the tax).
void reduce_reservation(clearance_state& st, case_record& c, plan& p, const bytes& subject, cents amount,
                        const std::string& why);
/// Closes a released case once both tracks of SR-07.1 are done: every tax-centre review
/// applied and no verification, audit, amendment or payment still awaited, nothing due,
/// nothing reserved on the guarantee. Until then it stays open (a guarantee release is
/// not closed before its tax is paid or called). Returns whether it closed.
bool close_if_settled(case_record& c, int64_t now, const std::string& why);
/// The licence quantities a declaration's restricted items need, checked against the
/// licences it quotes (holder, type, goods, unit, validity, quantity left; `held`: what
/// this case already holds counts as left). Changes nothing.
caf::expected<std::vector<drawdown>> check_licences(const clearance_state& st, const lodged& l, int64_t now,
                                                    const std::vector<drawdown>& held);
/// Takes the checked quantities off the licences, in the plan's commit.
void draw_licences(clearance_state& st, case_record& c, std::vector<drawdown> dd, plan& p, const bytes& subject);
/// Gives a case's quantities back (cancellation, refusal, amendment).
void return_licences(clearance_state& st, case_record& c, plan& p, const bytes& subject, const std::string& why);
void load_licences(clearance_state& st);
/// Routes the case to the agencies its goods and regime need (config [[routing]]):
/// one task each, and a notification carrying only what each agency may see.
void route_agencies(clearance_state& st, case_record& c, plan& p, int64_t now);
caf::expected<plan> on_agency_decision(clearance_state& st, const document_write& w, const party& sender);
caf::expected<plan> on_licence(clearance_state& st, const document_write& w, const party& sender);

/// Releases, in lodgement order, the enterprise's declarations held for lack of
/// guarantee that now fit (after a payment or a cancellation gave some back).
void release_held(clearance_state& st, const std::string& enterprise, const std::string& except, plan& p,
                  int64_t now);
caf::expected<std::vector<std::string>> ruling_deviations(const std::map<std::string, advance_ruling>& rulings,
                                                          const lodged& l, int64_t now);

// one function per document (case_documents.cpp)
/// `pre`: step 1 already prepared by an assessor (null: prepare it here).
caf::expected<plan> on_declaration(clearance_state& st, const document_write& w, const prepared* pre);
caf::expected<plan> on_amendment(clearance_state& st, const document_write& w);
caf::expected<plan> on_inspection(clearance_state& st, const document_write& w, const party& officer);
caf::expected<plan> on_evidence(clearance_state& st, const document_write& w, const party& officer);
caf::expected<plan> on_payment(clearance_state& st, const document_write& w);
caf::expected<plan> on_ruling(clearance_state& st, const document_write& w);

// credit tiers (credit_decisions.cpp, SR-14.1)
/// customs.toml's records, replaced by those stored in customs.credit.
/// Fails naming the enterprise if a stored record is damaged: a tier is never guessed.
caf::expected<std::map<std::string, credit_record>> credit_records(const customs_config& cfg,
                                                                   const store_reader& reader);
/// credit_records into clearance's state, and published on its board.
void load_credit(clearance_state& st);
// voluntary disclosure (disclosures.cpp, SR-14.3)
caf::expected<plan> on_disclosure(clearance_state& st, const document_write& w, const party& sender);

/// The tier clearance's records give the enterprise at `at` (general credit if none).
tier credit_tier(const clearance_state& st, const std::string& enterprise, int64_t at);
caf::expected<plan> on_credit_decision(clearance_state& st, const document_write& w, const party& officer);
/// Counts a violation against the enterprise (its history feeds the risk facts) and,
/// every [credit] violations-per-downgrade of them, drops it one tier from now: in the
/// plan with its evidence and a notification. `by`: the tax centre or officer.
void count_violation(clearance_state& st, const std::string& enterprise, const std::string& by,
                     const std::string& what, plan& p, int64_t now);
void apply_review(clearance_state& st, const std::string& centre, const review_result& r, plan& p, int64_t now);
/// The task a case needs from a customs office now, as (unit, kind); none if empty.
std::pair<std::string, std::string> task_of(const clearance_state& st, const case_record& c);

/// Reservations whose payment deadline passed are consumed (the guarantee is called).
plan deadline_plan(clearance_state& st, int64_t now);

} // namespace hub::customs::detail
