#include "actors/intake/intake.hpp"

#include <algorithm>
#include <chrono>
#include <map>
#include <optional>

#include <capnp/dynamic.h>
#include <caf/all.hpp>

#include "actors/core/admission.hpp"
#include "actors/core/error.hpp"
#include "actors/core/frames.hpp"
#include "actors/core/log.hpp"
#include "actors/core/partner_link.hpp"
#include "actors/crypto/digest.hpp"
#include "actors/crypto/signing_input.hpp"
#include "actors/registry/party_registry.hpp"
#include "actors/store/storage.hpp"
#include "actors/store/store.hpp"
#include "schemas/frame.capnp.h"
#include "schemas/keys.capnp.h"
#include "schemas/stored.capnp.h"

namespace hub {

namespace {

/// Another copy of a message that is being committed right now.
struct waiter {
  bytes route;
  bytes digest;
};

/// A message handed to the store or a desk and not answered yet. The deadline is
/// kept here and swept by one timer per intake instead of a CAF request timeout per
/// message: in CAF 0.17 each of those is a mutex-guarded entry in the clock thread
/// plus a wake-up of it, 13 % of the hub's CPU with small single-document messages
/// (docs/benchmarks.md). `ticket` tells a late answer from the answer to a resend.
struct in_flight {
  bytes digest;
  std::vector<waiter> waiters;
  uint64_t ticket = 0;
  caf::actor_clock::time_point deadline;
  bytes route;
  std::string sender;
  bytes message_id;
};

/// What intake read out of an envelope before the reader goes out of scope.
struct envelope_fields {
  bytes message_id;
  std::string sender, recipient, type;
  int64_t created_at = 0;
  bytes correlation_id;
  bytes digest;
};

struct intake_state {
  static inline const char* name = "intake";
  intake_config cfg;
  intake_deps deps;
  std::map<bytes, in_flight> pending; // dedupe key -> commit in progress
  uint64_t next_ticket = 0;
  bool sweeping = false; ///< a tick is scheduled
};

using intake_ptr = intake_actor::stateful_pointer<intake_state>;

/// How often overdue commits are looked for: a quarter of the timeout, 10 ms to 1 s.
std::chrono::milliseconds sweep_period(const intake_config& cfg) {
  return std::clamp(cfg.store_timeout / 4, std::chrono::milliseconds{10},
                    std::chrono::milliseconds{1000});
}

/// Every admitted frame is answered exactly once: a receipt or a status reply.
void answered(intake_ptr self) {
  if (self->state.deps.admitted)
    self->state.deps.admitted->release();
}

void send_receipt(intake_ptr self, const bytes& route, const receipt_info& r) {
  answered(self);
  auto& m = *self->state.deps.metrics;
  switch (r.status) {
    case receipt_info::accepted: m.accepted++; break;
    case receipt_info::duplicate: m.duplicates++; break;
    case receipt_info::rejected: m.rejected++; break;
  }
  self->state.deps.link->receipt(route, r);
}

void reject(intake_ptr self, const bytes& route, const std::string& party,
            const bytes& message_id, const caf::error& err) {
  receipt_info r;
  r.party = party;
  r.message_id = message_id;
  r.status = receipt_info::rejected;
  r.code = wire_code_of(err);
  // A library failure stays in the log: the partner learns only to retry.
  r.reason = is(err, ec::crypto_failure) ? "the hub cannot check signatures now; retry later"
                                          : valid_utf8(context_text(err)); // quotes partner bytes
  send_receipt(self, route, r);
}

/// The answer to a message whose (sender, id) is already stored.
/// `stored` is what the original commit answered (or its dedupe record says).
receipt_info answer_for_existing(const std::string& party, const bytes& message_id,
                                 const bytes& digest, const document_commit& stored) {
  const auto& stored_digest = stored.digest;
  auto sequence = stored.sequence;
  receipt_info r;
  r.party = party;
  r.message_id = message_id;
  if (digest == stored_digest) {
    r.status = receipt_info::duplicate;
    r.digest = stored_digest;
    r.sequence = sequence;
    r.hub_time = stored.hub_time;
    r.evidence_index = stored.evidence_index;
    r.evidence_hash = stored.evidence_hash;
    r.reason = "already accepted as sequence " + std::to_string(sequence);
  } else {
    r.status = receipt_info::rejected;
    r.code = wire_code(ec::reused_message_id);
    r.digest = digest;
    r.reason = "message id " + to_hex(message_id) + " was accepted as sequence "
               + std::to_string(sequence) + " with other content (digest "
               + to_hex(stored_digest).substr(0, 16) + "...); use a new message id";
  }
  return r;
}

/// The signature policy and the signature itself (docs/protocol.md, "Signatures").
caf::error check_signature(const party_registry& reg, const party& sender,
                           wire::Envelope::Reader env, const envelope_fields& f) {
  auto sig = env.getSignature();
  std::string key_id = sig.getKeyId();
  if (key_id.empty()) {
    if (reg.must_sign(sender.role, f.type))
      return caf::make_error(ec::missing_signature, f.type + " from role \"" + sender.role
                                                      + "\" must be signed");
    return caf::none;
  }
  auto alg = static_cast<crypto::algorithm>(sig.getAlgorithm());
  if (sender.algorithms.count(alg) == 0)
    return caf::make_error(ec::algorithm_not_registered,
                           std::string{"algorithm "} + crypto::to_string(alg)
                             + " is not registered for " + sender.id);
  auto key = reg.signing_key(sender.id, key_id);
  if (!key)
    return caf::make_error(ec::unknown_key_id, "key id \"" + key_id.substr(0, 64)
                                                 + "\" is not a signing key of " + sender.id);
  auto now = now_ms();
  if (!key->first->valid_at(now))
    return caf::make_error(ec::key_expired, "key " + key_id + " of " + sender.id
                                              + " is not valid now (rotated); sign with the "
                                                "current key");
  if (key->second.alg() != alg)
    return caf::make_error(ec::algorithm_not_registered,
                           "key " + key_id + " is " + crypto::to_string(key->second.alg())
                             + ", the signature says " + crypto::to_string(alg));
  auto payload = env.getPayload();
  auto input = crypto::envelope_signing_input(f.sender, f.message_id, f.recipient, f.type,
                                              f.created_at, f.correlation_id, payload.begin(),
                                              payload.size());
  auto value = sig.getValue();
  if (auto err = crypto::verify(key->second, input.data(), input.size(),
                                bytes(value.begin(), value.end()))) {
    // The library failing is the hub's fault, not the partner's: logged with OpenSSL's
    // own reason, refused as retryable (crypto_failure goes out as hub_busy).
    if (is(err, ec::crypto_failure)) {
      log::error("intake", "cannot verify " + f.type + " from " + sender.id + ": "
                             + context_text(err));
      return err;
    }
    return caf::make_error(ec::bad_signature, "signature by key " + key_id
                                                + " does not verify over this envelope");
  }
  return caf::none;
}

/// Envelope checks that need no storage. Fills `out` as far as it gets.
caf::error check_envelope(intake_ptr self, const submission& sub,
                          wire::Envelope::Reader env, envelope_fields& out) {
  auto& st = self->state;
  auto reg = st.deps.registry->get();
  auto id = env.getMessageId();
  out.message_id.assign(id.begin(), id.begin() + std::min<size_t>(id.size(), 64));
  if (id.size() != 16)
    return caf::make_error(ec::bad_message_id, "messageId must be 16 bytes, got "
                                                 + std::to_string(id.size()));
  out.sender = env.getSender();
  if (out.sender != sub.party)
    return caf::make_error(ec::spoofed_sender, "sender \"" + out.sender.substr(0, 64)
                                                 + "\" is not the authenticated party \""
                                                 + sub.party + "\"");
  auto corr = env.getCorrelationId();
  if (corr.size() != 0 && corr.size() != 16)
    return caf::make_error(ec::bad_message_id, "correlationId must be empty or 16 bytes, got "
                                                 + std::to_string(corr.size()));
  out.correlation_id.assign(corr.begin(), corr.end());
  out.type = env.getDocumentType();
  auto* type = find_document_type(out.type);
  if (type == nullptr)
    return caf::make_error(ec::unknown_document_type,
                           "documentType \"" + out.type.substr(0, 64) + "\" is not known");
  auto* me = reg->by_id(sub.party);
  if (me == nullptr || !reg->may_send(me->role, out.type))
    return caf::make_error(ec::role_not_allowed,
                           "role \"" + (me ? me->role : std::string{"?"})
                             + "\" may not send " + out.type);
  out.created_at = env.getCreatedAt();
  // Checked for sign first: a hostile createdAt near INT64_MIN must not overflow the skew.
  if (out.created_at <= 0 || std::llabs(now_ms() - out.created_at) > st.cfg.max_clock_skew.count())
    return caf::make_error(ec::bad_timestamp,
                           "createdAt " + std::to_string(out.created_at)
                             + " is more than " + std::to_string(st.cfg.max_clock_skew.count())
                             + " ms from the hub clock");
  out.recipient = env.getRecipient();
  if (out.recipient != "hub") {
    auto* to = reg->by_id(out.recipient);
    if (to == nullptr || !to->enabled)
      return caf::make_error(ec::unknown_recipient, "recipient \"" + out.recipient.substr(0, 64)
                                                      + "\" is not \"hub\" or a registered party");
    if (to->id == sub.party)
      return caf::make_error(ec::unknown_recipient, "a party cannot address itself");
    if (!reg->may_receive(to->role, out.type))
      return caf::make_error(ec::role_not_allowed, "recipient role \"" + to->role
                                                     + "\" may not receive " + out.type);
  }
  auto payload = env.getPayload();
  out.digest = content_digest(out.type, out.recipient, out.correlation_id, payload.begin(),
                              payload.size());
  if (payload.size() == 0)
    return caf::make_error(ec::empty_payload, "the envelope carries no document");
  return check_signature(*reg, *me, env, out);
}

/// What an accepted hub.key-rotation changes: prepared before the commit (so that the
/// party record is written with the document), applied to the live registry after it.
struct rotation_plan {
  std::string party;
  bool signing = false;
  party_key key;
  int64_t overlap_ms = 0;
  int64_t now_ms = 0;
};

/// Checks who may rotate whose key and prepares the party record and the decision.
caf::expected<rotation_plan> plan_rotation(intake_ptr self, const envelope_fields& f,
                                           const uint8_t* payload, size_t size,
                                           document_write& w) {
  auto reg = self->state.deps.registry->get();
  auto msg = aligned_message::copy(payload, size, ec::malformed_payload);
  if (!msg)
    return msg.error();
  rotation_plan plan;
  auto err = with_root<wire::KeyRotation>(*msg, ec::malformed_payload,
                                          [&](wire::KeyRotation::Reader r) {
    plan.party = r.getParty().size() == 0 ? f.sender : std::string{r.getParty().cStr()};
    plan.signing = r.getKind() == wire::KeyKind::SIGNING;
    plan.key.text = r.getNewPublicKey();
    plan.key.id = plan.signing ? std::string{r.getNewKeyId().cStr()} : plan.key.text;
    if (plan.signing && plan.key.id.empty())
      plan.key.id = crypto::public_key::from_pem(plan.key.text)->fingerprint(); // validated
    plan.overlap_ms = int64_t{r.getOverlapSeconds()} * 1000;
    return caf::error{};
  });
  if (err)
    return err;
  auto* me = reg->by_id(f.sender);
  if (plan.party != f.sender && (me == nullptr || !reg->is_key_admin(me->role)))
    return caf::make_error(ec::role_not_allowed,
                           "only a key admin role may rotate another party's keys (" + f.sender
                             + " asked for " + plan.party + ")");
  plan.now_ms = now_ms();
  auto next = reg->with_rotation(plan.party, plan.signing, plan.key, plan.overlap_ms, plan.now_ms);
  if (!next)
    return caf::make_error(code_of(next.error()) == ec::unknown_recipient ? ec::unknown_recipient
                                                                         : ec::invalid_field,
                           context_text(next.error()));
  w.ops.push_back((*next)->party_op(*(*next)->by_id(plan.party)));
  decision_record dr;
  dr.party = plan.party;
  dr.message_id = f.message_id;
  dr.digest = f.digest;
  dr.detail = std::string{plan.signing ? "signing" : "CURVE"} + " key " + plan.key.id.substr(0, 40)
              + " registered for " + plan.party + " by " + f.sender
              + "; earlier keys valid until " + std::to_string(plan.now_ms + plan.overlap_ms);
  w.decisions.push_back(std::move(dr));
  return plan;
}

/// True while `key`'s commit is the one with `ticket` and its sender still waits.
bool awaited(const intake_state& st, const bytes& key, uint64_t ticket) {
  auto i = st.pending.find(key);
  return i != st.pending.end() && i->second.ticket == ticket;
}

/// A commit's outcome. `late`: the sweep already answered the sender `hub_busy`
/// (its resend gets the stored answer), so only what the commit itself owes is done.
void finish(intake_ptr self, const bytes& key, const document_commit& dc,
            const bytes& route, const envelope_fields& f,
            const std::optional<rotation_plan>& rotation, bool late = false) {
  auto& st = self->state;
  if (rotation && !dc.existed) {
    // Applied to the registry as it is now, so that rotations committed by other
    // intakes meanwhile are kept.
    auto cur = st.deps.registry->get();
    auto next = cur->with_rotation(rotation->party, rotation->signing, rotation->key,
                                   rotation->overlap_ms, rotation->now_ms);
    if (next)
      st.deps.registry->set(*next);
    else
      log::error("intake", "committed key rotation not applied in memory: "
                             + context_text(next.error()));
  }
  receipt_info r;
  if (dc.existed) {
    r = answer_for_existing(f.sender, f.message_id, f.digest, dc);
  } else {
    r.party = f.sender;
    r.message_id = f.message_id;
    r.status = receipt_info::accepted;
    r.digest = dc.digest;
    r.sequence = dc.sequence;
    r.hub_time = dc.hub_time;
    r.evidence_index = dc.evidence_index;
    r.evidence_hash = dc.evidence_hash;
    if (dc.notification_id != 0)
      self->send(st.deps.outbox, atom::deliver_v, dc.notification_id, f.recipient,
                 dc.sequence);
  }
  if (late)
    return;
  send_receipt(self, route, r);
  auto i = st.pending.find(key);
  if (i == st.pending.end())
    return;
  for (auto& w : i->second.waiters)
    send_receipt(self, w.route,
                 answer_for_existing(f.sender, f.message_id, w.digest, dc));
  st.pending.erase(i);
}

void fail_pending(intake_ptr self, const bytes& key, const bytes& route,
                  const std::string& party, const bytes& message_id, const caf::error& err) {
  auto& st = self->state;
  auto e = code_of(err) == ec::hub_not_ready || code_of(err) == ec::hub_busy
             ? err
             : caf::make_error(ec::hub_busy, "commit did not complete: " + context_text(err));
  reject(self, route, party, message_id, e);
  auto i = st.pending.find(key);
  if (i == st.pending.end())
    return;
  for (auto& w : i->second.waiters)
    reject(self, w.route, party, message_id, e);
  st.pending.erase(i);
}

/// Fails every commit past its deadline with `hub_busy` (the sender retries and the
/// dedupe record answers if the commit did land), then re-arms while any is pending.
void sweep(intake_ptr self) {
  auto& st = self->state;
  auto now = self->clock().now(); // the actor clock: tests advance it
  std::vector<bytes> overdue;
  for (auto& [key, p] : st.pending)
    if (p.deadline <= now)
      overdue.push_back(key);
  for (auto& key : overdue) {
    auto& p = st.pending.at(key);
    auto route = p.route;
    auto sender = p.sender;
    auto message_id = p.message_id;
    fail_pending(self, key, route, sender, message_id,
                 caf::make_error(ec::hub_busy, "no commit within intake.store-timeout-ms"));
  }
  st.sweeping = !st.pending.empty();
  if (st.sweeping)
    self->delayed_send(self, sweep_period(st.cfg), atom::tick_v);
}

/// Registers a commit in progress and makes sure the sweep runs.
uint64_t await_commit(intake_ptr self, const bytes& key, const envelope_fields& f,
                      const bytes& route) {
  auto& st = self->state;
  in_flight p;
  p.digest = f.digest;
  p.ticket = ++st.next_ticket;
  p.deadline = self->clock().now() + st.cfg.store_timeout;
  p.route = route;
  p.sender = f.sender;
  p.message_id = f.message_id;
  st.pending.emplace(key, std::move(p));
  if (!st.sweeping) {
    st.sweeping = true;
    self->delayed_send(self, sweep_period(st.cfg), atom::tick_v);
  }
  return st.next_ticket;
}

void handle_envelope(intake_ptr self, submission& sub, wire::Envelope::Reader env) {
  auto& st = self->state;
  envelope_fields f;
  if (auto err = check_envelope(self, sub, env, f))
    return reject(self, sub.route, sub.party, f.message_id, err);
  auto key = dedupe_key(f.sender, f.message_id);
  // A copy of a message still being committed waits for that commit's outcome.
  if (auto i = st.pending.find(key); i != st.pending.end()) {
    i->second.waiters.push_back({sub.route, f.digest});
    return;
  }
  if (auto stored = st.deps.reader->get(table::dedupe, key)) {
    auto msg = aligned_message::copy(stored->data(), stored->size(), ec::store_failure);
    receipt_info r;
    auto err = msg ? with_root<stored::DedupeEntry>(
                 *msg, ec::store_failure,
                 [&](stored::DedupeEntry::Reader e) {
                   document_commit was;
                   auto dg = e.getDigest();
                   was.digest.assign(dg.begin(), dg.end());
                   was.sequence = e.getSequence();
                   was.hub_time = e.getHubTime();
                   was.evidence_index = e.getEvidenceIndex();
                   auto eh = e.getEvidenceHash();
                   was.evidence_hash.assign(eh.begin(), eh.end());
                   r = answer_for_existing(f.sender, f.message_id, f.digest, was);
                   return caf::error{};
                 })
                   : msg.error();
    if (err)
      return reject(self, sub.route, sub.party, f.message_id,
                    caf::make_error(ec::hub_busy, "dedupe record unreadable"));
    return send_receipt(self, sub.route, r);
  } else if (!is(stored.error(), ec::not_found)) {
    return reject(self, sub.route, sub.party, f.message_id,
                  caf::make_error(ec::hub_not_ready, context_text(stored.error())));
  }
  auto payload = env.getPayload();
  if (auto err = validate_payload(*find_document_type(f.type), payload.begin(),
                                  payload.size(), st.cfg.limits))
    return reject(self, sub.route, sub.party, f.message_id, err);
  if (!st.deps.store_stats->ready) {
    st.deps.store_stats->refused++;
    return reject(self, sub.route, sub.party, f.message_id,
                  caf::make_error(ec::hub_not_ready, "the hub cannot commit documents now "
                                                     "(storage full or failing); retry later"));
  }
  document_write w;
  w.sender = f.sender;
  w.message_id = f.message_id;
  w.digest = f.digest;
  w.document_type = f.type;
  w.recipient = f.recipient;
  w.deliver = f.recipient != "hub";
  std::optional<rotation_plan> rotation;
  if (f.type == doc::key_rotation) {
    auto plan = plan_rotation(self, f, payload.begin(), payload.size(), w);
    if (!plan)
      return reject(self, sub.route, sub.party, f.message_id, plan.error());
    rotation = std::move(*plan);
  }
  w.frame = std::move(sub.frame);
  auto route = std::move(sub.route);
  auto ticket = await_commit(self, key, f, route);
  auto desk = f.recipient == "hub" ? st.deps.desks.find(f.type) : st.deps.desks.end();
  if (desk != st.deps.desks.end()) {
    // A module's document: its desk decides, commits it with the case change, and
    // answers like the store (or refuses it, and nothing is stored).
    self->request(desk->second, caf::infinite, atom::lodge_v, std::move(w))
      .then(
        [self, key, route, f, ticket](document_commit& dc) {
          finish(self, key, dc, route, f, std::nullopt, !awaited(self->state, key, ticket));
        },
        [self, key, route, f, ticket](caf::error& err) {
          if (!awaited(self->state, key, ticket))
            return; // the sweep answered already
          if (retryable_wire(wire_code_of(err)))
            return fail_pending(self, key, route, f.sender, f.message_id, err);
          reject(self, route, f.sender, f.message_id, err);
          auto& st = self->state;
          auto i = st.pending.find(key);
          if (i == st.pending.end())
            return;
          for (auto& wt : i->second.waiters)
            reject(self, wt.route, f.sender, f.message_id, err);
          st.pending.erase(i);
        });
    return;
  }
  self->request(st.deps.store, caf::infinite, atom::put_v, std::move(w))
    .then(
      [self, key, route, f, rotation, ticket](document_commit& dc) {
        finish(self, key, dc, route, f, rotation, !awaited(self->state, key, ticket));
      },
      [self, key, route, f, ticket](caf::error& err) {
        if (awaited(self->state, key, ticket))
          fail_pending(self, key, route, f.sender, f.message_id, err);
      });
}

/// The case a document names, as the module owning the document's type shows it.
void add_case_status(const std::map<std::string, std::shared_ptr<const running_module>>& domains,
                     const std::string& type, const std::string& subject,
                     wire::StatusReply::Builder& rep) {
  auto* owner = module_of_document(type);
  if (owner == nullptr)
    return;
  auto running = domains.find(owner->name);
  if (running == domains.end())
    return;
  auto v = running->second->status_of(subject);
  if (!v)
    return;
  rep.setStatus(static_cast<wire::DocumentStatus>(document_status_code(v->status)));
  rep.setCaseId(v->case_id);
  rep.setReason(valid_utf8(v->reason));
  // The module's own fields, by their wire names.
  auto dyn = capnp::toDynamic(rep);
  for (auto& [name, value] : v->fields)
    KJ_IF_MAYBE (field, dyn.getSchema().findFieldByName(name)) {
      if (field->getType().isText())
        dyn.set(*field, capnp::Text::Reader(valid_utf8(value)));
    }
}

void handle_query(intake_ptr self, const submission& sub, wire::StatusQuery::Reader q) {
  auto& st = self->state;
  capnp::MallocMessageBuilder mb;
  auto rep = mb.initRoot<wire::Frame>().initStatusReply();
  rep.setQueryId(q.getQueryId());
  auto id = q.getMessageId();
  rep.setMessageId(id);
  rep.setStatus(wire::DocumentStatus::UNKNOWN);
  if (id.size() != 16) {
    rep.setErrorCode(wire_code(ec::bad_message_id));
    rep.setReason("messageId must be 16 bytes");
  } else {
    // The key holds the caller's own party id: a party can only see its own messages.
    auto stored = st.deps.reader->get(table::dedupe,
                                      dedupe_key(sub.party, bytes(id.begin(), id.end())));
    if (stored) {
      auto msg = aligned_message::copy(stored->data(), stored->size(), ec::store_failure);
      auto reg = st.deps.registry->get();
      auto* me = reg->by_id(sub.party);
      if (msg)
        with_root<stored::DedupeEntry>(*msg, ec::store_failure,
                                       [&rep, &reg, me, &domains = st.deps.domains](stored::DedupeEntry::Reader e) {
                                         std::string type = e.getDocumentType();
                                         if (me == nullptr || !reg->may(me->role, action::read, type)) {
                                           rep.setErrorCode(wire_code(ec::forbidden_read));
                                           rep.setReason("role \"" + (me ? me->role : std::string{"?"})
                                                         + "\" may not read " + type);
                                           return caf::error{};
                                         }
                                         rep.setStatus(e.getDelivered()
                                                         ? wire::DocumentStatus::DELIVERED
                                                         : wire::DocumentStatus::ACCEPTED);
                                         auto ck = e.getCaseKey();
                                         if (ck.size() > 0)
                                           add_case_status(domains, type,
                                                           std::string(ck.begin(), ck.end()), rep);
                                         rep.setSequence(e.getSequence());
                                         rep.setHubTime(e.getHubTime());
                                         rep.setDocumentType(e.getDocumentType());
                                         rep.setDigest(e.getDigest());
                                         rep.setRecipient(e.getRecipient());
                                         return caf::error{};
                                       });
    } else if (!is(stored.error(), ec::not_found)) {
      rep.setErrorCode(wire_code(ec::hub_not_ready));
      rep.setReason(valid_utf8(context_text(stored.error())));
    }
  }
  answered(self);
  st.deps.link->reply(sub.route, to_bytes(mb));
}

intake_actor::behavior_type intake(intake_ptr self, intake_config cfg, intake_deps deps) {
  self->state.cfg = cfg;
  self->state.deps = std::move(deps);
  return {
    [self](atom::status) {
      return "intake pending=" + std::to_string(self->state.pending.size());
    },
    [self](atom::tick) { sweep(self); },
    [self](atom::submit, submission& sub) {
      auto msg = aligned_message::copy(sub.frame.data(), sub.frame.size());
      if (!msg)
        return reject(self, sub.route, sub.party, {}, msg.error());
      // Readers point into `msg`, which stays alive until the frame is handled; the
      // envelope's bytes are moved to the store only after everything was read.
      try {
        capnp::FlatArrayMessageReader reader{msg->words(), msg->options()};
        auto frame = reader.getRoot<wire::Frame>();
        switch (frame.which()) {
          case wire::Frame::ENVELOPE:
            return handle_envelope(self, sub, frame.getEnvelope());
          case wire::Frame::STATUS_QUERY:
            return handle_query(self, sub, frame.getStatusQuery());
          default:
            return reject(self, sub.route, sub.party, {},
                          caf::make_error(ec::unexpected_frame,
                                          "intake takes envelopes and status queries"));
        }
      } catch (const kj::Exception& e) {
        return reject(self, sub.route, sub.party, {},
                      caf::make_error(ec::malformed_frame,
                                      std::string{e.getDescription().cStr()}));
      }
    },
  };
}

} // namespace

caf::error validate(const intake_config& cfg) {
  if (cfg.store_timeout.count() <= 0)
    return caf::make_error(ec::invalid_config, "intake.store-timeout-ms must be > 0");
  if (cfg.limits.max_items == 0)
    return caf::make_error(ec::invalid_config, "intake.max-items must be > 0");
  return caf::none;
}

caf::expected<intake_actor> spawn_intake(caf::actor_system& sys, const intake_config& cfg,
                                         intake_deps deps) {
  if (auto err = validate(cfg))
    return err;
  if (!deps.registry || !deps.reader || !deps.link || !deps.store_stats)
    return caf::make_error(ec::invalid_config, "intake dependencies missing");
  if (!deps.metrics)
    deps.metrics = std::make_shared<intake_metrics>();
  return sys.spawn(intake, cfg, std::move(deps));
}

} // namespace hub
