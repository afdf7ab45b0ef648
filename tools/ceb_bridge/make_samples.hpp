#pragma once
// `swhub-ceb make-samples`: the SAMPLE CEB files of config/samples/ceb (see its
// README.md), made from tools/ceb/parcel_documents and signed with the SAMPLE keys as
// E-Port signers sign (real-signer style, each key in its own method), one folder per
// sending party so each can be sent with that party's key.

#include <string>

namespace ceb_bridge {

struct sample_settings {
  std::string out_dir = "config/samples/ceb";
  std::string keys_dir = "config/samples/ceb/keys";
  /// invtNo of the cancellation (the one a CEB622 800 receipt gave the parcel's
  /// inventory); the default is a placeholder of the right shape.
  std::string invt_no = "22492026I000000001";
};

/// Writes the files; prints one JSON line per file; returns an exit code (0 or 1).
int run_make_samples(const sample_settings& s);

} // namespace ceb_bridge
