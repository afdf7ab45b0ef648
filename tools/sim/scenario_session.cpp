#include "tools/sim/scenario_session.hpp"

#include <utility>

#include "actors/core/error.hpp"
#include "actors/core/frames.hpp"

namespace sim {

using std::chrono::milliseconds;

std::string describe_status(const hub::notification& n) {
  std::string s = n.declaration_id + ": " + n.status;
  if (!n.case_id.empty())
    s += ", case " + n.case_id;
  if (!n.amount_due.empty())
    s += ", amountDue " + n.amount_due;
  return s;
}

bool is_status_of(const hub::notification& n, const std::string& decl) {
  return !n.is_delivery && n.declaration_id == decl && n.status != "acceptedWithErrors";
}

scenario_session::scenario_session(session_config cfg) : cfg_(std::move(cfg)) {
  // nop
}

bool scenario_session::connect(const std::string& party, bool drain_older) {
  auto c = connect_as(ctx_, cfg_.target, cfg_.keys_dir + "/" + party, cfg_.client_name,
                      cfg_.sign_envelopes);
  if (!c)
    return out_.check(false, party + ": " + hub::context_text(c.error()));
  auto pending = (*c)->pending_notifications();
  bool ok = out_.check((*c)->party() == party,
                       party + " welcomed as " + (*c)->party() + " ("
                         + std::to_string(pending) + " pending notifications)");
  clients_.emplace(party, std::move(*c));
  if (pending > 0 && drain_older)
    drain(party);
  return ok;
}

void scenario_session::drain(const std::string& party) {
  auto& c = client(party);
  size_t n = 0;
  auto until = status_deadline();
  while (clock_type::now() < until) {
    auto x = c.next_notification(milliseconds{400});
    if (!x)
      break;
    static_cast<void>(c.ack(x->id));
    ++n;
  }
  out_.note(std::to_string(n) + " older notification(s) of " + party + " acknowledged");
}

bool scenario_session::send(const std::string& party, const std::string& type,
                            hub::bytes payload, const std::string& what,
                            hub::receipt::status_t want, const std::string& want_error,
                            hub::bytes* message_id) {
  hub::outgoing doc;
  doc.document_type = type;
  doc.payload = std::move(payload);
  doc.message_id = hub::random_message_id();
  if (message_id != nullptr)
    *message_id = doc.message_id;
  auto t0 = clock_type::now();
  last_sent_ = t0;
  auto r = client(party).submit(doc);
  auto label = party + " " + type.substr(type.find('.') + 1) + " " + what + ": ";
  if (!r)
    return out_.check(false, label + hub::context_text(r.error()));
  auto ms = ms_since(t0);
  out_.round_trip(ms);
  return out_.check(r->status == want && r->error_name == want_error,
                    label + describe(*r) + " (" + ms_text(ms) + ")");
}

std::optional<hub::notification>
scenario_session::next_matching(const std::string& party, const notification_match& match,
                                clock_type::time_point until, size_t* skipped) {
  auto& c = client(party);
  while (clock_type::now() < until) {
    auto n = c.next_notification(milliseconds{200});
    if (!n)
      continue;
    static_cast<void>(c.ack(n->id));
    if (match(*n))
      return *n;
    if (skipped != nullptr)
      ++*skipped;
  }
  return std::nullopt;
}

std::optional<hub::notification>
scenario_session::await(const std::string& party, const notification_match& match) {
  size_t skipped = 0;
  auto n = next_matching(party, match, status_deadline(), &skipped);
  if (n && skipped > 0)
    out_.note("(" + std::to_string(skipped) + " other notification(s) acknowledged on the way)");
  return n;
}

} // namespace sim
