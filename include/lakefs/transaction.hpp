// Transaction: atomic, all-or-nothing changes to a branch.
//
// A transaction works on a hidden ephemeral branch ("tx-<random>") created
// from the source branch's head. Everything written there stays invisible on
// the source until the transaction commits: then the ephemeral branch is
// committed, merged into the source in one merge commit, optionally tagged,
// and removed. On failure the source branch is left exactly as it was.
//
//   auto merge = branch.transact([](lakefs::Transaction& tx) {
//     tx.object("a.csv").upload("...");
//     tx.object("old.csv").remove();
//   }, {.commit_message = "refresh", .tag = "run-42"});
//
// See docs/transactions.md.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "lakefs/branch.hpp"
#include "lakefs/models.hpp"

namespace lakefs {

struct TransactionOptions {
  /// Message of the transaction's commit and of the merge commit on the
  /// source branch; empty gives "Transaction <tx-name> on <branch>".
  std::string commit_message{};
  /// Metadata of both commits.
  Metadata commit_metadata{};
  /// Remove the ephemeral branch when the callback throws or the commit or
  /// merge fails; false keeps it for inspection (it stays hidden).
  bool delete_branch_on_error = true;
  /// Tag to create on the merge commit; empty for none.
  std::string tag{};
  /// What a transaction that changed nothing does on commit: false (the
  /// default) commits and merges nothing and returns the source branch's
  /// head commit (still tagged when a tag is asked for); true records an
  /// empty commit and merges it, so every transaction leaves a merge commit.
  bool allow_empty = false;
};

/// A running transaction: a Branch (the ephemeral one) that can be read,
/// written, listed, diffed and reset like any branch, plus the commit
/// message, metadata and tag it will be committed with.
///
/// Branch::commit() is hidden on purpose: a transaction is committed as a
/// whole with commit(), which also merges it into the source branch.
///
/// Move-only. Destroying a transaction that was neither committed nor rolled
/// back rolls it back (like an exception in transact()).
class Transaction : public Branch {
 public:
  Transaction(Transaction&&) noexcept;
  Transaction& operator=(Transaction&&) noexcept;
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction();

  /// The branch this transaction merges into.
  [[nodiscard]] const Branch& source_branch() const;

  /// Message, metadata and tag the transaction will be committed with;
  /// change them freely before commit().
  [[nodiscard]] std::string& commit_message();
  [[nodiscard]] const std::string& commit_message() const;
  [[nodiscard]] Metadata& commit_metadata();
  [[nodiscard]] const Metadata& commit_metadata() const;
  [[nodiscard]] std::string& tag();
  [[nodiscard]] const std::string& tag() const;

  /// True until commit() or rollback() has run (successfully or not).
  [[nodiscard]] bool is_open() const noexcept;

  /// Commits the ephemeral branch, merges it into the source branch, creates
  /// the tag if one is set, removes the ephemeral branch; returns the merge
  /// commit. Throws TransactionError naming the transaction and holding the
  /// cause (e.g. a ConflictError when the source changed the same paths);
  /// then the source branch is untouched and the ephemeral branch is removed
  /// unless delete_branch_on_error is false. Throws TransactionError when the
  /// transaction is no longer open.
  Commit commit();

  /// Discards the transaction: removes the ephemeral branch. The source
  /// branch never saw any of it. A no-op when no longer open.
  void rollback();

 private:
  friend class Branch;
  struct State;
  Transaction(Branch ephemeral, std::unique_ptr<State> state);
  void fail() noexcept;

  std::unique_ptr<State> state_;
};

}  // namespace lakefs
