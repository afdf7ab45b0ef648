// SR-15.1: receipts written as E-Port writes them, valid against the official 2022-05 XSD.

#include <catch2/catch.hpp>

#include "adapters/ceb/ceb_receipt.hpp"
#include "tests/unit/adapters/ceb/ceb_test_util.hpp"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlschemas.h>
#include <libxml/xmlwriter.h>

#include <algorithm>
#include <memory>
#include <mutex>
#include <random>

using namespace hub::ceb;
using namespace ceb_test;

namespace {

using doc_ptr = std::unique_ptr<xmlDoc, decltype(&xmlFreeDoc)>;

doc_ptr read_xml(const bytes& b) {
  return {xmlReadMemory(reinterpret_cast<const char*>(b.data()), static_cast<int>(b.size()),
                        nullptr, nullptr, XML_PARSE_NONET),
          &xmlFreeDoc};
}

// The official import XSD from disk (it imports the W3C xmldsig schema beside it).
xmlSchemaPtr official_schema() {
  static xmlSchemaPtr schema = nullptr;
  static std::once_flag once;
  std::call_once(once, [] {
    auto* p = xmlSchemaNewParserCtxt(shared_path("xsd/ceb-import-202205.xsd").c_str());
    schema = xmlSchemaParse(p);
    xmlSchemaFreeParserCtxt(p);
  });
  return schema;
}

std::string validation_errors(xmlDoc* doc) {
  std::string errors;
  auto* v = xmlSchemaNewValidCtxt(official_schema());
  xmlSchemaSetValidStructuredErrors(
    v,
    [](void* ctx, xmlErrorPtr e) { *static_cast<std::string*>(ctx) += e->message; },
    &errors);
  int rc = xmlSchemaValidateDoc(v, doc);
  xmlSchemaFreeValidCtxt(v);
  return rc == 0 ? "" : errors.empty() ? "invalid" : errors;
}

std::vector<return_fields> returns_of(xmlDoc* doc) {
  std::vector<return_fields> out;
  for (auto* r = xmlDocGetRootElement(doc)->children; r; r = r->next) {
    if (r->type != XML_ELEMENT_NODE)
      continue;
    return_fields f;
    for (auto* c = r->children; c; c = c->next)
      if (c->type == XML_ELEMENT_NODE) {
        xmlChar* t = xmlNodeGetContent(c);
        f.emplace_back(reinterpret_cast<const char*>(c->name), reinterpret_cast<char*>(t));
        xmlFree(t);
      }
    out.push_back(std::move(f));
  }
  return out;
}

const std::pair<message_type, const char*> receipts[] = {
  {message_type::ceb311, "CEB312Message"}, {message_type::ceb411, "CEB412Message"},
  {message_type::ceb511, "CEB512Message"}, {message_type::ceb513, "CEB514Message"},
  {message_type::ceb621, "CEB622Message"}, {message_type::ceb623, "CEB624Message"},
  {message_type::ceb625, "CEB626Message"}, {message_type::ceb711, "CEB712Message"},
};

} // namespace

TEST_CASE("SR-15.1 the official XSD used by these tests loads", "[ceb][SR-15.1]") {
  REQUIRE(official_schema() != nullptr);
}

TEST_CASE("SR-15.1 receipts rewritten from every official receipt sample are valid and "
          "keep the XSD order whatever the input order",
          "[ceb][SR-15.1]") {
  REQUIRE(official_schema() != nullptr);
  std::mt19937 rng(42);
  for (auto& [type, name] : receipts) {
    INFO(name);
    auto text = sample(name);
    auto official = read_xml(bytes(text.begin(), text.end()));
    REQUIRE(official);
    auto expected = returns_of(official.get());
    auto shuffled = expected;
    for (auto& f : shuffled)
      std::shuffle(f.begin(), f.end(), rng);
    auto written = write_receipt(type, shuffled);
    std::string out(written.begin(), written.end());
    CHECK(out.rfind("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>", 0) == 0);
    auto doc = read_xml(written);
    REQUIRE(doc);
    CHECK(validation_errors(doc.get()) == "");
    auto* root = xmlDocGetRootElement(doc.get());
    CHECK(std::string(reinterpret_cast<const char*>(root->name)) == name);
    REQUIRE(root->ns != nullptr);
    CHECK(root->ns->prefix == nullptr); // the default namespace
    CHECK(std::string(reinterpret_cast<const char*>(root->ns->href))
          == "http://www.chinaport.gov.cn/ceb");
    xmlChar* guid = xmlGetNoNsProp(root, BAD_CAST "guid");
    std::string g = reinterpret_cast<char*>(guid);
    xmlFree(guid);
    CHECK(g.size() == 36);
    CHECK(std::none_of(g.begin(), g.end(), [](char c) { return c >= 'a' && c <= 'z'; }));
    CHECK(returns_of(doc.get()) == expected);
    CHECK(out.find("BaseTransfer") == std::string::npos);
    CHECK(out.find("Signature") == std::string::npos);
  }
}

TEST_CASE("SR-15.1 a receipt omits absent optional elements, ignores unknown names and "
          "escapes values",
          "[ceb][SR-15.1]") {
  return_fields f = {{"preNo", "B20160512000001882"},
                     {"copNo", "cop<&>\"1"},
                     {"returnInfo", "[Code:1800;Desc:逻辑校验通过]"},
                     {"returnTime", return_time(0)},
                     {"returnStatus", "120"},
                     {"logisticsStatus", "S"}, // a key of another type: ignored
                     {"guid", "4CDE1CFD-EDED-46B1-946C-B8022E42FC94"}};
  auto written = write_receipt(message_type::ceb621, {f});
  auto doc = read_xml(written);
  REQUIRE(doc);
  CHECK(validation_errors(doc.get()) == "");
  auto got = returns_of(doc.get());
  REQUIRE(got.size() == 1);
  return_fields want = {{"guid", "4CDE1CFD-EDED-46B1-946C-B8022E42FC94"},
                        {"copNo", "cop<&>\"1"},
                        {"preNo", "B20160512000001882"},
                        {"returnStatus", "120"},
                        {"returnTime", "19700101080000000"},
                        {"returnInfo", "[Code:1800;Desc:逻辑校验通过]"}};
  CHECK(got[0] == want);
}

TEST_CASE("SR-15.1 a receipt keeps a carriage return and an empty value as written",
          "[ceb][SR-15.1]") {
  return_fields f = {{"guid", "4CDE1CFD-EDED-46B1-946C-B8022E42FC94"},
                     {"copNo", ""},
                     {"preNo", "B20160512000001882"},
                     {"returnStatus", "-621004"},
                     {"returnTime", return_time(0)},
                     {"returnInfo", "line one\r\nline two > & < \"three\""}};
  auto written = write_receipt(message_type::ceb621, {f});
  std::string text(written.begin(), written.end());
  CHECK(text.find("<copNo></copNo>") != std::string::npos);
  CHECK(text.find("&#13;") != std::string::npos); // a reader cannot normalise it away
  auto doc = read_xml(written);
  REQUIRE(doc);
  auto got = returns_of(doc.get());
  REQUIRE(got.size() == 1);
  CHECK(got[0] == f);
}

namespace {

/// The receipt as libxml2's text writer lays it out (what write_receipt used before it
/// wrote the string itself), for fields given in the schema's order.
std::string libxml2_receipt(const char* root, const char* ret, const std::string& guid,
                            const std::vector<return_fields>& returns) {
  auto x = [](const char* s) { return reinterpret_cast<const xmlChar*>(s); };
  std::unique_ptr<xmlBuffer, decltype(&xmlBufferFree)> buf{xmlBufferCreate(), &xmlBufferFree};
  auto* w = xmlNewTextWriterMemory(buf.get(), 0);
  xmlTextWriterSetIndent(w, 1);
  xmlTextWriterSetIndentString(w, x("    "));
  xmlTextWriterStartDocument(w, "1.0", "UTF-8", "yes");
  xmlTextWriterStartElement(w, x(root));
  xmlTextWriterWriteAttribute(w, x("xmlns"), x("http://www.chinaport.gov.cn/ceb"));
  xmlTextWriterWriteAttribute(w, x("guid"), x(guid.c_str()));
  xmlTextWriterWriteAttribute(w, x("version"), x("1.0"));
  for (auto& fields : returns) {
    xmlTextWriterStartElement(w, x(ret));
    for (auto& [name, value] : fields)
      xmlTextWriterWriteElement(w, x(name.c_str()), x(value.c_str()));
    xmlTextWriterEndElement(w);
  }
  xmlTextWriterEndDocument(w);
  xmlFreeTextWriter(w);
  return {reinterpret_cast<const char*>(xmlBufferContent(buf.get())),
          static_cast<size_t>(xmlBufferLength(buf.get()))};
}

} // namespace

TEST_CASE("SR-15.1 a receipt is byte for byte what libxml2's writer writes", "[ceb][SR-15.1]") {
  std::vector<return_fields> returns = {
    {{"guid", "4CDE1CFD-EDED-46B1-946C-B8022E42FC94"},
     {"copNo", ""},
     {"preNo", "B20160512000001882"},
     {"returnStatus", "-621004"},
     {"returnTime", "20160512102646001"},
     {"returnInfo", "a\r\nb\tc 'd' \"e\" <f> & 逻辑校验通过 ]]>"}},
    {{"guid", "5CDE1CFD-EDED-46B1-946C-B8022E42FC95"},
     {"copNo", "cop2"},
     {"preNo", "B20160512000001883"},
     {"returnStatus", "120"},
     {"returnTime", "20160512102646002"},
     {"returnInfo", "[Code:1800;Desc:逻辑校验通过]"}}};
  auto written = write_receipt(message_type::ceb621, returns);
  std::string text(written.begin(), written.end());
  auto at = text.find(" guid=\"");
  REQUIRE(at != std::string::npos);
  auto guid = text.substr(at + 7, 36);
  CHECK(text == libxml2_receipt("CEB622Message", "InventoryReturn", guid, returns));
}

TEST_CASE("SR-15.1 return_time is 17 characters of China time", "[ceb][SR-15.1]") {
  CHECK(return_time(0) == "19700101080000000");
  CHECK(return_time(1463020006001) == "20160512102646001"); // 2016-05-12 02:26:46.001 UTC
  CHECK(return_time(1651334399999) == "20220430235959999");
  CHECK(return_time(-1) == "19700101075959999");
  CHECK(return_time(253402271999999).size() == 17); // 9999-12-31 23:59:59.999 China time
}

TEST_CASE("SR-15.1 new_guid is a fresh uppercase UUID", "[ceb][SR-15.1]") {
  auto a = new_guid(), b = new_guid();
  CHECK(a.size() == 36);
  CHECK(a != b);
  CHECK(a[14] == '4');
  CHECK(a[8] == '-');
}
