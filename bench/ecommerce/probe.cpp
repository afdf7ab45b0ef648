#include "bench/ecommerce/probe.hpp"

#include <chrono>
#include <ctime>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <nlohmann/json.hpp>

#include "adapters/ceb/ceb_message.hpp"
#include "adapters/ceb/xml_signature.hpp"

namespace bench::ceb {

namespace {

using clock_type = std::chrono::steady_clock;

double thread_cpu_s() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

/// Runs `one` (false: failed) in a loop for about `seconds`. The rate is per second of
/// this thread's CPU time: on a shared machine the wall clock would charge the probe
/// for other processes' time slices.
template <class F>
void loop(rate_probe& r, double seconds, F one) {
  auto cpu0 = thread_cpu_s();
  auto start = clock_type::now();
  auto end = start + std::chrono::duration_cast<clock_type::duration>(
                       std::chrono::duration<double>(seconds));
  do {
    for (int i = 0; i < 8; ++i, ++r.loops)
      if (!one())
        return;
  } while (clock_type::now() < end);
  r.seconds = std::chrono::duration<double>(clock_type::now() - start).count();
  r.cpu_seconds = thread_cpu_s() - cpu0;
  r.messages_per_s = static_cast<double>(r.loops) / r.cpu_seconds;
  r.us_per_document = 1e6 / r.messages_per_s / static_cast<double>(r.documents ? r.documents : 1);
}

rate_probe probe_verify(const std::string& xml, const partner& who, size_t docs, double seconds) {
  rate_probe r;
  r.documents = docs;
  r.bytes = xml.size();
  auto id = hub::ceb::signer_identity::from_pem(who.identity.cert_pem);
  if (!id) {
    r.error = "certificate of " + who.party + ": " + id.error;
    return r;
  }
  loop(r, seconds, [&] {
    xmlDocPtr doc = xmlReadMemory(xml.data(), static_cast<int>(xml.size()), "message.xml",
                                  nullptr, XML_PARSE_NONET);
    if (doc == nullptr) {
      r.error = "xmlReadMemory failed on the sample message";
      return false;
    }
    auto check = hub::ceb::verify_enveloped(doc, *id.identity);
    xmlFreeDoc(doc);
    if (!check.ok()) {
      r.error = std::string{to_string(check.fault)} + ": " + check.detail;
      return false;
    }
    r.way = check.way;
    return true;
  });
  return r;
}

rate_probe probe_parse(const std::string& xml, size_t docs, double seconds) {
  rate_probe r;
  r.documents = docs;
  r.bytes = xml.size();
  hub::ceb::limits lim;
  loop(r, seconds, [&] {
    auto p = hub::ceb::parse(reinterpret_cast<const uint8_t*>(xml.data()), xml.size(), lim);
    if (!p.msg) {
      r.error = p.refusal.element + ": " + p.refusal.detail;
      return false;
    }
    for (auto& d : p.msg->documents)
      if (d.error) {
        r.error = "document " + std::to_string(d.index) + ": " + d.error->element + ": "
                  + d.error->detail;
        return false;
      }
    return true;
  });
  return r;
}

} // namespace

shape_probe probe_shape(const phase_plan& plan, double seconds_each) {
  shape_probe s;
  double verify_us = 0, parse_us = 0;
  for (size_t k = 0; k < kinds; ++k) {
    auto* who = plan.sample_who[k];
    if (who == nullptr) {
      s.verify[k].error = s.parse[k].error = "no sample message";
      continue;
    }
    size_t docs = 0;
    for (auto& pp : plan.plans)
      if (pp.who == who && !pp.messages.empty())
        docs = pp.messages.front().parcels.size();
    s.verify[k] = probe_verify(plan.sample_xml[k], *who, docs, seconds_each);
    s.parse[k] = probe_parse(plan.sample_xml[k], docs, seconds_each);
    verify_us += s.verify[k].us_per_document;
    parse_us += s.parse[k].us_per_document;
  }
  if (verify_us > 0)
    s.verify_parcels_per_core = 1e6 / verify_us;
  if (parse_us > 0)
    s.parse_parcels_per_core = 1e6 / parse_us;
  if (verify_us + parse_us > 0)
    s.reader_parcels_per_core = 1e6 / (verify_us + parse_us);
  return s;
}

nlohmann::json to_json(const rate_probe& r) {
  nlohmann::json j{{"documents", r.documents}, {"bytes", r.bytes},
                   {"loops", r.loops},         {"seconds", r.seconds}, {"cpuSeconds", r.cpu_seconds},
                   {"messagesPerS", r.messages_per_s}, {"usPerDocument", r.us_per_document}};
  if (!r.way.empty())
    j["way"] = r.way;
  if (!r.error.empty())
    j["error"] = r.error;
  return j;
}

nlohmann::json to_json(const shape_probe& s) {
  auto verify = nlohmann::json::object(), parse = nlohmann::json::object();
  for (size_t k = 0; k < kinds; ++k) {
    verify[to_string(static_cast<kind>(k))] = to_json(s.verify[k]);
    parse[to_string(static_cast<kind>(k))] = to_json(s.parse[k]);
  }
  return {{"verify", verify},
          {"parse", parse},
          {"verifyParcelsPerCore", s.verify_parcels_per_core},
          {"parseParcelsPerCore", s.parse_parcels_per_core},
          {"readerParcelsPerCore", s.reader_parcels_per_core}};
}

} // namespace bench::ceb
