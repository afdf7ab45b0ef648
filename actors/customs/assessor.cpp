#include "actors/customs/assessor.hpp"

#include <random>

#include <caf/all.hpp>

#include "actors/core/error.hpp"
#include "actors/core/frames.hpp"
#include "actors/core/log.hpp"
#include "actors/customs/clearance_state.hpp"
#include "actors/customs/customs_documents.hpp"

namespace hub::customs {

namespace {

using namespace detail;

struct assessor_state {
  static inline const char* name = "customs-assessor";
  customs_deps d;
  std::shared_ptr<const step1_board> board;
  clearance_actor clearance;
  std::mt19937_64 seeds{random_device_seed()};
};

using assessor_ptr = lodge_actor::stateful_pointer<assessor_state>;

lodge_actor::behavior_type assessor(assessor_ptr self, customs_deps deps,
                                    std::shared_ptr<const step1_board> board, clearance_actor clearance) {
  self->state.d = std::move(deps);
  self->state.board = std::move(board);
  self->state.clearance = std::move(clearance);
  return {
    [self](atom::status) { return std::string{"customs-assessor"}; },
    [self](atom::lodge, document_write& w) -> caf::result<document_commit> {
      auto& st = self->state;
      if (w.document_type != doc::declaration) // everything else is decided by clearance
        return self->delegate(st.clearance, atom::lodge_v, std::move(w));
      std::shared_ptr<prepared> pre;
      caf::error err;
      try {
        err = with_document<wire::Declaration>(w, [&](wire::Declaration::Reader d) -> caf::error {
          auto pr = prepare_declaration(st.d, *st.board, d, w.sender, st.seeds(), now_ms());
          if (!pr)
            return pr.error();
          pre = std::make_shared<prepared>(std::move(*pr));
          return caf::error{};
        });
      } catch (const std::exception& e) {
        log::error("customs-assessor", "declaration from " + w.sender + " failed: " + e.what());
        err = caf::make_error(ec::hub_busy, "the customs desk could not assess this declaration; retry later");
      }
      if (err)
        return err;
      return self->delegate(st.clearance, atom::lodge_v, std::move(w), prepared_ref{std::move(pre)});
    },
  };
}

} // namespace

std::vector<lodge_actor> spawn_assessors(caf::actor_system& sys, size_t n, const customs_deps& deps,
                                         std::shared_ptr<const step1_board> board,
                                         clearance_actor clearance) {
  std::vector<lodge_actor> out;
  for (size_t i = 0; i < n; ++i)
    out.push_back(sys.spawn(assessor, deps, board, clearance));
  return out;
}

} // namespace hub::customs
