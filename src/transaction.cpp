// SPDX-License-Identifier: Apache-2.0
#include "lakefs/transaction.hpp"

#include <chrono>
#include <cstdio>
#include <exception>
#include <optional>
#include <random>
#include <string_view>
#include <utility>

#include "lakefs/errors.hpp"
#include "lakefs/repository.hpp"
#include "lakefs/tag.hpp"
#include "model/convert.hpp"
#include "transaction_names.hpp"
#include "util/date.hpp"

namespace lakefs {

namespace {

// "tx-YYYYMMDD-HHMMSS-" (UTC start) + 12 of [a-z0-9]: matches lakeFS's branch
// rule ^\w[-\w]*$, tells a leftover's age from its name alone, and makes a
// collision between concurrent transactions practically impossible.
constexpr std::string_view kPrefix = "tx-";
constexpr std::size_t kRandomChars = 12;

std::string ephemeral_branch_name(Timestamp started) {
  static constexpr char alphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  thread_local std::mt19937_64 rng{std::random_device{}()};
  std::uniform_int_distribution<std::size_t> pick(0, sizeof alphabet - 2);
  const auto day = std::chrono::floor<std::chrono::days>(started);
  const std::chrono::year_month_day date{day};
  const std::chrono::hh_mm_ss time{started - day};
  char stamp[32];
  std::snprintf(stamp, sizeof stamp, "%04d%02u%02u-%02d%02d%02d-", static_cast<int>(date.year()),
                static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                static_cast<int>(time.hours().count()), static_cast<int>(time.minutes().count()),
                static_cast<int>(time.seconds().count()));
  std::string name(kPrefix);
  name += stamp;
  for (std::size_t i = 0; i < kRandomChars; ++i) name += alphabet[pick(rng)];
  return name;
}

// Best effort: a failure to remove must never hide the error being reported. Sent with the call's timeout,
// deadline and headers but not its stop token: a cancelled transaction still removes its branch (no orphan).
void remove_quietly(Branch& branch, const CallOptions& call) noexcept {
  try {
    RemoveOptions options{.call = call};
    options.call.stop = {};
    branch.remove(std::move(options));
  } catch (...) {
  }
}

// Whether the failed request may still have been applied by the server: sent
// with no answer, or answered by a gateway that lost the server's answer.
bool outcome_unknown(const std::exception_ptr& e) {
  try {
    std::rethrow_exception(e);
  } catch (const TransportError& error) {
    return error.outcome_unknown();
  } catch (const ServerError& error) {
    return error.status() == 502 || error.status() == 504;
  } catch (...) {
    return false;
  }
}

std::string describe(const std::exception_ptr& e) {
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& ex) {
    return ex.what();
  } catch (...) {
    return "unknown error";
  }
}

}  // namespace

namespace detail {

std::optional<Timestamp> transaction_started(std::string_view branch) {
  // tx-YYYYMMDD-HHMMSS-xxxxxxxxxxxx
  if (branch.size() != kPrefix.size() + 16 + kRandomChars || !branch.starts_with(kPrefix)) return std::nullopt;
  const auto body = branch.substr(kPrefix.size());
  if (body[15] != '-') return std::nullopt;
  for (const char c : body.substr(16)) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) return std::nullopt;
  }
  return parse_date(body.substr(0, 15), DateFormat::transaction_stamp);
}

}  // namespace detail

struct Transaction::State {
  enum class Phase { open, committed, rolled_back, failed };

  Branch source;
  /// The source head the ephemeral branch was created from.
  std::string base_commit;
  TransactionOptions options;
  Phase phase = Phase::open;
  /// std::uncaught_exceptions() when the transaction began: the destructor's "unwinding" test.
  int uncaught_exceptions = std::uncaught_exceptions();
  /// The merge commit, once committed.
  std::optional<Commit> result{};
};

Transaction::Transaction(Branch ephemeral, std::unique_ptr<State> state)
    : Branch(std::move(ephemeral)), state_(std::move(state)) {}

Transaction::Transaction(Transaction&&) noexcept = default;
Transaction& Transaction::operator=(Transaction&& other) noexcept {
  if (this != &other) {
    if (state_ && state_->phase == State::Phase::open) fail();
    Branch::operator=(std::move(other));
    state_ = std::move(other.state_);
  }
  return *this;
}

Transaction::~Transaction() {
  if (!state_ || state_->phase != State::Phase::open) return;
  if (std::uncaught_exceptions() <= state_->uncaught_exceptions) {
    // Left normally, neither committed nor rolled back: rolled back all the same (a merge is not made on a scope's
    // exit), but said, as a forgotten commit() is likely a mistake.
    try {
      const auto& logger = detail::channel_of(client_).logger();
      if (logger.enabled(LogLevel::warning)) {
        logger.write(LogLevel::warning, "transaction '" + id_ + "' on " + repo_id_ + "/" + state_->source.id() +
                                            " left its scope without commit() or rollback(): rolled back");
      }
    } catch (...) {
      // the rollback matters more than the line
    }
  }
  fail();
}

const Branch& Transaction::source_branch() const { return state_->source; }
std::string& Transaction::commit_message() { return state_->options.commit_message; }
const std::string& Transaction::commit_message() const { return state_->options.commit_message; }
Metadata& Transaction::commit_metadata() { return state_->options.commit_metadata; }
const Metadata& Transaction::commit_metadata() const { return state_->options.commit_metadata; }
std::string& Transaction::tag() { return state_->options.tag; }
const std::string& Transaction::tag() const { return state_->options.tag; }
bool Transaction::is_open() const noexcept { return state_ && state_->phase == State::Phase::open; }

void Transaction::fail() noexcept {
  state_->phase = State::Phase::failed;
  if (state_->options.delete_branch_on_error) remove_quietly(*this, state_->options.call);
}

void Transaction::rollback() {
  if (!is_open()) return;
  rollback(state_->options.call);
}

void Transaction::rollback(CallOptions call) {
  if (!is_open()) return;
  state_->phase = State::Phase::rolled_back;
  remove_quietly(*this, call);
}

Commit Transaction::commit() {
  if (!is_open()) return commit(CallOptions{});  // throws: no longer open
  return commit(state_->options.call);
}

Commit Transaction::commit(CallOptions call) {
  const std::string what = "transaction '" + id_ + "' on " + repo_id_ + "/" + (state_ ? state_->source.id() : "?");
  if (!is_open()) throw TransactionError(what + " is no longer open (already committed or rolled back)", nullptr);
  auto& s = *state_;
  auto& options = s.options;
  if (options.commit_message.empty()) options.commit_message = "Transaction " + id_ + " on " + s.source.id();

  std::string stage = "checking the tag";
  std::string merged;  // set once the source branch has changed
  try {
    if (!options.tag.empty()) {
      // Checked before anything is committed or merged: creating the tag after the merge would fail with the
      // server's 409 only once the source branch had already changed (a half-applied transaction).
      std::optional<std::string> tagged;
      try {
        tagged = Tag(repo_id_, options.tag, client_).get_commit(call).id;
      } catch (const NotFoundError&) {
      }
      if (tagged) {
        throw LocalPreconditionError("tag '" + options.tag + "' already exists in '" + repo_id_ + "' (on commit " +
                                     *tagged + "); nothing was committed or merged");
      }
    }

    stage = "looking for changes";
    const bool staged = !uncommitted({.max_amount = 1, .call = call}).to_vector().empty();
    const bool committed_inside = head(call).id() != s.base_commit;  // e.g. object(p).upload(d).commit(m)

    Commit result;
    if (!staged && !committed_inside && !options.allow_empty) {
      // Nothing changed: nothing to commit or merge. The source's head is the state this transaction published.
      stage = "reading the source head";
      result = s.source.head(call).get_commit(call);
      merged = result.id;
    } else {
      if (staged || !committed_inside) {
        stage = "commit";
        (void)Branch::commit(options.commit_message,
                             {.metadata = options.commit_metadata, .allow_empty = options.allow_empty, .call = call});
      }
      stage = "merge";
      merged = merge_into(s.source, {.message = options.commit_message,
                                     .metadata = options.commit_metadata,
                                     .allow_empty = options.allow_empty,
                                     .call = call});
      stage = "reading the merge commit";
      result = Reference(repo_id_, merged, client_).get_commit(call);
    }
    s.phase = State::Phase::committed;
    s.result = result;
    remove_quietly(*this, call);
    if (!options.tag.empty()) {
      stage = "tagging";
      Tag(repo_id_, options.tag, client_).create(result.id, {.call = call});
    }
    return result;
  } catch (...) {
    const auto cause = std::current_exception();
    if (s.phase == State::Phase::open) fail();
    if (merged.empty() && stage == "merge" && outcome_unknown(cause)) {
      // The merge request went out and its answer was lost: it may have landed on the source branch.
      throw TransactionError(what + " failed at merge and the merge may have been applied to '" + s.source.id() +
                                 "' (no answer came back; it was not re-sent): check the source branch's head "
                                 "before running the transaction again: " +
                                 describe(cause),
                             cause);
    }
    if (merged.empty()) {
      throw TransactionError(what + " failed at " + stage + " (source branch untouched): " + describe(cause), cause);
    }
    throw TransactionError(what + " was merged as " + merged + " but failed at " + stage + ": " + describe(cause),
                           cause);
  }
}

Transaction Branch::begin_transaction() { return begin_transaction(TransactionOptions{}); }

Transaction Branch::begin_transaction(TransactionOptions options) {
  detail::require_non_empty(repo_id_, "repository id");
  detail::require_non_empty(id_, "branch id");
  auto base_commit = head(options.call).id();
  auto state = std::make_unique<Transaction::State>(
      Transaction::State{.source = *this, .base_commit = std::move(base_commit), .options = std::move(options)});
  // Pinned to the head just read, so "what changed in the transaction" is exactly the ephemeral branch's diff.
  for (int attempt = 0;; ++attempt) {
    const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
    Branch ephemeral(repo_id_, ephemeral_branch_name(now), client_);
    try {
      ephemeral.create(state->base_commit, {.hidden = true, .call = state->options.call});
    } catch (const ConflictError&) {
      if (attempt < 2) continue;  // name taken (vanishingly rare): draw another
      throw;
    }
    return Transaction(std::move(ephemeral), std::move(state));
  }
}

Commit Branch::transact(const std::function<void(Transaction&)>& fn) { return transact(fn, TransactionOptions{}); }

Commit Branch::transact(const std::function<void(Transaction&)>& fn, TransactionOptions options) {
  if (!fn) throw InvalidArgumentError("transaction callback must not be empty");
  const CallOptions call = options.call;
  auto tx = begin_transaction(std::move(options));
  try {
    fn(tx);
  } catch (...) {
    if (tx.is_open()) tx.fail();
    throw;  // the caller's own exception, unchanged
  }
  if (tx.is_open()) return tx.commit();
  switch (tx.state_->phase) {
    case Transaction::State::Phase::committed:  // fn committed it itself
      return *tx.state_->result;
    case Transaction::State::Phase::rolled_back:  // fn rolled it back: nothing was merged
      return head(call).get_commit(call);
    default:
      throw TransactionError("transaction '" + tx.id() + "' failed inside its callback", nullptr);
  }
}

}  // namespace lakefs
