#include "tools/foreign/aeo_json.hpp"

#include "actors/mra/operator_ids.hpp"

#include <cctype>
#include <cstdint>
#include <set>

#include <capnp/message.h>

#include "actors/core/frames.hpp"
#include "schemas/foreign.capnp.h"

namespace foreign {

namespace {

constexpr const char* statuses[] = {"valid", "suspended", "revoked", "withdrawn"};

/// Versions the hub takes: > 0 and below 2^53 (docs/protocol.md).
constexpr uint64_t version_limit = uint64_t{1} << 53;

int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

bool digits(const std::string& s, size_t pos, size_t n, int& out) {
  if (pos + n > s.size())
    return false;
  out = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(s[i])))
      return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

/// A date: ISO 8601 text or Unix ms.
std::optional<int64_t> read_time(const nlohmann::json& v) {
  if (v.is_number_unsigned() && v.get<uint64_t>() > uint64_t{INT64_MAX})
    return std::nullopt;
  if (v.is_number_integer())
    return v.get<int64_t>();
  if (v.is_string())
    return parse_iso8601(v.get<std::string>());
  return std::nullopt;
}

bool read_text(const nlohmann::json& j, const char* key, std::string& out, std::string& error,
               bool required) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) {
    if (required)
      error = std::string{"\""} + key + "\" is missing";
    return !required;
  }
  if (!it->is_string()) {
    error = std::string{"\""} + key + "\" is not a string";
    return false;
  }
  out = it->get<std::string>();
  if (required && out.empty()) {
    error = std::string{"\""} + key + "\" is empty";
    return false;
  }
  return true;
}

/// The hub's text_field (actors/foreign/foreign_documents.cpp).
std::string text_problem(const std::string& text, const std::string& field, size_t max,
                         bool needed) {
  if (text.empty())
    return needed ? field + " is empty" : std::string{};
  if (text.size() > max)
    return field + " is longer than " + std::to_string(max) + " bytes";
  if (hub::valid_utf8(text) != text || text.find('\0') != std::string::npos)
    return field + " is not UTF-8 text (or has a NUL in it)";
  return {};
}

} // namespace

bool known_id_scheme(const std::string& scheme) { return hub::mra::id_scheme_from_string(scheme).has_value(); }

std::string record_problem(const aeo_record& r, const std::string& id_scheme) {
  for (auto& p : {text_problem(r.id, "\"AEOIdentifier\"", 35, true),
                  text_problem(r.name, "\"Name\"", 512, true),
                  text_problem(r.address, "\"Address\"", 512, false),
                  text_problem(r.programme, "\"AuthorisationType\"", 64, false),
                  text_problem(r.reason, "\"Reason\"", 512, false)})
    if (!p.empty())
      return p;
  if (r.status > 3)
    return "\"AEOStatusCode\" is not one of valid, suspended, revoked, withdrawn";
  if (r.version == 0 || r.version >= version_limit)
    return "\"Version\" is not an integer from 1 to 2^53-1";
  if (r.validated_at < 0)
    return "\"AuthorisationDate\" is before 1970";
  if (r.changed_at < 0)
    return "\"ChangeDateTime\" is before 1970";
  if (r.extras.size() > 20)
    return "\"Additional\" has more than 20 entries";
  for (auto& [k, v] : r.extras) {
    auto at = "\"Additional\".\"" + hub::valid_utf8(k.substr(0, 64)) + "\"";
    if (auto p = text_problem(k, at + " (its key)", 64, true); !p.empty())
      return p;
    if (auto p = text_problem(v, at, 512, false); !p.empty())
      return p;
  }
  auto scheme = hub::mra::id_scheme_from_string(id_scheme);
  if (auto why = scheme ? hub::mra::id_problem(*scheme, r.id) : std::string{"unknown --id-scheme"}; !why.empty())
    return "\"AEOIdentifier\" \"" + r.id + "\": " + why + " (--id-scheme " + id_scheme + ")";
  return {};
}

size_t encoded_size(const aeo_record& r) {
  auto text = [](const std::string& t) { return t.size() + 16; };
  size_t n = 128 + text(r.id) + text(r.name) + text(r.address) + text(r.programme)
             + text(r.reason);
  for (auto& [k, v] : r.extras)
    n += 32 + text(k) + text(v);
  return n;
}

const char* status_name(uint16_t status) {
  return status < 4 ? statuses[status] : "?";
}

std::optional<int64_t> parse_iso8601(const std::string& s) {
  int y = 0, mo = 0, d = 0;
  if (!digits(s, 0, 4, y) || s.size() < 10 || s[4] != '-' || !digits(s, 5, 2, mo) || s[7] != '-'
      || !digits(s, 8, 2, d) || mo < 1 || mo > 12 || d < 1 || d > 31)
    return std::nullopt;
  int64_t ms = days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d)) * 86400000;
  if (s.size() == 10)
    return ms;
  int h = 0, mi = 0, sec = 0;
  if ((s[10] != 'T' && s[10] != ' ') || !digits(s, 11, 2, h) || s.size() < 16 || s[13] != ':'
      || !digits(s, 14, 2, mi) || h > 23 || mi > 59)
    return std::nullopt;
  size_t pos = 16;
  if (pos < s.size() && s[pos] == ':') {
    if (!digits(s, pos + 1, 2, sec) || sec > 60)
      return std::nullopt;
    pos += 3;
  }
  int64_t frac = 0;
  if (pos < s.size() && (s[pos] == '.' || s[pos] == ',')) {
    ++pos;
    int64_t scale = 100;
    size_t start = pos;
    while (pos < s.size() && std::isdigit(static_cast<unsigned char>(s[pos]))) {
      frac += scale * (s[pos] - '0');
      scale /= 10;
      ++pos;
    }
    if (pos == start)
      return std::nullopt;
  }
  ms += (h * 3600 + mi * 60 + sec) * int64_t{1000} + frac;
  if (pos == s.size() || (s[pos] == 'Z' && pos + 1 == s.size()))
    return ms; // no zone: UTC
  if (s[pos] != '+' && s[pos] != '-')
    return std::nullopt;
  int oh = 0, om = 0;
  if (!digits(s, pos + 1, 2, oh))
    return std::nullopt;
  size_t mpos = pos + 3;
  if (mpos < s.size() && s[mpos] == ':')
    ++mpos;
  if (!digits(s, mpos, 2, om) || mpos + 2 != s.size() || oh > 23 || om > 59)
    return std::nullopt;
  int64_t offset = (oh * 60 + om) * int64_t{60000};
  return s[pos] == '+' ? ms - offset : ms + offset;
}

std::optional<aeo_record> parse_record(const nlohmann::json& j, std::string& error,
                                       int64_t default_changed_at) {
  static const std::set<std::string> known{
    "AEOIdentifier", "Name",    "Address",        "AEOStatusCode", "AuthorisationDate",
    "AuthorisationType", "Version", "ChangeDateTime", "Reason",        "Additional"};
  if (!j.is_object()) {
    error = "not a JSON object";
    return std::nullopt;
  }
  for (auto& [key, value] : j.items())
    if (known.count(key) == 0) {
      error = "unknown key \"" + key + "\"";
      return std::nullopt;
    }
  aeo_record r;
  if (!read_text(j, "AEOIdentifier", r.id, error, true) || !read_text(j, "Name", r.name, error, true)
      || !read_text(j, "Address", r.address, error, false)
      || !read_text(j, "AuthorisationType", r.programme, error, false)
      || !read_text(j, "Reason", r.reason, error, false))
    return std::nullopt;
  std::string status;
  if (!read_text(j, "AEOStatusCode", status, error, true))
    return std::nullopt;
  for (auto& c : status)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  bool found = false;
  for (uint16_t k = 0; k < 4; ++k)
    if (status == statuses[k]) {
      r.status = k;
      found = true;
    }
  if (!found) {
    error = "\"AEOStatusCode\" is not one of valid, suspended, revoked, withdrawn";
    return std::nullopt;
  }
  auto version = j.find("Version");
  if (version == j.end()) {
    error = "\"Version\" is missing";
    return std::nullopt;
  }
  if (version->is_number_unsigned() || (version->is_number_integer() && version->get<int64_t>() > 0))
    r.version = version->get<uint64_t>();
  if (r.version == 0 || r.version >= version_limit) {
    error = "\"Version\" is not an integer from 1 to 2^53-1";
    return std::nullopt;
  }
  if (auto it = j.find("AuthorisationDate"); it != j.end() && !it->is_null()) {
    auto t = read_time(*it);
    if (!t) {
      error = "\"AuthorisationDate\" is not an ISO 8601 date or Unix ms";
      return std::nullopt;
    }
    r.validated_at = *t;
  }
  r.changed_at = default_changed_at;
  if (auto it = j.find("ChangeDateTime"); it != j.end() && !it->is_null()) {
    auto t = read_time(*it);
    if (!t) {
      error = "\"ChangeDateTime\" is not an ISO 8601 date-time or Unix ms";
      return std::nullopt;
    }
    r.changed_at = *t;
  }
  if (auto it = j.find("Additional"); it != j.end() && !it->is_null()) {
    if (!it->is_object()) {
      error = "\"Additional\" is not an object";
      return std::nullopt;
    }
    for (auto& [key, value] : it->items()) {
      if (!value.is_string()) {
        error = "\"Additional\".\"" + key + "\" is not a string";
        return std::nullopt;
      }
      r.extras.emplace_back(key, value.get<std::string>());
    }
  }
  return r;
}

std::optional<aeo_record> parse_record_line(const std::string& line, std::string& error,
                                            int64_t default_changed_at,
                                            const std::string& id_scheme) {
  auto j = nlohmann::json::parse(line, nullptr, false);
  if (j.is_discarded()) {
    error = "not JSON";
    return std::nullopt;
  }
  auto r = parse_record(j, error, default_changed_at);
  if (!r)
    return r;
  error = record_problem(*r, id_scheme);
  if (!error.empty())
    return std::nullopt;
  return r;
}

nlohmann::ordered_json record_json(const aeo_record& r) {
  nlohmann::ordered_json j{{"AEOIdentifier", r.id},
                           {"Name", r.name},
                           {"Address", r.address},
                           {"AEOStatusCode", status_name(r.status)},
                           {"AuthorisationDate", r.validated_at},
                           {"AuthorisationType", r.programme},
                           {"Version", r.version},
                           {"ChangeDateTime", r.changed_at},
                           {"Reason", r.reason}};
  if (!r.extras.empty()) {
    nlohmann::ordered_json extras = nlohmann::ordered_json::object();
    for (auto& [k, v] : r.extras)
      extras[k] = v;
    j["Additional"] = std::move(extras);
  }
  return j;
}

hub::bytes batch_payload(const std::string& batch_id, const std::string& data_set, bool snapshot,
                         const std::vector<aeo_record>& records) {
  capnp::MallocMessageBuilder mb;
  auto b = mb.initRoot<swhub::wire::AeoBatch>();
  b.setBatchId(batch_id);
  b.setDataSet(data_set);
  b.setSnapshot(snapshot);
  auto list = b.initRecords(static_cast<unsigned>(records.size()));
  for (unsigned i = 0; i < list.size(); ++i) {
    auto& s = records[i];
    auto r = list[i];
    r.setId(s.id);
    r.setName(s.name);
    r.setAddress(s.address);
    r.setStatus(static_cast<swhub::wire::AeoStatus>(s.status));
    r.setValidatedAt(s.validated_at);
    r.setProgramme(s.programme);
    r.setVersion(s.version);
    r.setChangedAt(s.changed_at);
    r.setReason(s.reason);
    auto extras = r.initExtras(static_cast<unsigned>(s.extras.size()));
    for (unsigned k = 0; k < extras.size(); ++k) {
      extras[k].setKey(s.extras[k].first);
      extras[k].setValue(s.extras[k].second);
    }
  }
  return hub::to_bytes(mb);
}

} // namespace foreign
