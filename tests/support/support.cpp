#include "tests/support/support.hpp"

#include <sys/wait.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <catch2/catch.hpp>

#include "actors/core/error.hpp"

namespace hub::test {

temp_dir::temp_dir() {
  char tmpl[] = "/tmp/swhub-test-XXXXXX";
  char* p = mkdtemp(tmpl);
  REQUIRE(p != nullptr);
  path_ = p;
}

temp_dir::~temp_dir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

test_party make_party(const std::string& id, const std::string& role,
                      crypto::algorithm signing) {
  auto keys = generate_curve_keypair();
  REQUIRE(keys);
  test_party p{id, role, *keys, std::nullopt, {}};
  if (signing != crypto::algorithm::none) {
    auto key = crypto::private_key::generate(signing);
    REQUIRE(key);
    p.signing = std::move(*key);
  }
  return p;
}

std::string test_enterprises() {
  return R"([[enterprise]]
code = "GOOD-ENT"
name = "Advanced certified test enterprise"
tier = "advanced-certified"
guarantee = "100000.00"
inland-customs = "2201"
party = "ENT-A"

[[enterprise]]
code = "PLAIN-ENT"
name = "General credit test enterprise"
tier = "general-credit"
guarantee = "10000.00"
inland-customs = "2201"

[[enterprise]]
code = "BAD-ENT"
name = "Discredited test enterprise"
tier = "discredited"
inland-customs = "2201"
)";
}

namespace {

/// customs.toml and risk-parameters.toml for a test hub; returns customs.toml's path.
std::string write_customs_config(const temp_dir& dir, const customs_settings& c) {
  std::ostringstream out;
  out << "reference-dir = \"" << SWHUB_SOURCE_DIR << "/config/reference\"\n"
      << "risk-parameters = \"risk-parameters.toml\"\n\n"
      << R"([organisation]
unit = [
  { code = "2200", name = "Shanghai Customs", kind = "direct" },
  { code = "2201", name = "Pujiang Customs", kind = "inland" },
  { code = "2248", name = "Yangshan Customs", kind = "port" },
  { code = "5100", name = "Guangzhou Customs", kind = "direct" },
  { code = "5141", name = "Guangzhou Baiyun Airport Customs", kind = "port" },
]

[[tax-centre]]
id = "shanghai-machinery-electronics"
chapters = ["84-92"]

[[tax-centre]]
id = "guangzhou-chemicals"
chapters = ["28-40"]

[[tax-centre]]
id = "tianjin-other-goods"
chapters = ["01-27", "41-83", "93-97"]

)" << (c.enterprises.empty() ? test_enterprises() : c.enterprises)
      << "\n" << c.agencies << "\n[release]\npayment-deadline-s = " << c.payment_deadline_s
      << "\ncorrection-window-s = " << c.correction_window_s
      << "\ncheck-interval-s = " << c.check_interval_s
      << "\n\n[audit]\nbatch-size = " << c.audit_batch_size
      << "\ninterval-ms = " << c.audit_interval_ms << "\n";
  std::ofstream{dir.file("customs.toml")} << out.str();
  std::ofstream{dir.file("risk-parameters.toml")} << c.risk_toml;
  return dir.file("customs.toml");
}

} // namespace

std::string write_hub_config(const temp_dir& dir, const std::vector<test_party>& parties,
                             const hub_settings& s) {
  std::ostringstream out;
  out << "[hub]\nid = \"TEST-HUB\"\ndata-dir = \"" << dir.file("data")
      << "\"\nlog-level = \"info\"\ncaf-threads = 2\nsigning-key-file = \""
      << dir.file("hub.sign.pem") << "\"\n";
  if (s.roles.empty())
    out << "roles-file = \"" << SWHUB_SOURCE_DIR << "/config/roles.toml\"\n";
  out << "\n"
      << "[gateway]\nendpoint = \"tcp://127.0.0.1:*\"\nserver-secret-key-file = \""
      << dir.file("hub.curve.secret") << "\"\nmax-frame-bytes = " << s.max_frame_bytes
      << "\n\n[store]\nmap-size-mb = " << s.map_size_mb
      << "\ncommit-max-batch = " << s.commit_max_batch
      << "\ncommit-interval-us = " << s.commit_interval_us << "\n\n"
      << "[intake]\nworkers = " << s.workers << "\nmax-in-flight = " << s.max_in_flight
      << "\n\n"
      << "[outbox]\nresend-interval-ms = " << s.resend_interval_ms << "\n\n"
      << "[keys]\nadmin-roles = " << s.key_admin_roles << "\n\n"
      << s.roles << "\n";
  if (s.customs)
    out << "[customs]\nconfig = \"" << write_customs_config(dir, *s.customs) << "\"\n\n";
  if (!s.ecommerce_config.empty())
    out << "[ecommerce]\nconfig = \"" << s.ecommerce_config << "\"\n\n";
  if (!s.foreign_config.empty())
    out << "[foreign]\nconfig = \"" << s.foreign_config << "\"\n\n";
  if (!s.signatures_required.empty()) {
    out << "[signatures.required]\n";
    for (auto& [type, roles] : s.signatures_required)
      out << "\"" << type << "\" = [\"" << roles << "\"]\n";
    out << "\n";
  }
  for (auto& p : parties) {
    out << "[[party]]\nid = \"" << p.id << "\"\nrole = \"" << p.role
        << "\"\ncurve-public-key = \"" << p.keys.public_z85 << "\"\n";
    if (!p.customs_unit.empty())
      out << "customs-unit = \"" << p.customs_unit << "\"\n";
    out << "\n";
    if (p.signing)
      out << "[[party.signing-key]]\npublic-key = \'\'\'\n" << p.signing->public_part().pem()
          << "\'\'\'\n\n";
  }
  auto path = dir.file("hub.toml");
  std::ofstream f{path};
  f << out.str();
  return path;
}

command_result run_cli(const std::string& args) {
  return run_command(std::string{SWHUB_CLI_PATH} + " " + args);
}

command_result run_command(const std::string& cmd) {
  command_result res;
  FILE* p = popen(cmd.c_str(), "r");
  REQUIRE(p != nullptr);
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), p)) > 0)
    res.out.append(buf, n);
  int status = pclose(p);
  res.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return res;
}

std::string read_text(const std::string& path) {
  std::ifstream in{path};
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::map<std::string, role_config> shipped_roles() {
  // A minimal hub.toml naming the shipped roles file, as config/hub.toml does; the one
  // party only satisfies the loader.
  auto text = "[hub]\nroles-file = \"" + std::string{SWHUB_SOURCE_DIR} + "/config/roles.toml\"\n"
              "[[party]]\nid = \"ENT-1\"\nrole = \"enterprise\"\n"
              "curve-public-key = \"Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID\"\n";
  auto cfg = parse_config(text, "roles-check.toml");
  if (!cfg)
    FAIL("config/roles.toml does not load: " << context_text(cfg.error()));
  return cfg->roles;
}

std::vector<std::string> roles_that(const std::map<std::string, role_config>& roles,
                                    std::vector<std::string> role_config::*list,
                                    const std::string& type) {
  std::vector<std::string> out;
  for (auto& [name, r] : roles)
    if (std::find((r.*list).begin(), (r.*list).end(), type) != (r.*list).end())
      out.push_back(name);
  return out;
}

} // namespace hub::test
