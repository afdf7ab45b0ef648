#pragma once
// Safe parsing of untrusted XML with libxml2 (internal to swhub_ceb): no DTD, no entity,
// no processing instruction, nothing fetched, UTF-8 only, limits on size, depth and nodes.
// The tree is kept as sent (whitespace included): a signature is computed over it.

#include "adapters/ceb/ceb_message.hpp"

#include <libxml/tree.h>

#include <memory>

namespace hub::ceb::detail {

struct doc_deleter {
  void operator()(xmlDoc* d) const { xmlFreeDoc(d); }
};
using doc_ptr = std::unique_ptr<xmlDoc, doc_deleter>;

struct safe_doc {
  doc_ptr doc;   ///< null when `error` is set
  problem error;
};

/// Parses `data` as one XML document under `lim` (max_bytes, max_depth, max_nodes).
/// `what` names the input in details ("message", "DxpMsg Data").
safe_doc parse_safely(const uint8_t* data, size_t size, const limits& lim, const char* what);

/// Who may load external resources on this thread while the scope lives: nobody
/// (untrusted input) or only the compiled-in schemas (schema compilation). Outside any
/// scope libxml2's previous loader is used, so other code in the process is unaffected.
enum class loader_mode { none, refuse_all, embedded_schemas };
class loader_scope {
public:
  explicit loader_scope(loader_mode m);
  ~loader_scope();
  loader_scope(const loader_scope&) = delete;
  loader_scope& operator=(const loader_scope&) = delete;

private:
  loader_mode saved_;
};

/// xmlInitParser and the external entity loader, once per process.
void init_libxml();

/// The text of an element as sent (text and CDATA children concatenated).
std::string text_of(const xmlNode* n);
/// True if `n` is an element named `name` in namespace `ns`.
bool is_element(const xmlNode* n, const char* ns, const char* name);
/// The local name of an element ("" for nullptr).
std::string name_of(const xmlNode* n);
/// Number of Unicode characters of a UTF-8 string (input already validated).
size_t utf8_length(std::string_view s);

inline constexpr const char* ceb_ns = "http://www.chinaport.gov.cn/ceb";
inline constexpr const char* dxp_ns = "http://www.chinaport.gov.cn/dxp";
inline constexpr const char* dsig_ns = "http://www.w3.org/2000/09/xmldsig#";

} // namespace hub::ceb::detail
