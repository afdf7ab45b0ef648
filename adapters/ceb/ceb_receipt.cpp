#include "adapters/ceb/ceb_receipt.hpp"

#include <libxml/tree.h>

#include <libxml/parser.h>

#include "adapters/ceb/ceb_schema.hpp"
#include "adapters/ceb/ceb_types.hpp"
#include "adapters/ceb/xml_safety.hpp"

#include <openssl/rand.h>

#include <cstdio>
#include <memory>
#include <stdexcept>

namespace hub::ceb {

namespace {

// Days since 1970-01-01 -> civil date (H. Hinnant's algorithm), valid for any int64 day.
void civil_from_days(int64_t z, int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2;
}

} // namespace

std::string new_guid() {
  unsigned char b[16];
  if (RAND_bytes(b, sizeof b) != 1)
    throw std::runtime_error("RAND_bytes failed");
  b[6] = static_cast<unsigned char>((b[6] & 0x0F) | 0x40);
  b[8] = static_cast<unsigned char>((b[8] & 0x3F) | 0x80);
  char out[37];
  std::snprintf(out, sizeof out,
                "%02X%02X%02X%02X-%02X%02X-%02X%02X-%02X%02X-%02X%02X%02X%02X%02X%02X", b[0],
                b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13],
                b[14], b[15]);
  return out;
}

std::string return_time(int64_t unix_ms) {
  constexpr int64_t day_ms = 86400000;
  int64_t t = unix_ms + 8 * 3600000; // China Standard Time, no daylight saving
  int64_t days = t / day_ms - (t % day_ms < 0 ? 1 : 0);
  int64_t ms = t - days * day_ms;
  int64_t y;
  unsigned m, d;
  civil_from_days(days, y, m, d);
  char out[64];
  std::snprintf(out, sizeof out, "%04lld%02u%02u%02lld%02lld%02lld%03lld",
                static_cast<long long>(y), m, d, static_cast<long long>(ms / 3600000),
                static_cast<long long>(ms / 60000 % 60), static_cast<long long>(ms / 1000 % 60),
                static_cast<long long>(ms % 1000));
  return out;
}

namespace {

/// Element text as libxml2's writer escapes it (xmlEncodeSpecialChars): &, <, >, " and
/// CR (kept as a reference so that a reader's end-of-line handling cannot change it).
void append_text(std::string& out, const std::string& text) {
  for (char c : text) {
    if (c == '\0')
      break; // where the writer's C string ended
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\r': out += "&#13;"; break;
      default: out += c;
    }
  }
}

} // namespace

// Written straight into one string: the layout is fixed and every name comes from
// the schema, so a libxml2 writer per receipt (7 % of the matcher's time with
// single-document messages, docs/benchmarks.md) bought nothing. The output is what
// that writer produced: the tests validate it against the official XSD.
bytes write_receipt(message_type answered, const std::vector<return_fields>& returns) {
  auto& type = detail::info(answered);
  auto& table = detail::schemas().elements;
  auto order = table.find(type.return_element);
  if (order == table.end())
    throw std::runtime_error(std::string("no declaration of ") + type.return_element + ": "
                             + detail::schemas().error);
  std::string root = type.receipt_root;
  std::string ret = type.return_element;
  std::string out;
  out.reserve(256 + returns.size() * 512);
  out += "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<";
  out += root;
  out += " xmlns=\"";
  out += detail::ceb_ns;
  out += "\" guid=\"";
  out += new_guid();
  out += "\" version=\"1.0\">\n";
  for (auto& fields : returns) {
    out += "    <" + ret + ">\n";
    for (auto& p : order->second)
      for (auto& [name, value] : fields)
        if (name == p.name) {
          out += "        <" + name + ">";
          append_text(out, value);
          out += "</" + name + ">\n";
          break;
        }
    out += "    </" + ret + ">\n";
  }
  out += "</" + root + ">\n";
  return bytes(out.begin(), out.end());
}

read_receipt_result read_receipt(const uint8_t* data, size_t size) {
  read_receipt_result out;
  std::unique_ptr<xmlDoc, decltype(&xmlFreeDoc)> doc{
    xmlReadMemory(reinterpret_cast<const char*>(data), static_cast<int>(size), "receipt.xml",
                  nullptr, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING),
    &xmlFreeDoc};
  auto* root = doc ? xmlDocGetRootElement(doc.get()) : nullptr;
  if (root == nullptr) {
    const xmlError* e = xmlGetLastError();
    out.error = "not a well-formed receipt"
                + (e != nullptr && e->message != nullptr ? std::string{": "} + e->message : "");
    return out;
  }
  auto name = [](const xmlNode* n) { return std::string{reinterpret_cast<const char*>(n->name)}; };
  out.root = name(root);
  for (auto* r = root->children; r != nullptr; r = r->next) {
    if (r->type != XML_ELEMENT_NODE)
      continue;
    read_return x;
    x.element = name(r);
    for (auto* e = r->children; e != nullptr; e = e->next) {
      if (e->type != XML_ELEMENT_NODE)
        continue;
      std::unique_ptr<xmlChar, decltype(xmlFree)> t{xmlNodeGetContent(e), xmlFree};
      x.fields[name(e)] = t ? reinterpret_cast<const char*>(t.get()) : "";
    }
    out.returns.push_back(std::move(x));
  }
  return out;
}

} // namespace hub::ceb
