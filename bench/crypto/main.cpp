// swhub-bench-crypto: how fast hub::crypto signs and verifies, next to `openssl speed`
// for the same algorithms on the same machine in the same run.
//
//   swhub-bench-crypto [--seconds S] [--rounds R] [--message-bytes N] [--no-openssl]
//                      [--openssl PATH]
//
// A round measures every hub figure, then runs `openssl speed -seconds S ecdsap256
// ed25519 sm2` once. With R > 1 rounds each figure is the best of its R measurements,
// on both sides: on a shared or busy machine (check the load averages printed) the
// best-of figure is the one least disturbed by other processes.
//
// Hub figures: one thread, a fixed message of N (256) bytes, keys parsed once (as the
// the party registry holds them), each call the full hub::crypto::sign / verify (fresh EVP
// contexts, hashing the message). Rates are operations per CPU-second of the thread
// (CLOCK_THREAD_CPUTIME_ID), as `openssl speed` reports per CPU-second (times()).
//
// What `openssl speed` measures (3.0): ecdsap256 = EVP_PKEY_sign/verify of a 20-byte
// pre-hashed input on a context initialised once; ed25519 = EVP_DigestSign/Verify on a
// context initialised once; sm2 = EVP_DigestSign/VerifyInit + one-shot per operation.
// So the hub's figure includes context set-up and hashing that speed leaves out: the
// ratio is the cost of the hub's API over the raw primitive.

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <algorithm>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <caf/error.hpp>

#include "actors/core/error.hpp"
#include "actors/crypto/signature.hpp"
#include "bench/common/machine.hpp"

namespace {

using hub::crypto::algorithm;

constexpr algorithm algorithms[] = {algorithm::ecdsa_p256_sha256, algorithm::sm2_sm3,
                                    algorithm::ed25519};

double thread_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

std::string run(const std::string& cmd) {
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr)
    return out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), p)) > 0)
    out.append(buf, n);
  pclose(p);
  return out;
}

/// Runs `op` in batches until `seconds` of thread CPU time passed; returns ops/CPU-s.
template <class F>
double rate(double seconds, F op) {
  // Warm up (first-call fetches, caches).
  for (int i = 0; i < 20; ++i)
    op();
  long count = 0;
  auto start = thread_cpu_seconds();
  double elapsed = 0;
  do {
    for (int i = 0; i < 50; ++i)
      op();
    count += 50;
    elapsed = thread_cpu_seconds() - start;
  } while (elapsed < seconds);
  return static_cast<double>(count) / elapsed;
}

struct figures {
  double hub_sign = 0, hub_verify = 0, hub_parse = 0;
  double ossl_sign = 0, ossl_verify = 0;
};

void keep_max(double& best, double x) {
  if (x > best)
    best = x;
}

/// Parses the `openssl speed` result tables, e.g.
///  " 256 bits ecdsa (nistp256)   0.0000s   0.0001s  26100.5   8746.7"
/// Returns whether all three algorithms were found.
bool parse_speed(const std::string& out, std::map<algorithm, figures>& fig) {
  int found = 0;
  std::istringstream in{out};
  std::string line;
  while (std::getline(in, line)) {
    algorithm x = algorithm::none;
    if (line.find("(nistp256)") != std::string::npos)
      x = algorithm::ecdsa_p256_sha256;
    else if (line.find("(CurveSM2)") != std::string::npos)
      x = algorithm::sm2_sm3;
    else if (line.find("(Ed25519)") != std::string::npos)
      x = algorithm::ed25519;
    if (x == algorithm::none)
      continue;
    std::istringstream words{line};
    std::vector<std::string> w;
    for (std::string s; words >> s;)
      w.push_back(s);
    if (w.size() < 2)
      continue;
    keep_max(fig[x].ossl_sign, std::atof(w[w.size() - 2].c_str()));
    keep_max(fig[x].ossl_verify, std::atof(w[w.size() - 1].c_str()));
    ++found;
  }
  return found == 3;
}

void usage() {
  std::cout << "usage: swhub-bench-crypto [--seconds S] [--rounds R] [--message-bytes N]"
               " [--no-openssl] [--openssl PATH]\n";
}

} // namespace

int main(int argc, char** argv) {
  double seconds = 2;
  int rounds = 1;
  size_t message_bytes = 256;
  bool with_openssl = true;
  std::string openssl = "openssl";
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--seconds" && i + 1 < argc)
      seconds = std::atof(argv[++i]);
    else if (a == "--rounds" && i + 1 < argc)
      rounds = std::atoi(argv[++i]);
    else if (a == "--message-bytes" && i + 1 < argc)
      message_bytes = static_cast<size_t>(std::atol(argv[++i]));
    else if (a == "--no-openssl")
      with_openssl = false;
    else if (a == "--openssl" && i + 1 < argc)
      openssl = argv[++i];
    else {
      usage();
      return a == "--help" || a == "-h" ? 0 : 2;
    }
  }
  if (seconds <= 0)
    seconds = 2;
  if (rounds < 1)
    rounds = 1;

  auto m = bench::describe_machine(".");
  std::cout << "machine\n"
            << "  cpu      " << m.cpu_model << "\n"
            << "  cores    " << m.cores << " (nproc)\n"
            << "  memory   " << m.memory_gib << " GiB\n"
            << "  kernel   " << m.kernel << "\n"
            << "  libcrypto " << hub::crypto::openssl_version() << " (what hub::crypto runs with)\n"
            << "  openssl  " << run(openssl + " version 2>/dev/null")
            << "  date     " << m.date << "\n"
            << "  load     " << m.load_avg << " (1/5/15 min, start)\n\n";
  std::cout << "hub::crypto: 1 thread, " << message_bytes << "-byte message, keys parsed once, "
            << seconds << " CPU-s per figure; " << rounds << " round(s), best of each\n"
            << std::flush;

  std::map<algorithm, figures> fig;
  hub::bytes msg(message_bytes);
  for (size_t i = 0; i < msg.size(); ++i)
    msg[i] = static_cast<uint8_t>(i * 31 + 7);
  struct material {
    hub::crypto::private_key key;
    hub::crypto::public_key pub;
    hub::bytes sig;
    std::string pem;
  };
  std::map<algorithm, material> keys;
  for (auto x : algorithms) {
    auto key = hub::crypto::private_key::generate(x);
    if (!key) {
      std::cerr << "cannot generate a " << hub::crypto::to_string(x)
                << " key: " << hub::context_text(key.error()) << "\n";
      return 1;
    }
    auto pub = key->public_part();
    auto sig = hub::crypto::sign(*key, msg.data(), msg.size());
    if (!sig || hub::crypto::verify(pub, msg.data(), msg.size(), *sig)) {
      std::cerr << hub::crypto::to_string(x) << ": sign/verify self-check failed\n";
      return 1;
    }
    keys[x] = material{*key, pub, *sig, pub.pem()};
  }
  bool speed_ok = true;
  for (int round = 1; round <= rounds; ++round) {
    std::cout << "round " << round << "\n";
    for (auto x : algorithms) {
      auto& m = keys[x];
      auto& f = fig[x];
      bool ok = true;
      auto verify_rate = rate(seconds, [&] {
        if (hub::crypto::verify(m.pub, msg.data(), msg.size(), m.sig))
          ok = false;
      });
      auto sign_rate = rate(seconds, [&] {
        if (!hub::crypto::sign(m.key, msg.data(), msg.size()))
          ok = false;
      });
      auto parse_rate = rate(seconds / 4, [&] {
        if (!hub::crypto::public_key::from_pem(m.pem))
          ok = false;
      });
      if (!ok) {
        std::cerr << hub::crypto::to_string(x) << ": an operation failed during the run\n";
        return 1;
      }
      keep_max(f.hub_verify, verify_rate);
      keep_max(f.hub_sign, sign_rate);
      keep_max(f.hub_parse, parse_rate);
      std::cout << "  hub     " << std::left << std::setw(18) << hub::crypto::to_string(x)
                << std::right << std::fixed << std::setprecision(1) << " verify/s "
                << std::setw(9) << verify_rate << "   sign/s " << std::setw(9) << sign_rate
                << "   public_key::from_pem/s " << std::setw(8) << parse_rate << "\n"
                << std::flush;
    }
    if (with_openssl) {
      std::ostringstream secs;
      secs << std::max(1, static_cast<int>(seconds + 0.5));
      auto cmd =
        openssl + " speed -seconds " + secs.str() + " ecdsap256 ed25519 sm2 2>/dev/null";
      std::cout << "  " << cmd << "\n" << std::flush;
      auto out = run(cmd);
      std::map<algorithm, figures> this_round;
      if (!parse_speed(out, this_round)) {
        speed_ok = false;
        std::cout << "  (could not parse openssl speed output:)\n" << out;
      }
      for (auto& [x, f] : this_round) {
        std::cout << "  openssl " << std::left << std::setw(18) << hub::crypto::to_string(x)
                  << std::right << std::fixed << std::setprecision(1) << " verify/s "
                  << std::setw(9) << f.ossl_verify << "   sign/s " << std::setw(9)
                  << f.ossl_sign << "\n";
        keep_max(fig[x].ossl_verify, f.ossl_verify);
        keep_max(fig[x].ossl_sign, f.ossl_sign);
      }
    }
  }

  std::cout << "\n"
            << std::left << std::setw(18) << "algorithm" << std::right << std::setw(14)
            << "hub verify/s" << std::setw(18) << "openssl verify/s" << std::setw(7)
            << "ratio" << std::setw(12) << "hub sign/s" << std::setw(16) << "openssl sign/s"
            << std::setw(7) << "ratio" << "\n";
  bool goal = true;
  for (auto x : algorithms) {
    auto& f = fig[x];
    auto pct = [](double a, double b) {
      std::ostringstream s;
      if (b > 0)
        s << std::fixed << std::setprecision(0) << 100.0 * a / b << "%";
      else
        s << "n/a";
      return s.str();
    };
    if (f.ossl_verify > 0 && f.hub_verify < 0.9 * f.ossl_verify)
      goal = false;
    std::cout << std::left << std::setw(18) << hub::crypto::to_string(x) << std::right
              << std::fixed << std::setprecision(1) << std::setw(14) << f.hub_verify
              << std::setw(18) << f.ossl_verify << std::setw(7)
              << pct(f.hub_verify, f.ossl_verify) << std::setw(12) << f.hub_sign
              << std::setw(16) << f.ossl_sign << std::setw(7) << pct(f.hub_sign, f.ossl_sign)
              << "\n";
  }
  std::cout << "\ngoal: hub verify/s >= 90% of openssl speed verify/s: "
            << (with_openssl && speed_ok ? (goal ? "met" : "NOT met")
                                         : "not checked (no openssl speed figures)")
            << "\nload     " << bench::load_average() << " (1/5/15 min, end)\n";
  return 0;
}
