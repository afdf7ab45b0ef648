#include "bench/ingest/report.hpp"

#include <algorithm>
#include <cstdio>
#include <iomanip>
#include <sstream>

#include <nlohmann/json.hpp>

namespace bench {

namespace {

std::string fixed(double v, int digits) {
  std::ostringstream s;
  s << std::fixed << std::setprecision(digits) << v;
  return s.str();
}

/// Thousands separators: 20,000 reads better than 20000 in a table.
std::string grouped(double v) {
  auto n = static_cast<long long>(v + 0.5);
  auto s = std::to_string(n < 0 ? -n : n);
  for (int i = static_cast<int>(s.size()) - 3; i > 0; i -= 3)
    s.insert(static_cast<size_t>(i), ",");
  return (n < 0 ? "-" : "") + s;
}

const phase_report* find_phase(const run_report& r, const std::string& name) {
  for (auto& p : r.phases)
    if (p.load.name == name && p.error.empty())
      return &p;
  return nullptr;
}

void row(std::ostream& out, const std::string& what, const std::string& value,
         const std::string& note = {}) {
  out << "  " << std::left << std::setw(36) << what << std::right << std::setw(14) << value
      << (note.empty() ? "" : "  " + note) << "\n";
}

std::string verdict(bool ok) {
  return ok ? "MET" : "NOT MET";
}

nlohmann::json phase_json(const phase_report& p) {
  auto& l = p.load;
  nlohmann::json j{{"phase", l.name},
                   {"connections", l.connections},
                   {"plannedRate", l.planned_rate},
                   {"planned", l.planned},
                   {"sent", l.sent},
                   {"accepted", l.accepted},
                   {"rejected", l.rejected},
                   {"duplicates", l.duplicates},
                   {"unmatched", l.unmatched},
                   {"lost", l.lost},
                   {"sendSeconds", l.send_s},
                   {"elapsedSeconds", l.elapsed_s},
                   {"docsPerS", l.docs_per_s},
                   {"meanFrameBytes", l.mean_frame_bytes},
                   {"latency", to_json(l.latency)},
                   {"rejectNames", l.reject_names},
                   {"hub",
                    {{"countersFound", p.hub.found},
                     {"accepted", p.hub.accepted},
                     {"duplicates", p.hub.duplicates},
                     {"rejected", p.hub.rejected},
                     {"commits", p.hub.commits},
                     {"busy", p.hub.busy},
                     {"exitStatus", p.hub.exit_status},
                     {"warnings", p.hub.warnings},
                     {"errors", p.hub.errors}}},
                   {"loadCommits", p.load_commits},
                   {"commitsPerS", p.commits_per_s},
                   {"meanBatch", p.mean_batch},
                   {"cpu", to_json(p.cpu)},
                   {"fsyncBefore", to_json(p.fsync_before)}};
  if (!l.error.empty())
    j["loadError"] = l.error;
  if (!p.error.empty())
    j["error"] = p.error;
  if (!l.first_reject_reason.empty())
    j["firstRejectReason"] = l.first_reject_reason;
  if (!p.hub.first_problem.empty())
    j["hub"]["firstProblem"] = p.hub.first_problem;
  return j;
}

std::string mib(uint64_t bytes) {
  return fixed(static_cast<double>(bytes) / (1024.0 * 1024.0), 1);
}

/// Write volume: per commit and per document it shows the write amplification that
/// makes a commit slow even when the sync rate is high.
void print_writes(std::ostream& out, const phase_report& p) {
  auto per = [](uint64_t bytes, uint64_t n, double unit) {
    return n ? fixed(static_cast<double>(bytes) / unit / static_cast<double>(n), 0) : "-";
  };
  double secs = p.cpu.seconds > 0 ? p.cpu.seconds : 1;
  row(out, "hub write() bytes (LMDB pages)", mib(p.cpu.hub_wchar) + " MiB",
      fixed(static_cast<double>(p.cpu.hub_wchar) / 1048576.0 / secs, 1) + " MiB/s; "
        + per(p.cpu.hub_wchar, p.load_commits, 1024) + " KiB/commit; "
        + per(p.cpu.hub_wchar, p.hub.accepted, 1) + " B/doc");
  row(out, "hub dirtied page cache", mib(p.cpu.hub_write_bytes) + " MiB",
      "write_bytes; counts whole folios, an upper bound");
  row(out, "disk writes (machine-wide)", mib(p.cpu.disk_write_bytes) + " MiB",
      fixed(static_cast<double>(p.cpu.disk_write_bytes) / 1048576.0 / secs, 1) + " MiB/s");
}

} // namespace

void finish_phase(phase_report& p, uint64_t idle_commits) {
  // swhubd commits at start-up (the party registry) before any partner connects.
  p.load_commits = p.hub.commits - std::min(p.hub.commits, idle_commits);
  if (p.load.elapsed_s > 0)
    p.commits_per_s = static_cast<double>(p.load_commits) / p.load.elapsed_s;
  if (p.load_commits > 0)
    p.mean_batch = static_cast<double>(p.hub.accepted) / static_cast<double>(p.load_commits);
}

void print_machine(std::ostream& out, const machine_info& m, const std::string& data_dir) {
  out << "== machine\n";
  row(out, "cpu", "", m.cpu_model);
  row(out, "cores (nproc)", std::to_string(m.cores));
  row(out, "memory", fixed(m.memory_gib, 1) + " GiB");
  row(out, "kernel", "", m.kernel);
  row(out, "data dir", "", data_dir);
  row(out, "filesystem", m.fs_type, m.fs_device + " on " + m.fs_mount);
  row(out, "date", "", m.date);
  row(out, "load average (1/5/15 min)", "", m.load_avg);
}

void print_fsync(std::ostream& out, const fsync_result& f) {
  out << "== fsync probe: pwrite 4 KiB + fdatasync, same filesystem\n";
  if (!f.error.empty())
    out << "  ERROR: " << f.error << "\n";
  row(out, "syncs", std::to_string(f.syncs), "in " + fixed(f.seconds, 2) + " s");
  row(out, "fdatasync/s", grouped(f.syncs_per_s));
  row(out, "LMDB commit ceiling (/2)", grouped(f.syncs_per_s / 2), "commits/s");
  row(out, "latency p50 / p99", fixed(f.latency.p50_ms, 3) + " / " + fixed(f.latency.p99_ms, 3),
      "ms");
  row(out, "synced 1 MiB writes", fixed(f.big_mib_per_s, 0) + " MiB/s",
      "pwrite 1 MiB + fdatasync");
}

void print_phase(std::ostream& out, const phase_report& p) {
  auto& l = p.load;
  out << "== " << (l.name == "open" ? "open loop at " + grouped(l.planned_rate) + "/s"
                                    : std::string{"closed loop at maximum"})
      << ", " << l.connections << " connections\n";
  if (!p.error.empty()) {
    out << "  ERROR: " << p.error << "\n";
    return;
  }
  if (!l.error.empty())
    out << "  LOAD ERROR (figures partial): " << l.error << "\n";
  row(out, "fdatasync/s just before", grouped(p.fsync_before.syncs_per_s),
      "p99 " + fixed(p.fsync_before.latency.p99_ms, 2) + " ms");
  if (l.name == "open")
    row(out, "planned", std::to_string(l.planned));
  row(out, "sent", std::to_string(l.sent), "mean frame " + fixed(l.mean_frame_bytes, 0) + " B");
  row(out, "accepted", std::to_string(l.accepted));
  row(out, "rejected", std::to_string(l.rejected),
      l.first_reject_reason.empty() ? "" : "first: " + l.first_reject_reason.substr(0, 120));
  if (l.duplicates + l.unmatched > 0)
    row(out, "duplicates / unmatched", std::to_string(l.duplicates) + " / "
                                         + std::to_string(l.unmatched));
  row(out, "lost (no receipt)", std::to_string(l.lost));
  row(out, "send window / until last receipt", fixed(l.send_s, 2) + " / " + fixed(l.elapsed_s, 2),
      "s");
  row(out, "docs/s (accepted)", grouped(l.docs_per_s));
  row(out, "receipt latency p50", fixed(l.latency.p50_ms, 2), "ms");
  row(out, "receipt latency p99", fixed(l.latency.p99_ms, 2), "ms");
  row(out, "receipt latency p99.9", fixed(l.latency.p999_ms, 2), "ms");
  row(out, "receipt latency max", fixed(l.latency.max_ms, 2), "ms");
  if (!p.hub.found)
    out << "  (no \"stopped:\" counters in the hub log; exit status " << p.hub.exit_status
        << ")\n";
  row(out, "hub: accepted / rejected / busy", std::to_string(p.hub.accepted) + " / "
                                                + std::to_string(p.hub.rejected) + " / "
                                                + std::to_string(p.hub.busy),
      "busy: refused at the gateway (admission control)");
  row(out, "hub: commits (load)", std::to_string(p.load_commits));
  row(out, "commits/s", grouped(p.commits_per_s));
  row(out, "mean batch (docs/commit)", fixed(p.mean_batch, 1));
  print_writes(out, p);
  if (p.hub.warnings + p.hub.errors > 0)
    row(out, "hub log warnings / errors", std::to_string(p.hub.warnings) + " / "
                                            + std::to_string(p.hub.errors),
        p.hub.first_problem.substr(0, 160));
  row(out, "cpu: machine / hub / bench", fixed(p.cpu.machine_percent, 0) + "% / "
                                           + fixed(p.cpu.hub_percent, 0) + "% / "
                                           + fixed(p.cpu.bench_percent, 0) + "%",
      "machine: 100% = all cores; hub, bench: 100% = one core");
  row(out, "cpu: other processes", fixed(p.cpu.others_percent, 0) + "%",
      "of the machine, used by neither hub nor bench during the phase");
  for (size_t i = 0; i < p.cpu.hub_threads.size() && i < 8; ++i) {
    auto& t = p.cpu.hub_threads[i];
    row(out, "  hub thread " + t.name + " (" + std::to_string(t.tid) + ")",
        fixed(t.percent, 0) + "%");
  }
}

void print_summary(std::ostream& out, const run_report& r) {
  auto* open = find_phase(r, "open");
  auto* closed = find_phase(r, "closed");
  /// The LMDB ceiling next to a phase: half the sync rate measured just before it.
  auto ceiling_of = [](const phase_report* p) { return p->fsync_before.syncs_per_s / 2; };
  out << "== summary (" << r.settings << ")\n";
  out << "  " << std::left << std::setw(28) << "figure" << std::right << std::setw(12)
      << "measured" << std::setw(14) << "goal/ceiling" << "  verdict\n";
  auto line = [&out](const std::string& what, const std::string& v, const std::string& g,
                     const std::string& verdict_text) {
    out << "  " << std::left << std::setw(28) << what << std::right << std::setw(12) << v
        << std::setw(14) << g << "  " << verdict_text << "\n";
  };
  line("fdatasync/s (start of run)", grouped(r.fsync.syncs_per_s), "", "");
  line("synced MiB/s (1 MiB writes)", fixed(r.fsync.big_mib_per_s, 0), "", "");
  if (closed) {
    line("closed: docs/s", grouped(closed->load.docs_per_s), grouped(r.goal.closed_docs_per_s),
         verdict(closed->load.docs_per_s >= r.goal.closed_docs_per_s));
    line("closed: p99 ms", fixed(closed->load.latency.p99_ms, 2), "", "");
    double ceiling = ceiling_of(closed);
    line("closed: commits/s", grouped(closed->commits_per_s), grouped(ceiling),
         fixed(ceiling > 0 ? 100 * closed->commits_per_s / ceiling : 0, 0)
           + "% of fsync/2 (measured before the phase)");
    line("closed: mean batch", fixed(closed->mean_batch, 1), "", "");
  }
  if (open) {
    bool at_goal_rate = std::abs(open->load.planned_rate - r.goal.open_rate) < 1;
    line("open " + grouped(open->load.planned_rate) + "/s: docs/s", grouped(open->load.docs_per_s),
         grouped(open->load.planned_rate), "");
    line("open: p99 ms", fixed(open->load.latency.p99_ms, 2), fixed(r.goal.open_p99_ms, 0),
         at_goal_rate ? verdict(open->load.latency.p99_ms <= r.goal.open_p99_ms
                                && open->load.lost == 0)
                      : "(goal is for " + grouped(r.goal.open_rate) + "/s)");
    line("open: p99.9 / max ms", fixed(open->load.latency.p999_ms, 1) + "/"
                                   + fixed(open->load.latency.max_ms, 0), "", "");
    double ceiling = ceiling_of(open);
    line("open: commits/s", grouped(open->commits_per_s), grouped(ceiling),
         fixed(ceiling > 0 ? 100 * open->commits_per_s / ceiling : 0, 0)
           + "% of fsync/2 (measured before the phase)");
    line("open: mean batch", fixed(open->mean_batch, 1), "", "");
  }
  for (auto& p : r.phases)
    out << "  " << p.load.name << " phase: machine " << fixed(p.cpu.machine_percent, 0)
        << "% busy, other processes " << fixed(p.cpu.others_percent, 0) << "% of it\n";
  out << "  load average before: " << r.machine.load_avg << "; after: " << r.load_after << "\n";
}

nlohmann::json to_json(const run_report& r) {
  auto phases = nlohmann::json::array();
  for (auto& p : r.phases)
    phases.push_back(phase_json(p));
  nlohmann::json goals{{"closedDocsPerS", r.goal.closed_docs_per_s},
                       {"openRate", r.goal.open_rate},
                       {"openP99Ms", r.goal.open_p99_ms}};
  nlohmann::json j{{"command", r.command},       {"settings", r.settings},
                   {"swhubd", r.swhubd},         {"machine", to_json(r.machine)},
                   {"loadAvgAfter", r.load_after}, {"fsync", to_json(r.fsync)},
                   {"lmdbCommitCeiling", r.fsync.syncs_per_s / 2},
                   {"idleCommits", r.idle_commits},
                   {"phases", phases},           {"goals", goals}};
  if (auto* c = find_phase(r, "closed"))
    j["goalClosedDocsPerSMet"] = c->load.docs_per_s >= r.goal.closed_docs_per_s;
  if (auto* o = find_phase(r, "open"); o && std::abs(o->load.planned_rate - r.goal.open_rate) < 1)
    j["goalOpenP99Met"] = o->load.latency.p99_ms <= r.goal.open_p99_ms && o->load.lost == 0;
  return j;
}

} // namespace bench
