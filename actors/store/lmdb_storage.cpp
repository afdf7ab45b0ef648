#include "actors/store/lmdb_storage.hpp"

#include <fcntl.h>
#include <pthread.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <shared_mutex>

#include <capnp/message.h>
#include <capnp/serialize.h>
#include <lmdb.h>

#include "actors/core/domain_module.hpp"
#include "actors/core/error.hpp"
#include "actors/core/frames.hpp"
#include "actors/crypto/digest.hpp"
#include "schemas/stored.capnp.h"

namespace hub {

bytes be64(uint64_t x) {
  bytes out(8);
  for (int i = 7; i >= 0; --i) {
    out[static_cast<size_t>(i)] = static_cast<uint8_t>(x & 0xff);
    x >>= 8;
  }
  return out;
}

uint64_t from_be64(const bytes& key) {
  uint64_t x = 0;
  for (size_t i = 0; i < key.size() && i < 8; ++i)
    x = (x << 8) | key[i];
  return x;
}

bytes dedupe_key(std::string_view sender, const bytes& message_id) {
  bytes out(sender.begin(), sender.end());
  out.push_back(0);
  out.insert(out.end(), message_id.begin(), message_id.end());
  return out;
}

namespace {

constexpr std::string_view core_tables[] = {table::meta,    table::documents, table::dedupe,
                                            table::outbox,  table::parties,   table::evidence};

/// The core's tables and every registered module's (domain_module::tables).
std::vector<table_spec> all_tables() {
  std::vector<table_spec> out;
  for (auto name : core_tables)
    out.push_back({std::string{name}, {}, nullptr});
  for (auto& m : modules())
    for (auto& t : m.tables)
      out.push_back(t);
  return out;
}

/// Named databases the environment may hold: every table, and the legacy name of each
/// module table while its rows move (schema version 2 to 3).
unsigned max_dbs(const std::vector<table_spec>& tables) {
  unsigned n = 0;
  for (auto& t : tables)
    n += t.legacy_name.empty() ? 1 : 2;
  return n;
}

caf::error lmdb_error(const char* op, int rc) {
  if (rc == MDB_MAP_FULL || rc == ENOSPC)
    return caf::make_error(ec::storage_full, std::string{op} + ": " + mdb_strerror(rc));
  return caf::make_error(ec::store_failure, std::string{op} + ": " + mdb_strerror(rc));
}

MDB_val as_val(const bytes& b) {
  return MDB_val{b.size(), const_cast<uint8_t*>(b.data())};
}

MDB_val as_val(kj::ArrayPtr<const kj::byte> b) {
  return MDB_val{b.size(), const_cast<kj::byte*>(b.begin())};
}

bytes to_bytes(const MDB_val& v) {
  auto* p = static_cast<const uint8_t*>(v.mv_data);
  return bytes(p, p + v.mv_size);
}

/// Owns a transaction until commit; aborts if it goes out of scope uncommitted.
struct txn_guard {
  MDB_txn* txn = nullptr;
  ~txn_guard() {
    if (txn != nullptr)
      mdb_txn_abort(txn);
  }
  int commit() {
    int rc = mdb_txn_commit(txn);
    txn = nullptr; // mdb_txn_commit frees the txn even when it fails
    return rc;
  }
};

bytes schema_version_key() {
  return bytes{'s', 'c', 'h', 'e', 'm', 'a', '-', 'v', 'e', 'r', 's', 'i', 'o', 'n'};
}

/// About how many bytes a batch writes (frames and values), to tell whether the room
/// left on the disk or in the map could take it.
int64_t approx_bytes(const write_batch& b) {
  size_t n = 0;
  auto ops = [&n](const std::vector<table_op>& xs) {
    for (auto& op : xs)
      n += op.key.size() + op.value.size();
  };
  for (auto& d : b.docs) {
    n += d.frame.size() + 256; // document, dedupe and evidence records
    ops(d.ops);
    for (auto& x : d.notices)
      n += x.notification.size();
  }
  ops(b.ops);
  for (auto& x : b.notices)
    n += x.notification.size();
  return static_cast<int64_t>(n);
}

kj::Array<capnp::word> aligned_copy(const MDB_val& v) {
  auto words = kj::heapArray<capnp::word>((v.mv_size + 7) / 8);
  std::memset(words.begin(), 0, words.size() * sizeof(capnp::word));
  std::memcpy(words.begin(), v.mv_data, v.mv_size);
  return words;
}

} // namespace

/// Read-write lock around the environment. Writer-preferring: a waiting reopen goes
/// before new readers (glibc's default prefers readers, and a steady stream of dedupe
/// lookups could hold a reopen off forever). So no reader may take it twice on one
/// thread (nested reads) while a reopen can happen; no live reader does.
class env_lock {
public:
  env_lock() {
    pthread_rwlockattr_t attr;
    pthread_rwlockattr_init(&attr);
    pthread_rwlockattr_setkind_np(&attr, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
    pthread_rwlock_init(&lock_, &attr);
    pthread_rwlockattr_destroy(&attr);
  }
  ~env_lock() { pthread_rwlock_destroy(&lock_); }
  env_lock(const env_lock&) = delete;
  env_lock& operator=(const env_lock&) = delete;
  void lock() { pthread_rwlock_wrlock(&lock_); }
  void unlock() { pthread_rwlock_unlock(&lock_); }
  void lock_shared() { pthread_rwlock_rdlock(&lock_); }
  void unlock_shared() { pthread_rwlock_unlock(&lock_); }

private:
  pthread_rwlock_t lock_;
};

struct lmdb_storage::impl {
  MDB_env* env = nullptr;
  std::map<std::string, MDB_dbi, std::less<>> dbis;
  bool read_only = false;
  int writer_lock = -1; // flock'ed while this process is the environment's writer
  /// Shared by every transaction; taken exclusively only to reopen the environment,
  /// which LMDB allows only while no transaction of this process is open.
  mutable env_lock env_mutex;
  ~impl() {
    close_env();
    if (writer_lock >= 0)
      close(writer_lock); // releases the flock
  }
  void close_env() {
    if (env != nullptr)
      mdb_env_close(env);
    env = nullptr;
    dbis.clear();
  }
  caf::expected<MDB_dbi> dbi(std::string_view name) const {
    auto i = dbis.find(name);
    if (i == dbis.end())
      return caf::make_error(ec::store_failure, "unknown table " + std::string{name});
    return i->second;
  }
  caf::error usable() const {
    if (env == nullptr)
      return caf::make_error(ec::store_failure, "the LMDB environment is closed (a reopen failed)");
    return caf::none;
  }
};

struct lmdb_storage::heads {
  uint64_t next_seq = 1;
  uint64_t next_nid = 1;
  uint64_t ev_index = 0;
  uint64_t ev_since = 0;
  int64_t ev_last_checkpoint = 0;
  bytes ev_hash = bytes(32, 0);
  int dead = 0;
  uint64_t migrated = 0; ///< rows moved from legacy tables at this open
};

namespace {

/// Moves every row of `spec.legacy_name` (if that table exists) into `to`, rewriting
/// keys with `spec.legacy_key`, then deletes the legacy table. Returns the rows moved.
caf::expected<uint64_t> move_legacy_rows(MDB_txn* txn, MDB_dbi to, const table_spec& spec) {
  MDB_dbi from;
  int rc = mdb_dbi_open(txn, spec.legacy_name.c_str(), 0, &from);
  if (rc == MDB_NOTFOUND)
    return uint64_t{0};
  if (rc != 0)
    return lmdb_error(("mdb_dbi_open " + spec.legacy_name).c_str(), rc);
  MDB_cursor* cur = nullptr;
  if ((rc = mdb_cursor_open(txn, from, &cur)) != 0)
    return lmdb_error("mdb_cursor_open", rc);
  uint64_t moved = 0;
  MDB_val k, v;
  for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0;
       rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
    auto key = to_bytes(k);
    if (spec.legacy_key)
      key = spec.legacy_key(key);
    MDB_val nk = as_val(key);
    if (int r = mdb_put(txn, to, &nk, &v, 0); r != 0) {
      mdb_cursor_close(cur);
      return lmdb_error(("moving " + spec.legacy_name + " to " + spec.name).c_str(), r);
    }
    ++moved;
  }
  mdb_cursor_close(cur);
  if (rc != MDB_NOTFOUND)
    return lmdb_error(("reading " + spec.legacy_name).c_str(), rc);
  if ((rc = mdb_drop(txn, from, 1)) != 0)
    return lmdb_error(("mdb_drop " + spec.legacy_name).c_str(), rc);
  return moved;
}

} // namespace

lmdb_storage::lmdb_storage(std::unique_ptr<impl> p) : impl_(std::move(p)) {
  // nop
}

lmdb_storage::~lmdb_storage() = default;

caf::expected<std::shared_ptr<lmdb_storage>> lmdb_storage::open(const lmdb_options& opts) {
  std::error_code fs_err;
  if (!opts.read_only)
    std::filesystem::create_directories(opts.dir, fs_err);
  if (fs_err)
    return caf::make_error(ec::store_failure, "create " + opts.dir + ": " + fs_err.message());
  auto p = std::make_unique<impl>();
  p->read_only = opts.read_only;
  if (!opts.read_only) {
    // LMDB would let a second process write too, but the sequence and evidence-chain
    // counters live in this process: one writer per data directory, enforced here.
    auto lock_path = opts.dir + "/writer.lock";
    p->writer_lock = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0640);
    if (p->writer_lock < 0)
      return caf::make_error(ec::store_failure, lock_path + ": " + std::strerror(errno));
    if (flock(p->writer_lock, LOCK_EX | LOCK_NB) != 0)
      return caf::make_error(ec::store_failure,
                             opts.dir + " is in use by another swhubd (" + lock_path
                               + " is locked); stop it or give this one another data-dir");
  }
  auto h = open_env(*p, opts);
  if (!h)
    return h.error();
  auto result = std::shared_ptr<lmdb_storage>(new lmdb_storage(std::move(p)));
  result->opts_ = opts;
  result->checkpoints_ = opts.checkpoints;
  result->adopt(*h);
  result->stale_cleared_ = h->dead;
  result->migrated_rows_ = h->migrated;
  return result;
}

void lmdb_storage::adopt(const heads& h) {
  next_seq_ = h.next_seq;
  next_nid_ = h.next_nid;
  evidence_index_ = h.ev_index;
  evidence_hash_ = h.ev_hash;
  since_checkpoint_ = h.ev_since;
  last_checkpoint_ms_ = h.ev_last_checkpoint;
}

caf::expected<lmdb_storage::heads> lmdb_storage::open_env(impl& p, const lmdb_options& opts) {
  int rc = mdb_env_create(&p.env);
  if (rc != 0)
    return lmdb_error("mdb_env_create", rc);
  mdb_env_set_mapsize(p.env, opts.map_size_mb * size_t{1024 * 1024});
  auto tables = all_tables();
  mdb_env_set_maxdbs(p.env, max_dbs(tables));
  mdb_env_set_maxreaders(p.env, opts.max_readers);
  unsigned flags = MDB_NOTLS | (opts.read_only ? MDB_RDONLY : 0u);
  rc = mdb_env_open(p.env, opts.dir.c_str(), flags, 0640);
  if (rc != 0)
    return lmdb_error(("mdb_env_open " + opts.dir).c_str(), rc);
  heads h;
  if (!opts.read_only)
    mdb_reader_check(p.env, &h.dead); // slots left by a process killed mid-read
  txn_guard tx;
  rc = mdb_txn_begin(p.env, nullptr, opts.read_only ? MDB_RDONLY : 0u, &tx.txn);
  if (rc != 0)
    return lmdb_error("mdb_txn_begin", rc);
  auto open_table = [&](std::string_view name) -> caf::error {
    MDB_dbi dbi;
    int r = mdb_dbi_open(tx.txn, std::string{name}.c_str(), opts.read_only ? 0u : MDB_CREATE, &dbi);
    if (r == MDB_NOTFOUND && opts.read_only && name != table::meta)
      return caf::none; // a table a later version added; the next writer creates it
    if (r != 0)
      return lmdb_error(("mdb_dbi_open " + std::string{name}).c_str(), r);
    p.dbis.emplace(std::string{name}, dbi);
    return caf::none;
  };
  // Schema version first: written once by the first start, checked by every later one
  // before any other table is opened (an older database may lack some).
  if (auto err = open_table(table::meta)) {
    if (opts.read_only)
      return caf::make_error(ec::store_failure, opts.dir + ": not an swhub database");
    return err;
  }
  bytes vkey = schema_version_key();
  MDB_val k = as_val(vkey), v;
  rc = mdb_get(tx.txn, p.dbis["meta"], &k, &v);
  uint64_t stored_version = storage_schema_version;
  bool fresh = rc == MDB_NOTFOUND;
  if (fresh) {
    if (opts.read_only)
      return caf::make_error(ec::store_failure, opts.dir + ": not an swhub database");
  } else if (rc != 0) {
    return lmdb_error("mdb_get schema-version", rc);
  } else {
    stored_version = from_be64(to_bytes(v));
    // Moving version 2 needs the modules' table lists: without them its rows would be
    // left behind under names nothing reads.
    if (stored_version == 2 && !opts.read_only && modules().empty())
      return caf::make_error(ec::store_failure,
                             opts.dir + ": database schema version 2 needs the domain modules "
                                        "registered to be upgraded (register_builtin_modules)");
    if (stored_version != storage_schema_version && stored_version != 2)
      return caf::make_error(ec::store_failure,
                             opts.dir + ": database schema version "
                               + std::to_string(stored_version) + ", this build reads "
                               + "versions 2 and " + std::to_string(storage_schema_version)
                               + " (move the old data directory aside)");
  }
  for (auto& t : tables) {
    if (t.name == table::meta)
      continue;
    if (auto err = open_table(t.name))
      return err;
    if (t.legacy_name.empty() || stored_version != 2)
      continue;
    // Version 2 kept module tables under their names before modules: a writer moves
    // the rows, a reader reads them where they are.
    if (opts.read_only) {
      if (p.dbis.count(t.name) == 0 && !t.legacy_key) {
        MDB_dbi old;
        if (mdb_dbi_open(tx.txn, t.legacy_name.c_str(), 0, &old) == 0)
          p.dbis.emplace(t.name, old);
      }
    } else if (auto moved = move_legacy_rows(tx.txn, p.dbis[t.name], t); !moved) {
      return moved.error();
    } else {
      h.migrated += *moved;
    }
  }
  if (!opts.read_only && (fresh || stored_version != storage_schema_version)) {
    auto ver = be64(storage_schema_version);
    MDB_val vv = as_val(ver);
    if ((rc = mdb_put(tx.txn, p.dbis["meta"], &k, &vv, 0)) != 0)
      return lmdb_error("mdb_put schema-version", rc);
  }
  // Counters: the next document sequence follows the last stored document; the next
  // notification id is kept in meta because acknowledged entries are erased.
  MDB_cursor* cur = nullptr;
  if ((rc = mdb_cursor_open(tx.txn, p.dbis["documents"], &cur)) != 0)
    return lmdb_error("mdb_cursor_open", rc);
  MDB_val ck, cv;
  if (mdb_cursor_get(cur, &ck, &cv, MDB_LAST) == 0)
    h.next_seq = from_be64(to_bytes(ck)) + 1;
  mdb_cursor_close(cur);
  bytes nkey{'n', 'e', 'x', 't', '-', 'n', 'i', 'd'};
  MDB_val nk = as_val(nkey), nv;
  if (mdb_get(tx.txn, p.dbis["meta"], &nk, &nv) == 0)
    h.next_nid = from_be64(to_bytes(nv));
  // Evidence head, and how many records the next checkpoint must cover.
  if ((rc = mdb_cursor_open(tx.txn, p.dbis["evidence"], &cur)) != 0)
    return lmdb_error("mdb_cursor_open", rc);
  for (rc = mdb_cursor_get(cur, &ck, &cv, MDB_LAST); rc == 0;
       rc = mdb_cursor_get(cur, &ck, &cv, MDB_PREV)) {
    auto e = decode_evidence(to_bytes(cv));
    if (!e)
      break;
    if (h.ev_index == 0) {
      h.ev_index = e->index;
      h.ev_hash = e->hash;
    }
    if (e->kind == evidence_entry::checkpoint) {
      h.ev_last_checkpoint = e->hub_time;
      break;
    }
    if (++h.ev_since > opts.checkpoints.every)
      break;
  }
  mdb_cursor_close(cur);
  // Committed even when read-only: an aborted transaction would close the table
  // handles it opened.
  if ((rc = tx.commit()) != 0)
    return lmdb_error("mdb_txn_commit (open)", rc);
  return h;
}

caf::error lmdb_storage::reopen() {
  std::unique_lock<env_lock> guard{impl_->env_mutex};
  impl_->close_env();
  auto h = open_env(*impl_, opts_);
  if (!h) {
    impl_->close_env();
    return caf::make_error(ec::store_failure, "reopening " + opts_.dir + " after MDB_PANIC: "
                                                + context_text(h.error()));
  }
  // A failed commit moves no counter, so the environment must agree with memory; if
  // it does not, what is stored wins.
  adopt(*h);
  ++reopens_;
  return caf::none;
}

caf::error lmdb_storage::fail(const char* op, int rc, int64_t needed) {
  auto room = std::max<int64_t>(needed, static_cast<int64_t>(opts_.min_free_bytes));
  failure_ = classify_write_error(rc, opts_.dir, room);
  failed_bytes_ = needed;
  return write_error(op, rc, opts_.dir, room, opts_.map_size_mb);
}

caf::error lmdb_storage::probe() {
  if (impl_->read_only)
    return caf::make_error(ec::store_failure, "storage opened read-only");
  auto needed = std::max<int64_t>(failed_bytes_, static_cast<int64_t>(opts_.min_free_bytes));
  // Room first: a small write can succeed on a full disk (or map) by reusing pages
  // LMDB freed earlier, and the next real batch would fail again at once.
  if (failure_ == write_failure::map_full) {
    std::shared_lock<env_lock> guard{impl_->env_mutex};
    if (auto err = impl_->usable())
      return err;
    MDB_envinfo info;
    MDB_stat st;
    mdb_env_info(impl_->env, &info);
    mdb_env_stat(impl_->env, &st);
    auto room = static_cast<int64_t>(info.me_mapsize)
                - static_cast<int64_t>(info.me_last_pgno + 1) * static_cast<int64_t>(st.ms_psize);
    if (room < needed)
      return caf::make_error(ec::storage_full,
                             "map full: " + format_bytes(room) + " left of the LMDB map of "
                               + std::to_string(opts_.map_size_mb) + " MiB (MDB_MAP_FULL), "
                               + format_bytes(needed) + " needed; free disk space does not "
                               + "help: raise store.map-size-mb and restart");
  }
  auto free = free_bytes(opts_.dir);
  if (free >= 0 && free < needed) {
    return caf::make_error(ec::storage_full, "disk full: " + opts_.dir + " has "
                                               + format_bytes(free) + " free, "
                                               + format_bytes(needed) + " needed to resume");
  }
  // Then the smallest real write: the schema version rewritten with its own value. It
  // dirties and writes pages, syncs and writes a meta page like every commit, but
  // changes no record, uses no sequence and appends no evidence.
  for (int attempt = 0; attempt < 2; ++attempt) {
    int rc = 0;
    {
      std::shared_lock<env_lock> guard{impl_->env_mutex};
      if (impl_->env == nullptr) {
        rc = MDB_PANIC; // a reopen failed before: try it again
      } else {
        txn_guard tx;
        rc = mdb_txn_begin(impl_->env, nullptr, 0, &tx.txn);
        if (rc == 0) {
          auto key = schema_version_key();
          auto val = be64(storage_schema_version);
          MDB_val k = as_val(key), v = as_val(val);
          rc = mdb_put(tx.txn, impl_->dbis["meta"], &k, &v, 0);
          if (rc == 0)
            rc = tx.commit();
          if (rc == 0) {
            failure_ = write_failure::none;
            failed_bytes_ = 0;
            return caf::none;
          }
        }
      }
    }
    if (rc != MDB_PANIC || attempt > 0)
      return fail("probe commit", rc, needed);
    // A failed meta-page write left the environment unusable (MDB_FATAL_ERROR): every
    // transaction now fails with MDB_PANIC until it is closed and opened again.
    if (auto err = reopen())
      return err;
  }
  return caf::make_error(ec::store_failure, "probe commit: not reached");
}

caf::expected<batch_result> lmdb_storage::commit(const write_batch& batch, int64_t hub_time) {
  if (impl_->read_only)
    return caf::make_error(ec::store_failure, "storage opened read-only");
  if (batch.docs.empty() && batch.ops.empty() && batch.decisions.empty() && batch.notices.empty()
      && (!batch.checkpoint || since_checkpoint_ == 0 || !checkpoints_.sign))
    return batch_result{}; // nothing to write: no transaction, no fsync
  std::shared_lock<env_lock> guard{impl_->env_mutex};
  if (auto err = impl_->usable())
    return err;
  auto needed = approx_bytes(batch);
  txn_guard tx;
  int rc = mdb_txn_begin(impl_->env, nullptr, 0, &tx.txn);
  if (rc != 0)
    return fail("mdb_txn_begin", rc, needed);
  auto seq = next_seq_;
  auto nid = next_nid_;
  // The evidence chain advances in this transaction; the members move only on commit.
  auto ev_index = evidence_index_;
  auto ev_hash = evidence_hash_;
  auto ev_since = since_checkpoint_;
  auto ev_last_checkpoint = last_checkpoint_ms_;
  MDB_dbi evidence = impl_->dbis["evidence"];
  auto append = [&](evidence_entry e) -> int {
    e.index = ++ev_index;
    e.prev_hash = ev_hash;
    e.hub_time = hub_time;
    e.hash = evidence_hash(e);
    auto key = be64(e.index);
    auto val = encode(e);
    MDB_val k = as_val(key), v = as_val(val);
    ev_hash = e.hash;
    if (e.kind == evidence_entry::checkpoint) {
      ev_since = 0;
      ev_last_checkpoint = hub_time;
    } else {
      ++ev_since;
    }
    return mdb_put(tx.txn, evidence, &k, &v, MDB_APPEND);
  };
  // One put or erase in a named table (an erase of a missing key is fine).
  auto apply = [&](const table_op& op) -> caf::error {
    auto dbi = impl_->dbi(op.table);
    if (!dbi)
      return dbi.error();
    MDB_val k = as_val(op.key), v = as_val(op.value);
    int r = op.erase ? mdb_del(tx.txn, *dbi, &k, nullptr) : mdb_put(tx.txn, *dbi, &k, &v, 0);
    if (r != 0 && !(op.erase && r == MDB_NOTFOUND))
      return fail(op.erase ? "mdb_del" : "mdb_put", r, needed);
    return caf::none;
  };
  auto append_decision = [&](const decision_record& dr, uint64_t sequence) -> int {
    evidence_entry e;
    e.kind = evidence_entry::decision;
    e.party = dr.party;
    e.message_id = dr.message_id;
    e.sequence = sequence;
    e.digest = dr.digest;
    e.detail = dr.detail;
    return append(std::move(e));
  };
  // outbox[nid]: a prebuilt status notification for its recipient.
  auto enqueue = [&](const notice& n, uint64_t id) -> int {
    capnp::MallocMessageBuilder mb;
    auto r = mb.initRoot<stored::OutboxEntry>();
    r.setRecipient(n.recipient);
    r.setCreatedAt(hub_time);
    r.setNotification(kj::arrayPtr(n.notification.data(), n.notification.size()));
    auto flat = capnp::messageToFlatArray(mb);
    auto nk = be64(id);
    MDB_val nk_v = as_val(nk), val = as_val(flat.asBytes());
    return mdb_put(tx.txn, impl_->dbis["outbox"], &nk_v, &val, MDB_NOOVERWRITE);
  };
  batch_result result;
  result.docs.reserve(batch.docs.size());
  MDB_dbi docs = impl_->dbis["documents"], dedupe = impl_->dbis["dedupe"],
          outbox = impl_->dbis["outbox"], meta = impl_->dbis["meta"];
  for (auto& d : batch.docs) {
    auto key = dedupe_key(d.sender, d.message_id);
    MDB_val k = as_val(key), v;
    rc = mdb_get(tx.txn, dedupe, &k, &v);
    if (rc == 0) { // already stored (possibly earlier in this very batch)
      auto words = aligned_copy(v);
      capnp::FlatArrayMessageReader rd{words};
      auto e = rd.getRoot<stored::DedupeEntry>();
      document_commit dc;
      dc.existed = true;
      dc.sequence = e.getSequence();
      dc.hub_time = e.getHubTime();
      auto dg = e.getDigest();
      dc.digest.assign(dg.begin(), dg.end());
      dc.evidence_index = e.getEvidenceIndex();
      auto eh = e.getEvidenceHash();
      dc.evidence_hash.assign(eh.begin(), eh.end());
      result.docs.push_back(std::move(dc));
      continue;
    }
    if (rc != MDB_NOTFOUND)
      return fail("mdb_get dedupe", rc, needed);
    document_commit dc;
    dc.sequence = seq++;
    dc.hub_time = hub_time;
    dc.digest = d.digest;
    { // documents[seq]
      capnp::MallocMessageBuilder mb;
      auto r = mb.initRoot<stored::StoredDocument>();
      r.setSequence(dc.sequence);
      r.setSender(d.sender);
      r.setMessageId(kj::arrayPtr(d.message_id.data(), d.message_id.size()));
      r.setDocumentType(d.document_type);
      r.setRecipient(d.recipient);
      r.setDigest(kj::arrayPtr(d.digest.data(), d.digest.size()));
      r.setHubTime(hub_time);
      r.setFrame(kj::arrayPtr(d.frame.data(), d.frame.size()));
      auto flat = capnp::messageToFlatArray(mb);
      auto sk = be64(dc.sequence);
      MDB_val sk_v = as_val(sk), val = as_val(flat.asBytes());
      if ((rc = mdb_put(tx.txn, docs, &sk_v, &val, MDB_APPEND)) != 0)
        return fail("mdb_put documents", rc, needed);
    }
    { // evidence: the accepted document's digest; its receipt and dedupe record
      // carry the record's index and hash
      evidence_entry e;
      e.kind = evidence_entry::document;
      e.sequence = dc.sequence;
      e.party = d.sender;
      e.message_id = d.message_id;
      e.digest = d.digest;
      e.frame_hash = sha256(d.frame.data(), d.frame.size());
      if ((rc = append(std::move(e))) != 0)
        return fail("mdb_put evidence", rc, needed);
      dc.evidence_index = ev_index;
      dc.evidence_hash = ev_hash;
    }
    { // dedupe[sender \0 message id]
      capnp::MallocMessageBuilder mb;
      auto r = mb.initRoot<stored::DedupeEntry>();
      r.setSequence(dc.sequence);
      r.setDigest(kj::arrayPtr(d.digest.data(), d.digest.size()));
      r.setHubTime(hub_time);
      r.setDocumentType(d.document_type);
      r.setRecipient(d.recipient);
      if (!d.case_key.empty())
        r.setCaseKey(kj::arrayPtr(reinterpret_cast<const uint8_t*>(d.case_key.data()),
                                  d.case_key.size()));
      r.setEvidenceIndex(dc.evidence_index);
      r.setEvidenceHash(kj::arrayPtr(dc.evidence_hash.data(), dc.evidence_hash.size()));
      auto flat = capnp::messageToFlatArray(mb);
      MDB_val val = as_val(flat.asBytes());
      if ((rc = mdb_put(tx.txn, dedupe, &k, &val, MDB_NOOVERWRITE)) != 0)
        return fail("mdb_put dedupe", rc, needed);
    }
    for (auto& op : d.ops) // state the document changes, only because it is new
      if (auto err = apply(op))
        return err;
    for (auto& dr : d.decisions)
      if ((rc = append_decision(dr, dc.sequence)) != 0)
        return fail("mdb_put evidence", rc, needed);
    if (d.deliver) { // outbox[nid]: deliver the document to its recipient
      dc.notification_id = nid++;
      capnp::MallocMessageBuilder mb;
      auto r = mb.initRoot<stored::OutboxEntry>();
      r.setRecipient(d.recipient);
      r.setCreatedAt(hub_time);
      r.setDeliverySequence(dc.sequence);
      auto flat = capnp::messageToFlatArray(mb);
      auto nk = be64(dc.notification_id);
      MDB_val nk_v = as_val(nk), val = as_val(flat.asBytes());
      if ((rc = mdb_put(tx.txn, outbox, &nk_v, &val, MDB_NOOVERWRITE)) != 0)
        return fail("mdb_put outbox", rc, needed);
    }
    for (auto& n : d.notices) {
      dc.notice_ids.push_back(nid);
      if ((rc = enqueue(n, nid++)) != 0)
        return fail("mdb_put outbox", rc, needed);
    }
    result.docs.push_back(std::move(dc));
  }
  for (auto& n : batch.notices) {
    result.notice_ids.push_back(nid);
    if ((rc = enqueue(n, nid++)) != 0)
      return fail("mdb_put outbox", rc, needed);
  }
  for (auto& op : batch.ops)
    if (auto err = apply(op))
      return err;
  for (auto& dr : batch.decisions)
    if ((rc = append_decision(dr, dr.sequence)) != 0)
      return fail("mdb_put evidence", rc, needed);
  // A signed checkpoint over the chain head, every N records or T ms.
  if (checkpoints_.sign && ev_since > 0
      && (batch.checkpoint || ev_since >= checkpoints_.every
          || hub_time - ev_last_checkpoint >= checkpoints_.interval_ms)) {
    evidence_entry e;
    e.kind = evidence_entry::checkpoint;
    auto sig = checkpoints_.sign(checkpoint_signing_input(ev_index + 1, ev_hash));
    if (!sig)
      return sig.error();
    e.checkpoint_key_id = sig->first;
    e.checkpoint_signature = sig->second;
    if ((rc = append(std::move(e))) != 0)
      return fail("mdb_put evidence", rc, needed);
  }
  if (ev_index != evidence_index_) { // meta[evidence-head]: where this commit left the chain
    bytes hkey(evidence_head_key.begin(), evidence_head_key.end());
    auto hval = encode_head({ev_index, ev_hash});
    MDB_val k = as_val(hkey), v = as_val(hval);
    if ((rc = mdb_put(tx.txn, meta, &k, &v, 0)) != 0)
      return fail("mdb_put meta", rc, needed);
  }
  if (nid != next_nid_) {
    bytes nkey{'n', 'e', 'x', 't', '-', 'n', 'i', 'd'};
    auto nval = be64(nid);
    MDB_val k = as_val(nkey), v = as_val(nval);
    if ((rc = mdb_put(tx.txn, meta, &k, &v, 0)) != 0)
      return fail("mdb_put meta", rc, needed);
  }
  if ((rc = tx.commit()) != 0)
    return fail("mdb_txn_commit", rc, needed);
  // Only a committed transaction moves the counters and the chain head.
  next_seq_ = seq;
  next_nid_ = nid;
  evidence_index_ = ev_index;
  evidence_hash_ = ev_hash;
  since_checkpoint_ = ev_since;
  last_checkpoint_ms_ = ev_last_checkpoint;
  result.commit = ++commits_;
  return result;
}

caf::expected<bytes> lmdb_storage::get(std::string_view tbl, const bytes& key) const {
  std::shared_lock<env_lock> guard{impl_->env_mutex};
  if (auto err = impl_->usable())
    return err;
  auto dbi = impl_->dbi(tbl);
  if (!dbi)
    return dbi.error();
  txn_guard tx;
  int rc = mdb_txn_begin(impl_->env, nullptr, MDB_RDONLY, &tx.txn);
  if (rc != 0)
    return lmdb_error("mdb_txn_begin (read)", rc);
  MDB_val k = as_val(key), v;
  rc = mdb_get(tx.txn, *dbi, &k, &v);
  if (rc == MDB_NOTFOUND)
    return caf::make_error(ec::not_found, std::string{tbl});
  if (rc != 0)
    return lmdb_error("mdb_get", rc);
  return to_bytes(v); // copied out before the read transaction ends
}

caf::error lmdb_storage::for_each(std::string_view tbl,
                                  const std::function<bool(const bytes&, const bytes&)>& fn)
  const {
  std::shared_lock<env_lock> guard{impl_->env_mutex};
  if (auto err = impl_->usable())
    return err;
  auto dbi = impl_->dbi(tbl);
  if (!dbi)
    return dbi.error();
  txn_guard tx;
  int rc = mdb_txn_begin(impl_->env, nullptr, MDB_RDONLY, &tx.txn);
  if (rc != 0)
    return lmdb_error("mdb_txn_begin (read)", rc);
  MDB_cursor* cur = nullptr;
  if ((rc = mdb_cursor_open(tx.txn, *dbi, &cur)) != 0)
    return lmdb_error("mdb_cursor_open", rc);
  MDB_val k, v;
  for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0;
       rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT))
    if (!fn(to_bytes(k), to_bytes(v)))
      break;
  mdb_cursor_close(cur);
  return caf::none;
}

std::map<std::string, uint64_t> lmdb_storage::counts() const {
  std::map<std::string, uint64_t> out;
  std::shared_lock<env_lock> guard{impl_->env_mutex};
  if (impl_->env == nullptr)
    return out;
  txn_guard tx;
  if (mdb_txn_begin(impl_->env, nullptr, MDB_RDONLY, &tx.txn) != 0)
    return out;
  for (auto& [name, dbi] : impl_->dbis) {
    MDB_stat st;
    if (mdb_stat(tx.txn, dbi, &st) == 0)
      out[name] = st.ms_entries;
  }
  return out;
}

std::map<std::string, uint64_t> lmdb_storage::env_info() const {
  MDB_envinfo info;
  MDB_stat st;
  std::shared_lock<env_lock> guard{impl_->env_mutex};
  if (impl_->env == nullptr)
    return {};
  mdb_env_info(impl_->env, &info);
  mdb_env_stat(impl_->env, &st);
  return {{"map-size-bytes", info.me_mapsize},
          {"pages-used", info.me_last_pgno + 1},
          {"page-size", st.ms_psize},
          {"max-readers", info.me_maxreaders},
          {"readers-in-use", info.me_numreaders},
          {"last-transaction", info.me_last_txnid}};
}

} // namespace hub
