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
#pragma once

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
  // (no disk reads for hot pages, measured: bench/authz token scenario) and a reader when it is
  // busy, so reads never wait for a write.
  template <class F>
  std::invoke_result_t<F&, Connection&> read(F&& fn) {
    if (readers_.empty()) return write(fn);
    if (std::unique_lock lock(writer_mutex_, std::try_to_lock); lock.owns_lock()) {
      return fn(*writer_);
    }
    ReaderLease lease(*this);
    return fn(*lease.conn);
  }

  // fn(Connection&) on the writer in autocommit mode: for one statement, atomic by itself.
  template <class F>
  std::invoke_result_t<F&, Connection&> write(F&& fn) {
    std::lock_guard lock(writer_mutex_);
    return fn(*writer_);
  }

  // fn(Connection&) on the writer inside BEGIN IMMEDIATE ... COMMIT; rolled back if fn fails or
  // the commit does. The result is returned only once COMMIT has returned (durable per the
  // `synchronous` setting).
  template <class F>
  std::invoke_result_t<F&, Connection&> transaction(F&& fn) {
    std::lock_guard lock(writer_mutex_);
    GG_TRY(begin());
    auto result = fn(*writer_);
    if (!result) {
      rollback();
      return result;
    }
    if (auto committed = commit(); !committed) {
      rollback();
      return fail(std::move(committed.error()));
    }
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

  Status begin();
  Status commit();
  void rollback();
  Connection* acquireReader();
  void releaseReader(Connection* conn);

  std::mutex writer_mutex_;
  std::unique_ptr<Connection> writer_;

  std::mutex readers_mutex_;
  std::condition_variable reader_free_;
  std::vector<std::unique_ptr<Connection>> readers_;  // owned; closed before the writer
  std::vector<Connection*> free_readers_;
};

}  // namespace gridgate::store::sqlite
