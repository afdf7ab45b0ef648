#include "tools/ceb_bridge/send_command.hpp"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <map>

#include <capnp/message.h>
#include <nlohmann/json.hpp>
#include <zmq.hpp>

#include "actors/core/error.hpp"
#include "actors/core/frames.hpp"
#include "actors/crypto/digest.hpp"
#include "adapters/zmq/client.hpp"
#include "schemas/ecommerce.capnp.h"
#include "tools/ceb_bridge/bridge_state.hpp"
#include "tools/ceb_bridge/ceb_files.hpp"

namespace fs = std::filesystem;
using nlohmann::ordered_json;
using clock_type = std::chrono::steady_clock;

namespace ceb_bridge {

namespace {

void print_line(const ordered_json& j) {
  std::cout << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << std::endl;
}

int print_error(const std::string& name, const std::string& reason) {
  ordered_json j{{"error", name}, {"reason", reason}};
  std::cerr << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << std::endl;
  return exit_failure;
}

/// What to do with one file.
struct planned_file {
  std::string file;
  hub::bytes data;
  std::string sha256, document_type;
  std::string message_id; ///< "" = a fresh one
};

hub::bytes ceb_payload(const hub::bytes& xml) {
  capnp::MallocMessageBuilder mb;
  mb.initRoot<swhub::wire::CebMessage>().setXml(kj::arrayPtr(xml.data(), xml.size()));
  return hub::to_bytes(mb);
}

/// A receipt root from the hub safe to put in a file name.
std::string safe_root(const std::string& name) {
  bool ok = !name.empty() && name.size() <= 40
            && std::all_of(name.begin(), name.end(), [](char c) {
                 return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
               });
  return ok ? name : "receipt";
}

class sender {
public:
  sender(const send_settings& s, bridge_state& st) : s_(s), state_(st) {}

  /// Reads and checks every file, deciding what to send; prints a line for each file
  /// that is not sent.
  std::vector<planned_file> plan(const file_list& files) {
    std::vector<planned_file> out;
    for (auto& m : files.missing)
      skip(m, "skipped", "no such file or folder");
    for (auto& f : files.files) {
      auto r = read_file_bytes(f);
      if (!r.data) {
        skip(f, "skipped", r.error);
        continue;
      }
      auto what = sniff_file(*r.data);
      if (!what.type) {
        skip(f, "skipped", "not a CEB import message: " + what.why_not);
        continue;
      }
      planned_file p;
      p.file = f;
      p.data = std::move(*r.data);
      p.sha256 = hub::to_hex(hub::sha256(p.data.data(), p.data.size()));
      p.document_type = std::string{"ecommerce."} + hub::ceb::short_name(*what.type);
      if (decide(p))
        out.push_back(std::move(p));
    }
    return out;
  }

  /// Sends each planned file; false after a transport failure (the rest is not sent).
  bool send_all(hub::partner_client& c, std::vector<planned_file>& plan) {
    for (size_t i = 0; i < plan.size(); ++i) {
      if (!send_one(c, plan[i])) {
        for (size_t k = i + 1; k < plan.size(); ++k)
          skip(plan[k].file, "not-sent", "not sent: the connection failed before it");
        return false;
      }
    }
    return true;
  }

  /// Writes and acknowledges CEB receipts until every awaited message has its final
  /// receipt (then `settle_ms` more) or the wait ends. False on a disk error.
  bool collect(hub::partner_client& c, std::set<std::string>& awaiting) {
    auto deadline = clock_type::now() + std::chrono::seconds{s_.wait_seconds};
    std::optional<clock_type::time_point> settle_end;
    for (;;) {
      auto now = clock_type::now();
      if (awaiting.empty() && !settle_end)
        settle_end = now + std::chrono::milliseconds{s_.settle_ms};
      auto until = settle_end ? std::min(*settle_end, deadline) : deadline;
      if (now >= until)
        return true;
      auto step = std::min<clock_type::duration>(until - now, std::chrono::milliseconds{250});
      auto n = c.next_notification(std::chrono::duration_cast<std::chrono::milliseconds>(step));
      if (!n) {
        if (hub::is_timeout(n.error()))
          continue;
        print_error("transport_failure", "while waiting for receipts: " + hub::context_text(n.error()));
        return true; // what was written is safe; the next run collects the rest
      }
      if (!handle(c, *n, awaiting))
        return false;
    }
  }

  int failures() const { return failures_; }

private:
  void skip(const std::string& file, const std::string& status, const std::string& reason) {
    ++failures_;
    print_line({{"file", file}, {"status", status}, {"reason", reason}});
  }

  /// False if the file is not to be sent (a line says why).
  bool decide(planned_file& p) {
    auto* prev = state_.for_file(p.file);
    if (prev == nullptr)
      return true;
    bool same = prev->sha256 == p.sha256;
    if (prev->delivered()) {
      if (!same) {
        skip(p.file, "changed",
             "changed since the hub " + prev->status + " it as message " + prev->message_id
               + "; a changed message is a new message: save it under a new name to send it");
        return false;
      }
      print_line({{"file", p.file},
                  {"documentType", prev->document_type},
                  {"messageId", prev->message_id},
                  {"status", "already-sent"},
                  {"reason", "sent before (hub receipt: " + prev->status + "); not sent again"}});
      return false;
    }
    if (!prev->answered) {
      if (!same) {
        skip(p.file, "changed",
             "changed since it was sent as message " + prev->message_id
               + " whose hub receipt was never seen; restore it, or save it under a new name");
        return false;
      }
      p.message_id = prev->message_id; // the hub answers duplicate if it has it
      return true;
    }
    // rejected before
    if (same && prev->retryable) {
      p.message_id = prev->message_id;
      return true;
    }
    if (same) {
      skip(p.file, "rejected-before",
           prev->error_name + ": " + prev->reason + " (fix the file to send it again)");
      return false;
    }
    return true; // fixed after a rejection: a new message
  }

  bool send_one(hub::partner_client& c, planned_file& p) {
    bool fresh = p.message_id.empty();
    auto id = fresh ? hub::random_message_id() : hub::from_hex(p.message_id);
    if (fresh) {
      sent_message m;
      m.file = p.file;
      m.sha256 = p.sha256;
      m.message_id = hub::to_hex(id);
      m.document_type = p.document_type;
      m.party = c.party();
      // Recorded before it goes out: after a crash it is re-sent under this id.
      auto err = state_.record_sent(m);
      if (!err.empty()) {
        print_error("state_file", err);
        return false;
      }
    }
    hub::outgoing doc;
    doc.document_type = p.document_type;
    doc.payload = ceb_payload(p.data);
    doc.message_id = id;
    auto r = c.submit(doc);
    ordered_json line{{"file", p.file},
                      {"documentType", p.document_type},
                      {"messageId", hub::to_hex(id)}};
    if (!r) {
      ++failures_;
      line["status"] = "no-answer";
      line["reason"] = hub::error_name(r.error()) + ": " + hub::context_text(r.error())
                       + " (the next run re-sends it under the same message id)";
      print_line(line);
      return false;
    }
    auto status = hub::to_string(r->status);
    line["status"] = status;
    if (r->status == hub::receipt::rejected) {
      ++failures_;
      line["errorCode"] = r->error_code;
      line["errorName"] = r->error_name;
      line["reason"] = r->reason;
      line["retryable"] = r->retryable;
    } else {
      line["sequence"] = r->sequence;
    }
    auto err = state_.record_answer(hub::to_hex(id), status, r->error_name, r->reason,
                                    r->retryable);
    print_line(line);
    if (!err.empty()) {
      print_error("state_file", err);
      return false;
    }
    return true;
  }

  bool handle(hub::partner_client& c, const hub::notification& n,
              std::set<std::string>& awaiting) {
    if (!n.is_document || n.document_format != "ceb-xml") {
      if (others_.insert(n.id).second)
        print_line({{"notification", n.id},
                    {"status", "not-a-ceb-receipt"},
                    {"reason", "left unacknowledged for the tool that reads it"}});
      return true;
    }
    if (state_.has_notification(n.id)) { // written before a crash, not acknowledged
      c.ack(n.id);
      return true;
    }
    auto subject = hub::to_hex(n.subject_message_id);
    auto* msg = state_.find(subject);
    auto root = safe_root(n.document_name);
    std::string path;
    if (msg != nullptr) {
      auto dir = s_.out_dir.empty() ? fs::path{msg->file}.parent_path().string() : s_.out_dir;
      path = receipt_path(dir, msg->file, root, n.id);
    } else {
      auto base = (fs::path{state_dir()} / "receipts").string();
      path = receipt_path(base, (subject.empty() ? "unknown" : subject) + ".xml", root, n.id);
    }
    if (auto err = write_file_durably(path, n.content); !err.empty()) {
      print_error("write_failure", err + " (the receipt stays at the hub, unacknowledged)");
      return false;
    }
    auto returns = read_returns(n.content);
    bool final_receipt = std::all_of(returns.begin(), returns.end(), [&](const receipt_return& r) {
      return is_final(n.document_name, r.status);
    });
    if (auto err = state_.record_receipt(msg ? subject : "", n.id, n.document_name,
                                         final_receipt, path);
        !err.empty()) {
      print_error("state_file", err);
      return false;
    }
    c.ack(n.id); // only now: the file and its record are on disk
    ordered_json rs = ordered_json::array();
    for (auto& r : returns)
      rs.push_back({{"returnStatus", r.status}, {"returnInfo", r.info}});
    print_line({{"file", msg ? ordered_json(msg->file) : ordered_json(nullptr)},
                {"messageId", subject},
                {"receipt", n.document_name},
                {"notification", n.id},
                {"hubStatus", n.status},
                {"returns", rs},
                {"saved", path}});
    if (msg && final_receipt)
      awaiting.erase(subject);
    return true;
  }

  std::string state_dir() const {
    return fs::path{s_.state.empty() ? default_state_path(s_) : s_.state}.parent_path().string();
  }

  const send_settings& s_;
  bridge_state& state_;
  int failures_ = 0;
  std::set<uint64_t> others_;
};

} // namespace

std::string default_state_path(const send_settings& s) {
  fs::path dir;
  if (!s.out_dir.empty()) {
    dir = s.out_dir;
  } else if (!s.inputs.empty()) {
    std::error_code ec;
    dir = fs::is_directory(s.inputs.front(), ec) ? fs::path{s.inputs.front()}
                                                  : fs::path{s.inputs.front()}.parent_path();
  }
  if (dir.empty())
    dir = ".";
  return (fs::absolute(dir) / ".swhub-ceb.state").lexically_normal().string();
}

int run_send(const send_settings& s) {
  auto state_path = s.state.empty() ? default_state_path(s) : s.state;
  std::string err;
  auto state = bridge_state::open(state_path, err);
  if (!state)
    return print_error("state_file", err);
  sender snd{s, *state};
  auto plan = snd.plan(collect_xml_files(s.inputs));
  // Nothing to send and nothing expected: no connection needed.
  bool any_awaited = false;
  for (auto& [id, m] : state->messages())
    any_awaited = any_awaited || (m.delivered() && !m.final_receipt);
  int rc = exit_ok;
  std::set<std::string> awaiting;
  if (!plan.empty() || any_awaited) {
    auto opts = hub::client_options_from_files(s.endpoint, s.hub_key, s.key, s.sign_key,
                                               s.no_sign);
    if (!opts)
      return print_error(hub::error_name(opts.error()), hub::context_text(opts.error()));
    opts->client_name = "swhub-ceb";
    opts->timeout = std::chrono::milliseconds{s.timeout_ms};
    opts->linger = std::chrono::milliseconds{2000}; // the last acknowledgements get out
    zmq::context_t ctx;
    auto client = hub::partner_client::connect(ctx, *opts);
    if (!client)
      return print_error(hub::error_name(client.error()), hub::context_text(client.error()));
    bool connected = snd.send_all(**client, plan);
    awaiting = state->awaiting((*client)->party());
    if (connected && !snd.collect(**client, awaiting))
      rc = exit_failure;
    if (!connected)
      rc = exit_failure;
    client->reset(); // before the context
  }
  ordered_json waiting = ordered_json::array();
  for (auto& id : awaiting)
    if (auto* m = state->find(id))
      waiting.push_back(m->file);
  print_line({{"summary", {{"failed", snd.failures()}, {"awaitingReceipts", waiting}}}});
  if (rc != exit_ok)
    return rc;
  if (snd.failures() > 0)
    return exit_file_problem;
  return waiting.empty() ? exit_ok : exit_waiting;
}

} // namespace ceb_bridge
