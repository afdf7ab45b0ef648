#include "bench/ecommerce/report.hpp"

#include <cmath>
#include <iomanip>
#include <sstream>

#include <nlohmann/json.hpp>

namespace bench::ceb {

namespace {

/// Issue 18 on a 2-core machine, P-256 signatures.
constexpr double minimum_parcels_per_s = 1417;
constexpr double goal_single_parcels_per_s = 3000;
constexpr double goal_single_share_of_verify = 0.8;
constexpr double goal_batch_parcels_per_s = 6000;
constexpr double open_goal_rate = 1000;
constexpr double open_goal_p99_ms = 100;

std::string fixed(double v, int digits) {
  std::ostringstream s;
  s << std::fixed << std::setprecision(digits) << v;
  return s.str();
}

std::string grouped(double v) {
  auto n = static_cast<long long>(std::llround(v));
  auto s = std::to_string(n < 0 ? -n : n);
  for (int i = static_cast<int>(s.size()) - 3; i > 0; i -= 3)
    s.insert(static_cast<size_t>(i), ",");
  return (n < 0 ? "-" : "") + s;
}

void row(std::ostream& out, const std::string& what, const std::string& value,
         const std::string& note = {}) {
  out << "  " << std::left << std::setw(38) << what << std::right << std::setw(14) << value
      << (note.empty() ? "" : "  " + note) << "\n";
}

std::string verdict(bool ok) { return ok ? "MET" : "NOT MET"; }

bool clean(const phase_report& p) {
  return p.error.empty() && p.load.error.empty() && p.load.refused == 0 && p.load.undecided == 0
         && p.load.hub_rejected == 0 && p.load.document_refusals == 0;
}

nlohmann::json phase_json(const phase_report& p) {
  auto& l = p.load;
  auto refusals = nlohmann::json::array();
  for (auto& f : l.refusals)
    refusals.push_back({{"party", f.party}, {"receipt", f.receipt}, {"status", f.status},
                        {"key", f.key}, {"info", f.info}});
  nlohmann::json j{
    {"phase", p.name}, {"openLoop", p.open_loop}, {"rate", p.rate}, {"batch", p.batch},
    {"window", p.window}, {"signSeconds", p.sign_s}, {"xmlBytes", p.xml_bytes},
    {"probe", to_json(p.probe)}, {"cores", p.cores}, {"verifyLimitParcelsPerS", p.verify_limit},
    {"readerLimitParcelsPerS", p.reader_limit}, {"fsyncBefore", to_json(p.fsync_before)},
    {"partners", l.partners}, {"parcels", l.parcels}, {"messages", l.messages},
    {"documents", l.documents}, {"meanMessageBytes", l.mean_message_bytes},
    {"hubAccepted", l.hub_accepted}, {"hubRejected", l.hub_rejected},
    {"hubDuplicates", l.hub_duplicates}, {"noReceipt", l.no_receipt},
    {"released", l.released}, {"refused", l.refused}, {"undecided", l.undecided},
    {"documentRefusals", l.document_refusals}, {"notifications", l.notifications}, {"ackFrames", l.ack_frames},
    {"cebReturns", l.ceb_returns}, {"sendSeconds", l.send_s}, {"elapsedSeconds", l.elapsed_s},
    {"parcelsPerS", l.parcels_per_s}, {"documentsPerS", l.documents_per_s},
    {"decisionLatency", to_json(l.decision)}, {"hubReceiptLatency", to_json(l.hub_receipt)},
    {"rejectNames", l.reject_names}, {"refusalCodes", l.refusal_codes}, {"refusals", refusals},
    {"cpu", to_json(p.cpu)}, {"commitsPerS", p.commits_per_s},
    {"hubCpuMsPerParcel", p.hub_cpu_ms_per_parcel},
    {"projectedParcelsPerS", p.projected_parcels_per_s}, {"readerShare", p.reader_share},
    {"hub",
     {{"countersFound", p.hub.found}, {"accepted", p.hub.accepted},
      {"rejected", p.hub.rejected}, {"commits", p.hub.commits}, {"busy", p.hub.busy},
      {"exitStatus", p.hub.exit_status}, {"warnings", p.hub.warnings},
      {"errors", p.hub.errors}}}};
  if (!p.error.empty())
    j["error"] = p.error;
  if (!l.error.empty())
    j["loadError"] = l.error;
  if (!p.hub.first_problem.empty())
    j["hub"]["firstProblem"] = p.hub.first_problem;
  return j;
}

void print_probe(std::ostream& out, const phase_report& p) {
  for (size_t k = 0; k < kinds; ++k) {
    auto& v = p.probe.verify[k];
    auto& a = p.probe.parse[k];
    std::string what = std::string{"  "} + to_string(static_cast<kind>(k)) + " ("
                       + std::to_string(v.documents) + " doc, " + grouped(static_cast<double>(v.bytes))
                       + " B)";
    if (!v.error.empty() || !a.error.empty()) {
      row(out, what, "ERROR", v.error.empty() ? a.error : v.error);
      continue;
    }
    row(out, what, fixed(v.us_per_document, 0) + " / " + fixed(a.us_per_document, 0),
        "us per document: verify / adapter parse (" + v.way + ")");
  }
  row(out, "one core: parcels/s by verify alone", grouped(p.probe.verify_parcels_per_core),
      "limit on " + std::to_string(p.cores) + " cores: " + grouped(p.verify_limit));
  row(out, "one core: parcels/s by parse+verify", grouped(p.probe.reader_parcels_per_core),
      "limit on " + std::to_string(p.cores) + " cores: " + grouped(p.reader_limit));
}

} // namespace

void finish_phase(phase_report& p) {
  p.verify_limit = p.probe.verify_parcels_per_core * p.cores;
  p.reader_limit = p.probe.reader_parcels_per_core * p.cores;
  if (p.load.elapsed_s > 0)
    p.commits_per_s = static_cast<double>(p.hub.commits) / p.load.elapsed_s;
  auto decided = static_cast<double>(p.load.released + p.load.refused);
  if (decided > 0 && p.cpu.hub_percent > 0) {
    p.hub_cpu_ms_per_parcel = p.cpu.hub_percent / 100 * p.cpu.seconds * 1000 / decided;
    p.projected_parcels_per_s = p.cores * 1000 / p.hub_cpu_ms_per_parcel;
    if (p.probe.reader_parcels_per_core > 0)
      p.reader_share = 1000 / p.probe.reader_parcels_per_core / p.hub_cpu_ms_per_parcel;
  }
}

void print_machine(std::ostream& out, const machine_info& m, const std::string& dir) {
  out << "== machine\n";
  row(out, "cpu", "", m.cpu_model);
  row(out, "cores (nproc)", std::to_string(m.cores));
  row(out, "memory", fixed(m.memory_gib, 1) + " GiB");
  row(out, "kernel", "", m.kernel);
  row(out, "data dir", "", dir);
  row(out, "filesystem", m.fs_type, m.fs_device + " on " + m.fs_mount);
  row(out, "date", "", m.date);
  row(out, "load average (1/5/15 min)", "", m.load_avg);
}

void print_fsync(std::ostream& out, const fsync_result& f) {
  out << "== fsync probe: pwrite 4 KiB + fdatasync, same filesystem\n";
  if (!f.error.empty())
    out << "  ERROR: " << f.error << "\n";
  row(out, "fdatasync/s", grouped(f.syncs_per_s),
      "p50 " + fixed(f.latency.p50_ms, 3) + " ms, p99 " + fixed(f.latency.p99_ms, 3) + " ms");
  row(out, "LMDB commit ceiling (/2)", grouped(f.syncs_per_s / 2), "commits/s");
}

void print_phase(std::ostream& out, const phase_report& p) {
  auto& l = p.load;
  out << "== " << p.name << ": "
      << (p.batch == 1 ? std::string{"single-document messages"}
                       : std::to_string(p.batch) + "-document batches")
      << ", "
      << (p.open_loop ? "open loop at " + grouped(p.rate) + " parcels/s"
                      : "closed loop, " + std::to_string(p.window) + " messages in flight per partner")
      << "\n";
  row(out, "prepared (generated + signed)", fixed(p.sign_s, 1) + " s",
      "before the timed part; " + fixed(static_cast<double>(p.xml_bytes) / 1048576.0, 1)
        + " MiB of XML");
  out << "  limits on this machine, one core, no hub running:\n";
  print_probe(out, p);
  if (!p.error.empty()) {
    out << "  ERROR: " << p.error << "\n";
    return;
  }
  if (!l.error.empty())
    out << "  LOAD ERROR (figures partial): " << l.error << "\n";
  row(out, "fdatasync/s just before", grouped(p.fsync_before.syncs_per_s));
  row(out, "partners / parcels", std::to_string(l.partners) + " / " + std::to_string(l.parcels));
  row(out, "messages / documents sent", grouped(static_cast<double>(l.messages)) + " / "
                                          + grouped(static_cast<double>(l.documents)),
      "mean payload " + grouped(l.mean_message_bytes) + " B");
  row(out, "hub receipts accepted / rejected", std::to_string(l.hub_accepted) + " / "
                                                 + std::to_string(l.hub_rejected),
      l.no_receipt ? std::to_string(l.no_receipt) + " without a receipt" : "");
  row(out, "parcels released / refused / open", std::to_string(l.released) + " / "
                                                  + std::to_string(l.refused) + " / "
                                                  + std::to_string(l.undecided));
  row(out, "documents refused (any sender)", std::to_string(l.document_refusals));
  row(out, "notifications / ack frames", std::to_string(l.notifications) + " / "
                                           + std::to_string(l.ack_frames));
  for (auto& [code, n] : l.refusal_codes)
    row(out, "  refusal " + code.substr(0, 36), std::to_string(n));
  for (auto& f : l.refusals)
    out << "    " << f.party << " " << f.receipt << " " << f.status << " " << f.key << ": "
        << f.info.substr(0, 200) << "\n";
  for (auto& [name, n] : l.reject_names)
    row(out, "  hub rejected: " + name, std::to_string(n));
  row(out, "last send / last decision", fixed(l.send_s, 2) + " / " + fixed(l.elapsed_s, 2), "s");
  row(out, "parcels/s (decided)", grouped(l.parcels_per_s),
      p.verify_limit > 0 ? fixed(100 * l.parcels_per_s / p.verify_limit, 0) + "% of the verify limit, "
                             + fixed(100 * l.parcels_per_s / p.reader_limit, 0)
                             + "% of parse+verify"
                         : "");
  row(out, "documents/s", grouped(l.documents_per_s));
  row(out, "latency 4th doc -> receipt p50", fixed(l.decision.p50_ms, 1), "ms");
  row(out, "latency p99", fixed(l.decision.p99_ms, 1), "ms");
  row(out, "latency p99.9", fixed(l.decision.p999_ms, 1), "ms");
  row(out, "latency max", fixed(l.decision.max_ms, 1), "ms");
  row(out, "hub receipt p50 / p99", fixed(l.hub_receipt.p50_ms, 1) + " / "
                                      + fixed(l.hub_receipt.p99_ms, 1), "ms, send -> hub receipt");
  row(out, "hub commits / commits/s", grouped(static_cast<double>(p.hub.commits)) + " / "
                                        + grouped(p.commits_per_s),
      "fsync/2 ceiling " + grouped(p.fsync_before.syncs_per_s / 2));
  if (p.hub.warnings + p.hub.errors > 0)
    row(out, "hub log warnings / errors", std::to_string(p.hub.warnings) + " / "
                                            + std::to_string(p.hub.errors),
        p.hub.first_problem.substr(0, 160));
  row(out, "cpu: machine / hub / bench", fixed(p.cpu.machine_percent, 0) + "% / "
                                           + fixed(p.cpu.hub_percent, 0) + "% / "
                                           + fixed(p.cpu.bench_percent, 0) + "%",
      "machine: 100% = all cores; hub, bench: 100% = one core");
  row(out, "cpu: other processes", fixed(p.cpu.others_percent, 0) + "%", "of the machine");
  row(out, "hub cpu per parcel", fixed(p.hub_cpu_ms_per_parcel, 2) + " ms",
      fixed(100 * p.reader_share, 0) + "% of it parse+verify (probed); "
        + std::to_string(p.cores) + " free cores at this cost: "
        + grouped(p.projected_parcels_per_s) + " parcels/s");
  for (size_t i = 0; i < p.cpu.hub_threads.size() && i < 8; ++i) {
    auto& t = p.cpu.hub_threads[i];
    row(out, "  hub thread " + t.name + " (" + std::to_string(t.tid) + ")",
        fixed(t.percent, 0) + "%");
  }
}

void print_summary(std::ostream& out, const run_report& r) {
  bool p256 = r.alg == "p256";
  out << "== summary (" << r.alg << "; " << r.settings << ")\n";
  out << "  " << std::left << std::setw(34) << "figure" << std::right << std::setw(12)
      << "measured" << std::setw(14) << "min / goal" << "  verdict\n";
  auto line = [&out](const std::string& what, const std::string& v, const std::string& g,
                     const std::string& text) {
    out << "  " << std::left << std::setw(34) << what << std::right << std::setw(12) << v
        << std::setw(14) << g << "  " << text << "\n";
  };
  for (auto& p : r.phases) {
    if (!p.error.empty()) {
      line(p.name, "ERROR", "", p.error.substr(0, 80));
      continue;
    }
    auto& l = p.load;
    std::string why = clean(p) ? "" : " (NOT CLEAN: refusals, rejections or open parcels)";
    if (p.open_loop) {
      bool at_goal = std::abs(p.rate - open_goal_rate) < 1;
      line(p.name + ": p99 ms at " + grouped(p.rate) + "/s", fixed(l.decision.p99_ms, 1),
           fixed(open_goal_p99_ms, 0),
           (at_goal ? verdict(l.decision.p99_ms <= open_goal_p99_ms && clean(p))
                    : "(the goal is for " + grouped(open_goal_rate) + "/s)") + why);
      line(p.name + ": parcels/s", grouped(l.parcels_per_s), grouped(p.rate), "");
      continue;
    }
    double goal = p.batch == 1 ? goal_single_parcels_per_s : goal_batch_parcels_per_s;
    line(p.name + ": parcels/s", grouped(l.parcels_per_s),
         grouped(minimum_parcels_per_s) + " / " + grouped(goal),
         (p256 ? "minimum " + verdict(l.parcels_per_s > minimum_parcels_per_s && clean(p))
                   + ", goal " + verdict(l.parcels_per_s >= goal && clean(p))
               : std::string{"(figures are for P-256)"}) + why);
    if (p.batch == 1)
      line(p.name + ": share of verify limit", fixed(100 * l.parcels_per_s / p.verify_limit, 0) + "%",
           fixed(100 * goal_single_share_of_verify, 0) + "%",
           verdict(l.parcels_per_s >= goal_single_share_of_verify * p.verify_limit));
    line(p.name + ": p50 / p99 ms", fixed(l.decision.p50_ms, 1) + "/" + fixed(l.decision.p99_ms, 1),
         "", "");
    line(p.name + ": hub cpu (200% = 2 cores)", fixed(p.cpu.hub_percent, 0) + "%", "",
         "machine " + fixed(p.cpu.machine_percent, 0) + "%, others " + fixed(p.cpu.others_percent, 0) + "%");
    line(p.name + ": projected, cores to itself", grouped(p.projected_parcels_per_s), "",
         fixed(p.hub_cpu_ms_per_parcel, 2) + " ms hub cpu per parcel, "
           + fixed(100 * p.reader_share, 0) + "% of it parse+verify");
  }
  out << "  load average before: " << r.machine.load_avg << "; after: " << r.load_after << "\n";
}

nlohmann::json to_json(const run_report& r) {
  auto phases = nlohmann::json::array();
  for (auto& p : r.phases)
    phases.push_back(phase_json(p));
  return {{"command", r.command}, {"settings", r.settings}, {"swhubd", r.swhubd},
          {"alg", r.alg}, {"machine", bench::to_json(r.machine)},
          {"fsync", bench::to_json(r.fsync)}, {"loadAvgAfter", r.load_after},
          {"phases", phases},
          {"goals",
           {{"minimumParcelsPerS", minimum_parcels_per_s},
            {"singleParcelsPerS", goal_single_parcels_per_s},
            {"singleShareOfVerify", goal_single_share_of_verify},
            {"batchParcelsPerS", goal_batch_parcels_per_s},
            {"openRate", open_goal_rate}, {"openP99Ms", open_goal_p99_ms}}}};
}

} // namespace bench::ceb
