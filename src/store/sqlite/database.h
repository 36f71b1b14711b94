// The connections of one SQLite database and who may use them when. Internal to the SQLite store.
//
//   GG_TRY(auto grant, db.read([&](Connection& c) -> Result<Grant> { ... one SELECT ... }));
//   GG_TRY(db.write([&](Connection& c) -> Status { ... one INSERT, stepped to completion ... }));
//   GG_TRY(bool first, db.transaction([&](Connection& c) -> Result<bool> { ... several ... }));
//
// WAL mode lets readers run beside the writer, so a file database has one writer connection
// (guarded by a mutex: SQLite allows one writer at a time anyway) and a pool of read-only
// connections that threads borrow. An in-memory database (tests) is private to one connection, so
// there every call takes the writer. Other processes (the CLI editing users while the server
// runs) are serialised by SQLite's file locks, waited for up to the busy timeout; every
// read-modify-write starts with BEGIN IMMEDIATE so that it takes the write lock before reading.
// Writes that arrive together are committed together (group commit, transaction() below): one
// WAL write and one fsync for all of them, each acknowledged only once that commit has returned.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "core/result.h"
#include "store/sqlite/connection.h"

namespace gridgate::store::sqlite {

struct DatabaseConfig {
  std::string path;  // ":memory:" for a private in-memory database
  std::chrono::milliseconds busy_timeout{5000};
  const char* synchronous = "FULL";  // NORMAL | FULL | EXTRA
  std::size_t readers = 4;           // ignored in memory
};

class Database {
 public:
  // Creates the file (0600) if needed, opens the connections, sets WAL and the pragmas, and
  // applies the schema migrations.
  [[nodiscard]] static Result<std::unique_ptr<Database>> open(const DatabaseConfig& config);

  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;
  ~Database();

  // fn(Connection&) for reading: one statement sees one committed snapshot. SQLite drops a
  // connection's page cache whenever another connection has written since its last read, but the
  // writer keeps its own cache warm across its commits: a read takes the writer when it is free
  // and no batch of transactions is open on it (no disk reads for hot pages, measured:
  // bench/authz token scenario), and a reader otherwise, so reads never wait for a write.
  template <class F>
  std::invoke_result_t<F&, Connection&> read(F&& fn) {
    if (!readers_.empty()) {
      if (std::unique_lock lock(writer_mutex_, std::try_to_lock);
          lock.owns_lock() && batch_ == nullptr) {
        return fn(*writer_);
      }
      ReaderLease lease(*this);
      return fn(*lease.conn);
    }
    // In memory there is only the writer: wait until no uncommitted batch is open on it.
    std::unique_lock lock(writer_mutex_);
    settled_.wait(lock, [&] { return batch_ == nullptr; });
    return fn(*writer_);
  }

  // fn(Connection&) for one statement: a transaction of its own (below).
  template <class F>
  std::invoke_result_t<F&, Connection&> write(F&& fn) {
    return transaction(std::forward<F>(fn));
  }

  // fn(Connection&) on the writer, atomically: every statement of fn or none. Group commit: the
  // transactions that arrive while one runs join the same BEGIN IMMEDIATE ... COMMIT, each inside
  // a SAVEPOINT of its own that is rolled back alone if its fn fails, so that they share one WAL
  // write and one fsync. The last to join commits the batch (at most kMaxBatch members). A
  // result is returned only once the COMMIT that contains it has returned (durable per the
  // `synchronous` setting); if that COMMIT fails, or SQLite rolls the whole transaction back
  // (I/O error, disk full), every member of the batch gets the error and nothing of it is stored.
  template <class F>
  std::invoke_result_t<F&, Connection&> transaction(F&& fn) {
    waiting_.fetch_add(1);
    std::unique_lock lock(writer_mutex_);
    waiting_.fetch_sub(1);
    GG_TRY(joinBatch());
    const std::shared_ptr<Batch> batch = batch_;
    auto result = fn(*writer_);
    leaveBatch(result.has_value());
    if (!batch->settled && (waiting_.load() == 0 || batch->members >= kMaxBatch)) {
      commitBatch();
    }
    if (!result) return result;  // nothing of it was kept: no need to wait for the COMMIT
    settled_.wait(lock, [&] { return batch->settled; });
    if (!batch->outcome) return fail(batch->outcome.error());
    return result;
  }

 private:
  Database() = default;
  [[nodiscard]] static Result<std::unique_ptr<Database>> openConnections(
      const DatabaseConfig& config);

  struct ReaderLease {
    explicit ReaderLease(Database& db) : owner(db), conn(db.acquireReader()) {}
    ~ReaderLease() { owner.releaseReader(conn); }
    ReaderLease(const ReaderLease&) = delete;
    ReaderLease& operator=(const ReaderLease&) = delete;
    Database& owner;
    Connection* conn;
  };

  // A group of transactions sharing one BEGIN ... COMMIT; guarded by writer_mutex_.
  struct Batch {
    std::size_t members = 0;
    bool settled = false;  // committed or rolled back; `outcome` says which
    Status outcome;
  };
  static constexpr std::size_t kMaxBatch = 64;

  Status begin();
  Status commit();
  void rollback();
  // With writer_mutex_ held: opens a batch if none is open (BEGIN IMMEDIATE) and a SAVEPOINT for
  // this member.
  Status joinBatch();
  // Releases this member's SAVEPOINT, or rolls it back first when its fn failed. If SQLite rolled
  // the whole transaction back meanwhile, settles the batch with the error.
  void leaveBatch(bool kept);
  // COMMIT (or ROLLBACK when it fails) and settle the open batch; wakes its members.
  void commitBatch();
  void settle(Status outcome);
  Connection* acquireReader();
  void releaseReader(Connection* conn);

  std::mutex writer_mutex_;
  std::unique_ptr<Connection> writer_;
  std::condition_variable settled_;      // a batch settled (with writer_mutex_)
  std::shared_ptr<Batch> batch_;         // the open batch, if any
  std::atomic<std::size_t> waiting_{0};  // transaction() callers waiting for writer_mutex_

  std::mutex readers_mutex_;
  std::condition_variable reader_free_;
  std::vector<std::unique_ptr<Connection>> readers_;  // owned; closed before the writer
  std::vector<Connection*> free_readers_;
};

}  // namespace gridgate::store::sqlite
