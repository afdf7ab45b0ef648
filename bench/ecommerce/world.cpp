#include "bench/ecommerce/world.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <numeric>
#include <random>
#include <sstream>
#include <thread>

#include <capnp/message.h>
#include <capnp/serialize.h>

#include "actors/core/error.hpp"
#include "schemas/ecommerce.capnp.h"
#include "tools/ceb/parcel_documents.hpp"

namespace bench::ceb {

namespace {

namespace fs = std::filesystem;
namespace docs = hub::ceb_docs;

struct kind_info {
  const char* name;
  const char* role;
  const char* type;
  const char* party_prefix;
  const char* code_prefix; ///< 7 digits; the partner's index makes the last 3
  const char* kinds_toml;
};

constexpr kind_info info[kinds] = {
  {"platform", "platform", "ecommerce.ceb311", "PLT", "3301971", R"(["platform", "ecommerce"])"},
  {"payment", "payment-company", "ecommerce.ceb411", "PAY", "3101972", R"(["payment"])"},
  {"logistics", "logistics-company", "ecommerce.ceb511", "LGS", "3101973", R"(["logistics"])"},
  {"agent", "declaring-agent", "ecommerce.ceb621", "AGT", "3101974",
   R"(["agent", "guarantor"])"},
};

std::string numbered(const char* prefix, size_t width, uint64_t n) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s%0*llu", prefix, static_cast<int>(width),
                static_cast<unsigned long long>(n));
  return buf;
}

std::vector<uint8_t> ceb_payload(const std::string& xml) {
  capnp::MallocMessageBuilder mb;
  mb.initRoot<swhub::wire::CebMessage>().setXml(
    kj::arrayPtr(reinterpret_cast<const uint8_t*>(xml.data()), xml.size()));
  auto words = capnp::messageToFlatArray(mb);
  auto b = words.asBytes();
  return {b.begin(), b.end()};
}

/// The parcel's four documents all describe the same sale: one buyer (its own id), one
/// item of CNY 300, the partners its index picks.
docs::parcel make_parcel(const world& w, const std::string& prefix, size_t i) {
  docs::parcel p;
  p.order_no = numbered(prefix.c_str(), 10, i);
  p.logistics_no = numbered(("L" + prefix).c_str(), 10, i);
  p.pay_transaction_id = numbered(("P" + prefix).c_str(), 10, i);
  p.buyer_id = numbered("110101", 12, i);
  p.buyer_phone = numbered("139", 8, i % 100000000);
  auto pick = [&](kind k) { auto v = w.of(k); return v[i % v.size()]; };
  p.ebp = p.ebc = pick(kind::platform)->code;
  p.pay = pick(kind::payment)->code;
  p.logistics = pick(kind::logistics)->code;
  p.agent = p.assure = pick(kind::agent)->code;
  return p;
}

std::string message_xml(kind k, const std::vector<docs::parcel>& batch, const docs::transfer& t) {
  switch (k) {
    case kind::platform: return docs::order_message(batch, t);
    case kind::payment: return docs::payment_message(batch, t);
    case kind::logistics: return docs::waybill_message(batch, t);
    case kind::agent: break;
  }
  return docs::inventory_message(batch, t);
}

/// A random order of 0..n-1 in which no element moves out of its block of `window`.
std::vector<uint32_t> block_shuffle(size_t n, size_t window, std::mt19937_64& rng) {
  std::vector<uint32_t> v(n);
  std::iota(v.begin(), v.end(), 0u);
  window = std::max<size_t>(window, 1);
  for (size_t b = 0; b < n; b += window)
    std::shuffle(v.begin() + static_cast<ptrdiff_t>(b),
                 v.begin() + static_cast<ptrdiff_t>(std::min(n, b + window)), rng);
  return v;
}

} // namespace

const char* to_string(kind k) { return info[static_cast<size_t>(k)].name; }
const char* role_of(kind k) { return info[static_cast<size_t>(k)].role; }
const char* document_type(kind k) { return info[static_cast<size_t>(k)].type; }

std::vector<const partner*> world::of(kind k) const {
  std::vector<const partner*> out;
  for (auto& p : partners)
    if (p.k == k)
      out.push_back(&p);
  return out;
}

world make_world(const world_settings& s, const std::string& dir, std::string& error) {
  world w;
  w.method = s.key == hub::ceb::signer_key::sm2 ? hub::ceb::dsig_method::sm2_sm3
                                                : hub::ceb::dsig_method::ecdsa_p256_sha256;
  std::error_code ec;
  fs::create_directories(dir, ec);
  size_t counts[kinds] = {s.platforms, s.payments, s.logistics, s.agents};
  for (size_t k = 0; k < kinds; ++k) {
    for (size_t i = 0; i < counts[k]; ++i) {
      partner p;
      p.k = static_cast<kind>(k);
      p.index = i;
      p.party = numbered((std::string{info[k].party_prefix} + "-BENCH-").c_str(), 2, i + 1);
      p.code = numbered(info[k].code_prefix, 3, i + 1);
      p.dxp_id = numbered("DXPENT", 10, 1000 * (k + 1) + i + 1);
      auto curve = hub::generate_curve_keypair();
      if (!curve) {
        error = "CURVE key for " + p.party + ": " + hub::context_text(curve.error());
        return {};
      }
      p.curve = *curve;
      auto id = hub::ceb::make_test_identity(s.key, p.party);
      if (!id) {
        error = "signing identity for " + p.party + ": " + id.error;
        return {};
      }
      p.identity = *id.identity;
      p.cert_file = dir + "/" + p.party + ".cert.pem";
      std::ofstream{p.cert_file} << p.identity.cert_pem;
      w.partners.push_back(std::move(p));
    }
  }
  return w;
}

std::string write_ecommerce_toml(const world& w, const std::string& dir) {
  std::ostringstream t;
  // One buyer per parcel and a guarantee no run exhausts: the bench measures the
  // documents' path, not a limit. A long window: nothing expires during a run.
  t << "customs-code = \"2249\"\n\n[matching]\nwindow-minutes = 4320\n"
    << "expiry-check-seconds = 60\n\n[quota]\nper-transaction = \"5000\"\n"
    << "per-year = \"26000\"\nsecret-file = '" << dir << "/quota.key'\n\n"
    << "[tax]\nvat = \"13\"\nduty = \"0\"\nconsumption = \"0\"\n\n";
  for (auto& p : w.partners) {
    auto& k = info[static_cast<size_t>(p.k)];
    t << "[[enterprise]]\ncode = \"" << p.code << "\"\nname = \"Bench " << k.name << " "
      << p.party << "\"\nkinds = " << k.kinds_toml << "\nparty = \"" << p.party
      << "\"\ndxp-id = \"" << p.dxp_id << "\"\ncertificate-file = '" << p.cert_file << "'\n";
    if (p.k == kind::agent)
      t << "guarantee = \"1000000000\"\n";
    t << "\n";
  }
  auto path = dir + "/ecommerce.toml";
  std::ofstream{path} << t.str();
  return path;
}

std::string hub_extra_toml(const world& w, const std::string& ecommerce_toml) {
  std::ostringstream t;
  t << "[ecommerce]\nconfig = '" << ecommerce_toml << "'\n";
  for (auto& p : w.partners)
    t << "\n[[party]]\nid = \"" << p.party << "\"\nrole = \"" << role_of(p.k)
      << "\"\nname = \"Bench " << p.party << "\"\ncurve-public-key = \"" << p.curve.public_z85
      << "\"\n";
  return t.str();
}

phase_plan make_plan(const world& w, const plan_settings& s) {
  phase_plan out;
  out.prefix = s.prefix;
  out.parcels = s.parcels;
  auto t0 = std::chrono::steady_clock::now();
  std::mt19937_64 rng{s.seed};
  std::vector<docs::parcel> parcels;
  parcels.reserve(s.parcels);
  for (size_t i = 0; i < s.parcels; ++i)
    parcels.push_back(make_parcel(w, s.prefix, i));
  out.fourth_planned_s.assign(s.parcels, 0);
  // What each partner sends, as (parcels, planned time) groups; the XML comes after.
  struct job {
    size_t plan;
    size_t message;
  };
  std::vector<job> jobs;
  for (size_t k = 0; k < kinds; ++k) {
    auto who = w.of(static_cast<kind>(k));
    auto order = block_shuffle(s.parcels, s.shuffle_window, rng);
    // position in the kind's sequence -> due time (open loop: the kind sends at `rate`)
    std::vector<std::vector<std::pair<uint32_t, double>>> per(who.size());
    for (size_t pos = 0; pos < order.size(); ++pos) {
      auto parcel = order[pos];
      per[parcel % who.size()].push_back(
        {parcel, s.rate > 0 ? static_cast<double>(pos) / s.rate : 0});
    }
    for (size_t c = 0; c < who.size(); ++c) {
      partner_plan pp;
      pp.who = who[c];
      // Open loop with batches: a partner's batch is full every `period` seconds;
      // partner i of n sends i/n of a period later, unless lockstep.
      double period = s.rate > 0 ? static_cast<double>(s.batch * who.size()) / s.rate : 0;
      double phase = s.batch > 1 && !s.lockstep
                       ? period * static_cast<double>(out.plans.size())
                           / static_cast<double>(w.partners.size())
                       : 0;
      for (size_t b = 0; b < per[c].size(); b += s.batch) {
        prepared m;
        for (size_t j = b; j < std::min(per[c].size(), b + s.batch); ++j) {
          m.parcels.push_back(per[c][j].first);
          m.planned_s = std::max(m.planned_s, per[c][j].second); // due when its last doc is
        }
        m.planned_s += phase;
        for (auto p : m.parcels)
          out.fourth_planned_s[p] = std::max(out.fourth_planned_s[p], m.planned_s);
        pp.documents += m.parcels.size();
        pp.messages.push_back(std::move(m));
      }
      out.plans.push_back(std::move(pp));
    }
  }
  for (size_t p = 0; p < out.plans.size(); ++p)
    for (size_t m = 0; m < out.plans[p].messages.size(); ++m)
      jobs.push_back({p, m});
  // Generate and sign on `threads` threads; every message is independent.
  std::atomic<size_t> next{0};
  std::vector<std::string> errors(std::max(1u, s.threads));
  std::vector<uint64_t> xml_bytes(out.plans.size(), 0);
  std::vector<std::string> sample_text(out.plans.size());
  std::vector<std::thread> pool;
  std::mutex bytes_mutex;
  for (unsigned t = 0; t < std::max(1u, s.threads); ++t) {
    pool.emplace_back([&, t] {
      for (size_t j; (j = next.fetch_add(1)) < jobs.size() && errors[t].empty();) {
        auto& pp = out.plans[jobs[j].plan];
        auto& m = pp.messages[jobs[j].message];
        std::vector<docs::parcel> batch;
        for (auto p : m.parcels)
          batch.push_back(parcels[p]);
        docs::transfer tr{pp.who->code, "SAMPLE", pp.who->dxp_id, ""};
        auto xml = message_xml(pp.who->k, batch, tr);
        auto r = hub::ceb::sign_enveloped(hub::ceb::bytes(xml.begin(), xml.end()),
                                          pp.who->identity.key_pem, pp.who->identity.cert_pem,
                                          w.method, hub::ceb::dsig_style::real_signer, false);
        if (!r) {
          errors[t] = "signing a message of " + pp.who->party + ": " + r.error;
          return;
        }
        std::string signed_xml(r.xml.begin(), r.xml.end());
        m.payload = ceb_payload(signed_xml);
        std::lock_guard<std::mutex> lock{bytes_mutex};
        xml_bytes[jobs[j].plan] += r.xml.size();
        if (jobs[j].message == 0)
          sample_text[jobs[j].plan] = std::move(signed_xml);
      }
    });
  }
  for (auto& t : pool)
    t.join();
  for (auto& e : errors)
    if (!e.empty() && out.error.empty())
      out.error = e;
  for (size_t p = 0; p < out.plans.size(); ++p)
    out.plans[p].xml_bytes = xml_bytes[p];
  for (size_t p = 0; p < out.plans.size() && out.error.empty(); ++p) {
    auto k = static_cast<size_t>(out.plans[p].who->k);
    if (!out.sample_xml[k].empty() || out.plans[p].messages.empty())
      continue;
    out.sample_who[k] = out.plans[p].who;
    out.sample_xml[k] = sample_text[p];
  }
  out.sign_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return out;
}

int64_t parcel_of(const std::string& cop_no, const std::string& prefix) {
  if (cop_no.size() != prefix.size() + 10 || cop_no.compare(0, prefix.size(), prefix) != 0)
    return -1;
  int64_t n = 0;
  for (size_t i = prefix.size(); i < cop_no.size(); ++i) {
    if (cop_no[i] < '0' || cop_no[i] > '9')
      return -1;
    n = n * 10 + (cop_no[i] - '0');
  }
  return n;
}

} // namespace bench::ceb
