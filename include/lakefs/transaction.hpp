// SPDX-License-Identifier: Apache-2.0
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
#include "lakefs/export.hpp"
#include "lakefs/models.hpp"

namespace lakefs {

/// Options of a transaction (Branch::transact(), Branch::begin_transaction()).
struct LAKEFS_API TransactionOptions {
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
  /// Timeout, deadline, retry policy, cancellation and extra headers of the
  /// requests the transaction itself sends (creating its branch, commit, merge,
  /// tag, removing the branch); what the callback writes takes its own.
  CallOptions call{};
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
class LAKEFS_API Transaction : public Branch {
 public:
  /// Takes over the other transaction, which is left without one.
  Transaction(Transaction&&) noexcept;
  /// Ends this transaction if it is still open, as a failure does (its branch removed unless
  /// delete_branch_on_error is false), then takes over the other one.
  Transaction& operator=(Transaction&&) noexcept;
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction();

  /// The branch this transaction merges into.
  [[nodiscard]] const Branch& source_branch() const;

  /// Message, metadata and tag the transaction will be committed with;
  /// change them freely before commit().
  [[nodiscard]] std::string& commit_message();
  /// The commit message, read-only.
  [[nodiscard]] const std::string& commit_message() const;
  /// The metadata of both commits (TransactionOptions::commit_metadata), to change.
  [[nodiscard]] Metadata& commit_metadata();
  /// The metadata of both commits, read-only.
  [[nodiscard]] const Metadata& commit_metadata() const;
  /// The tag to create on the merge commit (empty for none), to change.
  [[nodiscard]] std::string& tag();
  /// The tag to create on the merge commit, read-only.
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
  /// Its requests are sent with the transaction's TransactionOptions::call.
  Commit commit();
  /// The same, its requests sent with `call` instead.
  Commit commit(CallOptions call);

  /// Discards the transaction: removes the ephemeral branch. The source
  /// branch never saw any of it. A no-op when no longer open. The request is
  /// sent with the transaction's TransactionOptions::call.
  void rollback();
  /// The same, the request sent with `call` instead.
  void rollback(CallOptions call);

 private:
  friend class Branch;
  struct State;
  Transaction(Branch ephemeral, std::unique_ptr<State> state);
  void fail() noexcept;

  std::unique_ptr<State> state_;
};

}  // namespace lakefs
