#include "tools/ceb_bridge/ceb_files.hpp"

#include "adapters/ceb/ceb_receipt.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <memory>
#include <regex>

#include <libxml/parser.h>
#include <libxml/tree.h>

namespace fs = std::filesystem;

namespace ceb_bridge {

namespace {

constexpr const char* ceb_ns = "http://www.chinaport.gov.cn/ceb";

struct doc_deleter {
  void operator()(xmlDoc* d) const { xmlFreeDoc(d); }
};
struct ctxt_deleter {
  void operator()(xmlParserCtxt* c) const { xmlFreeParserCtxt(c); }
};
using doc_ptr = std::unique_ptr<xmlDoc, doc_deleter>;

/// Parses without network, DTD loading or entity substitution, errors kept quiet;
/// `error` gets libxml2's message when it fails.
doc_ptr parse_quietly(const bytes& data, std::string& error) {
  std::unique_ptr<xmlParserCtxt, ctxt_deleter> ctxt{xmlNewParserCtxt()};
  if (!ctxt) {
    error = "libxml2 could not allocate a parser";
    return nullptr;
  }
  doc_ptr doc{xmlCtxtReadMemory(ctxt.get(), reinterpret_cast<const char*>(data.data()),
                                static_cast<int>(data.size()), "file.xml", nullptr,
                                XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING
                                  | XML_PARSE_HUGE)};
  if (!doc) {
    auto* e = xmlCtxtGetLastError(ctxt.get());
    error = e && e->message ? e->message : "not well-formed";
    while (!error.empty() && (error.back() == '\n' || error.back() == ' '))
      error.pop_back();
    if (e)
      error = "line " + std::to_string(e->line) + ": " + error;
  }
  return doc;
}

std::string name_of(const xmlNode* n) {
  return reinterpret_cast<const char*>(n->name);
}

std::string errno_text() {
  return std::strerror(errno);
}

void sync_dir(const fs::path& dir) {
  int fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

/// A receipt file this tool wrote (`<stem>.CEBnnnMessage.<notification id>.xml`).
bool is_written_receipt(const std::string& filename) {
  static const std::regex pattern{R"(.+\.CEB[0-9]{3}Message\.[0-9]+\.xml)"};
  return std::regex_match(filename, pattern);
}

bool is_receipt_root(const std::string& root) {
  static const char* receipts[] = {"CEB312Message", "CEB412Message", "CEB512Message",
                                   "CEB514Message", "CEB622Message", "CEB624Message",
                                   "CEB626Message", "CEB712Message"};
  return std::find(std::begin(receipts), std::end(receipts), root) != std::end(receipts);
}

} // namespace

file_list collect_xml_files(const std::vector<std::string>& args) {
  file_list out;
  for (auto& a : args) {
    std::error_code ec;
    auto st = fs::status(a, ec);
    if (ec || !fs::exists(st)) {
      out.missing.push_back(a);
      continue;
    }
    auto abs = fs::absolute(a, ec).lexically_normal();
    if (!fs::is_directory(st)) {
      out.files.push_back(abs.string());
      continue;
    }
    std::vector<std::string> found;
    for (auto& e : fs::directory_iterator(abs, ec)) {
      auto name = e.path().filename().string();
      if (name.empty() || name[0] == '.' || e.path().extension() != ".xml"
          || is_written_receipt(name) || !e.is_regular_file(ec))
        continue;
      found.push_back(e.path().lexically_normal().string());
    }
    if (ec)
      out.missing.push_back(a + " (" + ec.message() + ")");
    std::sort(found.begin(), found.end());
    out.files.insert(out.files.end(), found.begin(), found.end());
  }
  return out;
}

read_result read_file_bytes(const std::string& path) {
  read_result r;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    r.error = "cannot open: " + errno_text();
    return r;
  }
  bytes data;
  uint8_t buf[65536];
  for (;;) {
    auto n = ::read(fd, buf, sizeof(buf));
    if (n < 0) {
      if (errno == EINTR)
        continue;
      r.error = "cannot read: " + errno_text();
      ::close(fd);
      return r;
    }
    if (n == 0)
      break;
    data.insert(data.end(), buf, buf + n);
  }
  ::close(fd);
  r.data = std::move(data);
  return r;
}

sniff_result sniff_file(const bytes& data) {
  sniff_result r;
  if (data.empty()) {
    r.why_not = "the file is empty";
    return r;
  }
  r.type = hub::ceb::sniff(data.data(), data.size());
  std::string error;
  auto doc = parse_quietly(data, error);
  auto* root = doc ? xmlDocGetRootElement(doc.get()) : nullptr;
  if (r.type) {
    r.in_dxp = root != nullptr && name_of(root) == "DxpMsg";
    return r;
  }
  if (!root) {
    r.why_not = "not well-formed XML (" + (error.empty() ? "no root element" : error) + ")";
    return r;
  }
  auto name = name_of(root);
  std::string ns = root->ns && root->ns->href ? reinterpret_cast<const char*>(root->ns->href) : "";
  if (name == "DxpMsg")
    r.why_not = "a DxpMsg whose Data is not a base64 CEB import message";
  else if (ns != ceb_ns)
    r.why_not = "root element " + name + " in namespace \"" + ns + "\"; a CEB message has "
                + std::string{ceb_ns};
  else if (is_receipt_root(name))
    r.why_not = name + " is a receipt, not a message to send";
  else
    r.why_not = name + " is not an import message the hub accepts (CEB311, 411, 511, 513, "
                       "621, 623, 625, 711)";
  return r;
}

std::string write_file_durably(const std::string& path, const bytes& data) {
  fs::path target{path};
  auto dir = target.parent_path();
  std::error_code ec;
  if (!dir.empty()) {
    fs::create_directories(dir, ec);
    if (ec)
      return "cannot create " + dir.string() + ": " + ec.message();
  }
  auto tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0)
    return "cannot create " + tmp + ": " + errno_text();
  size_t off = 0;
  while (off < data.size()) {
    auto n = ::write(fd, data.data() + off, data.size() - off);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      auto why = "cannot write " + tmp + ": " + errno_text();
      ::close(fd);
      ::unlink(tmp.c_str());
      return why;
    }
    off += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) {
    auto why = "cannot fsync " + tmp + ": " + errno_text();
    ::close(fd);
    ::unlink(tmp.c_str());
    return why;
  }
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    auto why = "cannot rename " + tmp + " to " + path + ": " + errno_text();
    ::unlink(tmp.c_str());
    return why;
  }
  sync_dir(dir);
  return {};
}

std::vector<receipt_return> read_returns(const bytes& content) {
  std::vector<receipt_return> out;
  for (auto& r : hub::ceb::read_receipt(content.data(), content.size()).returns)
    out.push_back({r.fields["returnStatus"], r.fields["returnInfo"]});
  return out;
}

bool is_final(const std::string& receipt_root, const std::string& return_status) {
  bool refused = !return_status.empty() && return_status[0] == '-';
  if (receipt_root == "CEB622Message")
    return refused || return_status == "800" || return_status == "100";
  if (receipt_root == "CEB624Message" || receipt_root == "CEB626Message")
    return refused || return_status == "399" || return_status == "100";
  return true;
}

std::string receipt_path(const std::string& dir, const std::string& sent_file,
                         const std::string& receipt_root, uint64_t notification_id) {
  auto stem = fs::path{sent_file}.stem().string();
  return (fs::path{dir} / (stem + "." + receipt_root + "." + std::to_string(notification_id)
                           + ".xml"))
    .string();
}

} // namespace ceb_bridge
