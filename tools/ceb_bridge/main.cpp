// swhub-ceb: the platform-side bridge for cross-border e-commerce, the way E-Port's
// client software works for an enterprise: it sends the CEB XML files the enterprise's
// system writes (bare CEBnnnMessage or DxpMsg), byte for byte, one envelope each, and
// writes the CEB receipts that come back beside them.
//
//   swhub-ceb send --key var/keys/PLT-DEMO-0001 [--out DIR] FILE_OR_DIR...
//   swhub-ceb sniff FILE
//   swhub-ceb make-samples [--out config/samples/ceb]
//
// Output: JSON lines on stdout; a usage, key, state or connection error is one JSON
// line {"error","reason"} on stderr. Exit codes: send_command.hpp.

#include <iostream>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "tools/ceb_bridge/ceb_files.hpp"
#include "tools/ceb_bridge/make_samples.hpp"
#include "tools/ceb_bridge/send_command.hpp"

namespace {

int usage_error(const std::string& reason) {
  nlohmann::ordered_json j{{"error", "usage"}, {"reason", reason}};
  std::cerr << j.dump() << std::endl;
  return ceb_bridge::exit_failure;
}

/// `swhub-ceb sniff FILE`: 0 and the type, or 2 and why it is not one.
int run_sniff(const std::string& file) {
  auto r = ceb_bridge::read_file_bytes(file);
  nlohmann::ordered_json j{{"file", file}};
  if (!r.data) {
    j["error"] = "unreadable";
    j["reason"] = r.error;
    std::cerr << j.dump() << std::endl;
    return ceb_bridge::exit_file_problem;
  }
  auto what = ceb_bridge::sniff_file(*r.data);
  if (!what.type) {
    j["error"] = "not_ceb";
    j["reason"] = "not a CEB import message: " + what.why_not;
    std::cerr << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << std::endl;
    return ceb_bridge::exit_file_problem;
  }
  j["root"] = hub::ceb::root_name(*what.type);
  j["documentType"] = std::string{"ecommerce."} + hub::ceb::short_name(*what.type);
  j["receipt"] = hub::ceb::receipt_root_name(*what.type);
  j["dxpMsg"] = what.in_dxp;
  std::cout << j.dump() << std::endl;
  return ceb_bridge::exit_ok;
}

} // namespace

int main(int argc, char** argv) {
  CLI::App app{"swhub-ceb: sends CEB XML messages to a swhub hub as they are and writes the "
               "CEB receipts that answer them beside them"};
  app.set_version_flag("--version", "swhub-ceb 0.1.0");
  app.require_subcommand(1);
  int rc = 0;

  ceb_bridge::send_settings s;
  auto* send = app.add_subcommand("send", "send CEB files (bare or DxpMsg), one envelope each, "
                                          "and write their CEB receipts");
  send->add_option("--endpoint", s.endpoint, "hub endpoint")
    ->envname("SWHUB_ENDPOINT")
    ->capture_default_str();
  send->add_option("--hub-key", s.hub_key, "file with the hub's CURVE public key")
    ->envname("SWHUB_HUB_KEY")
    ->capture_default_str();
  send->add_option("--key", s.key,
                   "the sending party's key: the stem given to `swhub keygen --out` or a "
                   ".curve.secret file")
    ->envname("SWHUB_KEY")
    ->required();
  auto* no_sign = send->add_flag("--no-sign", s.no_sign, "send envelopes unsigned");
  send->add_option("--sign-key", s.sign_key,
                   "PEM key signing the envelopes (default: <key stem>.sign.pem if present)")
    ->excludes(no_sign);
  send->add_option("--out", s.out_dir, "folder for the receipts (default: beside each file)");
  send->add_option("--state", s.state,
                   "state file: which file went out under which message id (default: "
                   "<out or the first argument's folder>/.swhub-ceb.state)");
  send->add_option("--wait-seconds", s.wait_seconds,
                   "how long to wait for the final CEB receipts of the messages sent")
    ->check(CLI::NonNegativeNumber)
    ->capture_default_str();
  send->add_option("--settle-ms", s.settle_ms,
                   "after the last awaited receipt, how long to collect receipts right behind it")
    ->check(CLI::NonNegativeNumber)
    ->capture_default_str();
  send->add_option("--timeout-ms", s.timeout_ms, "wait for the welcome and each hub receipt")
    ->check(CLI::PositiveNumber)
    ->capture_default_str();
  send->add_option("files", s.inputs, "CEB *.xml files or folders holding them")->required();
  send->callback([&] { rc = ceb_bridge::run_send(s); });

  std::string sniff_file;
  auto* sniff = app.add_subcommand("sniff", "print which CEB message a file is");
  sniff->add_option("file", sniff_file, "the file")->required();
  sniff->callback([&] { rc = run_sniff(sniff_file); });

  ceb_bridge::sample_settings m;
  auto* make = app.add_subcommand("make-samples",
                                  "write the SAMPLE CEB files (signed with the SAMPLE keys)");
  make->add_option("--out", m.out_dir, "folder to write them to")->capture_default_str();
  make->add_option("--keys", m.keys_dir, "folder of the SAMPLE keys and certificates")
    ->capture_default_str();
  make->add_option("--invt-no", m.invt_no,
                   "invtNo in the cancellation (from the inventory's CEB622 800 receipt)")
    ->capture_default_str();
  make->callback([&] { rc = ceb_bridge::run_make_samples(m); });

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) // --help, --version
      return app.exit(e);
    return usage_error(std::string{e.what()} + " (see --help)");
  }
  return rc;
}
