// SPDX-License-Identifier: Apache-2.0
// One lakefs::Client shared by 16 threads doing everything the SDK offers at
// once, against the real server, for LAKEFS_STRESS_SECONDS (default 20). Built
// with ThreadSanitizer in CI (preset "tsan"), so a data race anywhere in the
// SDK's shared state (connection pool, read-ahead and upload threads, listing
// prefetch, batch workers, transactions) fails the run; in the dev build
// (ASan/UBSan) it runs with the other tests.
//
// Each worker has a repository of its own, where it keeps an exact model of
// what must be there (objects, commits, tags), and also works on a shared
// repository where the threads deliberately collide: merges and transactions
// into the same branch, uploads replacing the same objects, "create only"
// uploads racing for one path. Every operation checks its result; the final
// checks then verify what only the sum of all workers can show.
#include <gtest/gtest.h>

#include <algorithm>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <span>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "lakefs/api/all.hpp"
#include "lakefs/lakefs.hpp"
#include "stress_support.hpp"
#include "support/helpers.hpp"
#include "support/server.hpp"

namespace lakefs::test::stress {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr int kThreads = 16;
// Only a backstop: the clock normally ends the run long before.
constexpr int kMaxIterationsPerThread = 5000;
// A worker still running this long after the deadline is stuck: abort with a report rather than
// leave it to CTest's timeout, which says nothing about where.
constexpr auto kStuckAfterDeadline = std::chrono::seconds(240);

/// Removes a repository when it goes out of scope, also when the test fails.
class RepoGuard {
 public:
  RepoGuard() = default;
  RepoGuard(const RepoGuard&) = delete;
  RepoGuard& operator=(const RepoGuard&) = delete;
  ~RepoGuard() {
    if (!repo_) return;
    try {
      repo_->remove();
    } catch (const std::exception& e) {
      std::cerr << "stress: could not remove repository " << repo_->id() << ": " << e.what() << "\n";
    }
  }
  Repository& create(const std::string& id, const Client& client) {
    repo_.emplace(id, client);
    return repo_->create({.storage_namespace = "local://" + id});
  }

 private:
  std::optional<Repository> repo_;
};

/// Runs `fn` on a thread of its own and rethrows what it threw.
template <typename F>
void run_in_thread(F&& fn) {
  std::exception_ptr error;
  std::thread th([&error, fn = std::forward<F>(fn)]() mutable {
    try {
      fn();
    } catch (...) {
      error = std::current_exception();
    }
  });
  th.join();
  if (error) std::rethrow_exception(error);
}

template <typename Map>
std::set<std::string> keys_of(const Map& m) {
  std::set<std::string> out;
  for (const auto& [key, value] : m) out.insert(key);
  return out;
}

std::string describe(const std::set<std::string>& s) {
  std::string out = "{";
  for (const auto& item : s) out += (out.size() > 1 ? ", " : "") + item;
  return out + "}";
}

std::set<std::string> branch_ids(Listing<Branch> listing) {
  std::set<std::string> out;
  for (const auto& b : listing) out.insert(b.id());
  return out;
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_file(const fs::path& path, const std::string& content) {
  fs::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary);
  out.write(content.data(), static_cast<std::streamsize>(content.size()));
  check(out.good(), "cannot write " + path.string());
}

// ---------------------------------------------------------------------------

class Worker {
 public:
  Worker(StressRun& run, int index)
      : run_(run),
        index_(static_cast<std::size_t>(index)),
        me_("w" + std::to_string(index)),
        seed_(static_cast<unsigned>(index) * 7919u),
        own_id_(unique_name("stress-" + me_)),
        scratch_(run.scratch / me_),
        shared_(run.shared_repo, run.client),
        work_(run.shared_repo, me_, run.client),
        shared_main_(run.shared_repo, "main", run.client),
        hot_(run.shared_repo, "hot", run.client),
        txshared_(run.shared_repo, "txshared", run.client) {
    // All workers create their repositories and branches at the same moment: contended too.
    own_.emplace(guard_.create(own_id_, run.client));
    main_.emplace(own_->branch("main"));
    tx_.emplace(own_->branch("tx").create("main"));
    initial_commit_ = main_->head().id();
    check(tx_->head().id() == initial_commit_, "the tx branch starts at main's head");
    const auto properties = own_->properties();
    check(properties.id == own_id_ && properties.default_branch == "main" &&
              properties.storage_namespace == "local://" + own_id_,
          "properties of the new repository");
    work_.create("main");
    fs::create_directories(scratch_);
  }

  void run() {
    for (int iter = 0; iter < kMaxIterationsPerThread && !run_.stop; ++iter) {
      // Every kind at least once per worker, then until the clock runs out.
      if (iter >= static_cast<int>(kOps) && Clock::now() >= run_.deadline) break;
      const auto op = static_cast<Op>((index_ + static_cast<std::size_t>(iter)) % kOps);
      run_.running[index_] = static_cast<int>(op);
      const int k = seq_[static_cast<std::size_t>(op)]++;
      try {
        perform(op, k);
        ++run_.done[static_cast<std::size_t>(op)];
      } catch (const std::exception& e) {
        run_.fail(me_ + " " + op_name(op) + " #" + std::to_string(k) + ": " + e.what());
        return;
      }
    }
    run_.running[index_] = -1;
    if (run_.stop) return;
    try {
      list_objects();  // the models still match after everything this worker did
      list_log();
    } catch (const std::exception& e) {
      run_.fail(me_ + " final check: " + e.what());
    }
  }

 private:
  std::string main_head() const { return main_commits_.empty() ? initial_commit_ : main_commits_.back(); }
  std::string tx_head() const { return tx_commits_.empty() ? initial_commit_ : tx_commits_.back(); }

  // The only branches of the worker's repository, hidden ones included: a transaction that
  // left its ephemeral branch behind shows here.
  void check_no_leftover_branches() const {
    std::set<std::string> ids;
    for (const auto& ref :
         run_.client.api().branches.list_branches({.repository = own_id_, .show_hidden = true}).results) {
      ids.insert(ref.id);
    }
    check(ids == std::set<std::string>{"main", "tx"}, "branches of " + own_id_ + ": " + describe(ids));
  }

  // `k` numbers the operations of one kind of this worker: it makes names and sizes unique.
  void perform(Op op, int k) {
    switch (op) {
      case Op::upload_read:
        return upload_read(k);
      case Op::reader_seek:
        return reader_seek(k);
      case Op::writer_stream:
        return writer_stream(k);
      case Op::tx_commit:
        return tx_commit(k);
      case Op::tx_rollback:
        return tx_rollback(k);
      case Op::tx_shared:
        return tx_shared(k);
      case Op::list_objects:
        return list_objects();
      case Op::list_log:
        return list_log();
      case Op::transfer:
        return transfer(k);
      case Op::commit_tag:
        return commit_tag(k);
      case Op::merge_shared:
        return merge_shared(k);
      case Op::hot_contended:
        return hot_contended(k);
      case Op::api_generated:
        return api_generated(k);
      case Op::client_copy:
        return client_copy(k);
      case Op::branch_churn:
        return branch_churn(k);
      case Op::count:
        break;
    }
    check(false, "unknown operation");
  }

  // Uploads from memory, a byte span and a stream; reads back whole and in part; removes.
  void upload_read(int k) {
    const std::string path = "u/" + std::to_string(k);
    const std::string content = payload(me_ + path, 1 + static_cast<std::size_t>(k * 7919 + seed_) % 60000);
    auto object = main_->object(path);
    const UploadOptions options{.content_type = "application/x-stress", .metadata = {{"writer", me_}}};
    switch (k % 3) {
      case 0:
        object.upload(content, options);
        break;
      case 1:
        object.upload(std::as_bytes(std::span(content.data(), content.size())), options);
        break;
      default: {
        std::istringstream in(content);
        object.upload(in, options);
      }
    }
    const auto info = object.stat();
    check(info.path == path && info.size_bytes == static_cast<std::int64_t>(content.size()), "stat of " + path);
    check(info.content_type == "application/x-stress", "content type of " + path + ": " + info.content_type);
    check(info.metadata == Metadata{{"writer", me_}}, "user metadata of " + path);
    check_same(object.read_all(), content, "read_all of " + path);
    const std::size_t offset = content.size() / 3;
    const std::size_t length = content.size() / 2 + 1;
    check_same(object.read_range(offset, length), std::string_view(content).substr(offset, length),
               "read_range of " + path);
    main_model_[path] = content;

    if (k % 4 == 3) {  // remove an older one: committed or not, it must be gone
      std::string victim;
      for (const auto& [p, c] : main_model_) {
        if (p.starts_with("u/") && p != path) {
          victim = p;
          break;
        }
      }
      if (!victim.empty()) {
        auto gone = main_->object(victim);
        gone.remove();
        check(!gone.exists(), victim + " still exists after remove()");
        check_throws<ObjectNotFoundError>([&] { (void)gone.read_all(); }, "read_all of removed " + victim);
        main_model_.erase(victim);
      }
    }
  }

  // ObjectReader: sequential reads with read-ahead, random seeks, reads past the end, and the
  // reader handed to another thread half-way.
  void reader_seek(int k) {
    const std::string path = "r/" + std::to_string(k);
    const std::size_t size = 100'000 + static_cast<std::size_t>(k * 37'813 + seed_) % 120'000;
    const std::string content = payload(me_ + path, size);
    main_->object(path).upload(content);
    main_model_[path] = content;

    const ReaderOptions options{.block_size = 8192 * static_cast<std::size_t>(2 + k % 3), .read_ahead = k % 4 != 3};
    auto in = main_->object(path).reader(options);
    check(in.size() == size && in.info().size_bytes == static_cast<std::int64_t>(size), "reader size of " + path);

    std::string got;
    char buf[7001];
    while (in.read(buf, sizeof buf) || in.gcount() > 0) got.append(buf, static_cast<std::size_t>(in.gcount()));
    check(in.eof(), "sequential read did not end at eof");
    check_same(got, content, "sequential read of " + path);
    in.clear();

    std::mt19937 rng(seed_ + static_cast<unsigned>(k));
    for (int i = 0; i < 8; ++i) {
      const std::size_t offset = rng() % size;
      const std::size_t length = 1 + rng() % 30'000;
      in.seekg(static_cast<std::streamoff>(offset));
      check(in.good(), "seekg to " + std::to_string(offset));
      std::string part(length, '\0');
      in.read(part.data(), static_cast<std::streamsize>(length));
      const auto n = static_cast<std::size_t>(in.gcount());
      check(n == std::min(length, size - offset), "bytes read at " + std::to_string(offset));
      check_same(std::string_view(part).substr(0, n), std::string_view(content).substr(offset, n),
                 "read at " + std::to_string(offset));
      if (offset + length > size) {
        check(in.eof(), "read past the end without eof");
        in.clear();
      } else {
        check(in.tellg() == static_cast<std::streamoff>(offset + length), "tellg after a read");
      }
    }
    in.seekg(-10, std::ios::end);
    char tail[10];
    in.read(tail, 10);
    check_same(std::string_view(tail, 10), std::string_view(content).substr(size - 10), "the last 10 bytes");
    in.seekg(0, std::ios::end);
    check(in.tellg() == static_cast<std::streamoff>(size), "tellg at the end");
    check(in.get() == std::char_traits<char>::eof(), "get() at the end");
    in.clear();

    // A reader is a value: it can move to another thread (with its read-ahead) and go on there.
    in.seekg(static_cast<std::streamoff>(size / 2));
    std::string second_half;
    run_in_thread([reader = std::move(in), &second_half]() mutable {
      second_half.assign(std::istreambuf_iterator<char>(reader), std::istreambuf_iterator<char>());
    });
    check_same(second_half, std::string_view(content).substr(size / 2), "second half read on another thread");
  }

  // ObjectWriter in uneven pieces with small buffers (so the upload thread waits for the
  // writer and the writer for the upload), then writers abandoned half-way.
  void writer_stream(int k) {
    const std::string path = "w/" + std::to_string(k);
    const std::size_t size = 40'000 + static_cast<std::size_t>(k * 15'331 + seed_) % 90'000;
    const std::string content = payload(me_ + path, size);
    auto object = main_->object(path);
    auto out = object.writer({.content_type = "text/x-stress",
                              .metadata = {{"writer", me_}},
                              .buffer_size = 4096 + 1024 * static_cast<std::size_t>(k % 5),
                              .max_buffers = 1 + static_cast<std::size_t>(k % 3)});
    std::mt19937 rng(seed_ + static_cast<unsigned>(k));
    for (std::size_t pos = 0; pos < size;) {
      if (rng() % 8 == 0) {
        out.put(content[pos++]);
      } else {
        const std::size_t n = std::min<std::size_t>(size - pos, 1 + rng() % 3000);
        out.write(content.data() + pos, static_cast<std::streamsize>(n));
        pos += n;
      }
      if (rng() % 16 == 0) out.flush();
    }
    check(out.good(), "writer stream state");
    const ObjectInfo info = out.close();
    check(!out.is_open(), "writer open after close()");
    check(info.path == path && info.size_bytes == static_cast<std::int64_t>(size), "info returned by close()");
    check(out.close() == info, "second close() returned other info");
    const auto stat = object.stat();
    check(stat.content_type == "text/x-stress" && stat.metadata == Metadata{{"writer", me_}},
          "content type and metadata of " + path);
    check_same(object.read_all(), content, "read back of " + path);
    main_model_[path] = content;

    const std::string abandoned = "wd/" + std::to_string(k);
    struct Abandoned {};
    try {
      auto w = main_->object(abandoned).writer({.buffer_size = 4096, .max_buffers = 2});
      const std::string junk = payload(abandoned, 20'000);
      w.write(junk.data(), static_cast<std::streamsize>(junk.size()));
      if (k % 2 == 0) {
        w.discard();
        check(!w.is_open(), "writer open after discard()");
      } else {
        throw Abandoned{};  // destroyed while an exception unwinds: aborted
      }
    } catch (const Abandoned&) {
    }
    check(!main_->object(abandoned).exists(), "an abandoned writer left " + abandoned);
  }

  // Transactions that commit (both forms, some tagged) on a branch only this worker writes:
  // the merge commit's parents, the branch head, the objects and the tags are all known.
  void tx_commit(int k) {
    const std::string path = "t/" + std::to_string(k);
    const std::string content = payload(me_ + path, 100 + static_cast<std::size_t>(k * 2711 + seed_) % 20'000);
    const std::string previous = tx_head();
    check(tx_->head().id() == previous, "tx branch head before the transaction");
    std::string removed;
    if (k % 2 == 1 && !tx_model_.empty()) removed = tx_model_.begin()->first;
    const std::string tag = k % 3 == 0 ? "tx-" + std::to_string(k) : "";
    const std::string message = "tx " + me_ + " " + std::to_string(k);

    const auto body = [&](Transaction& tx) {
      check(tx.source_branch().id() == "tx" && tx.id().starts_with("tx-"), "transaction names");
      tx.object(path).upload(content);
      check_same(tx.object(path).read_all(), content, "read inside the transaction");
      check(!tx_->object(path).exists(), "a transaction's object is visible on its source before commit");
      if (!removed.empty()) tx.object(removed).remove();
      tx.commit_metadata()["k"] = std::to_string(k);
    };
    const TransactionOptions options{.commit_message = message, .tag = tag};
    Commit merge;
    if (k % 2 == 0) {
      merge = tx_->transact(body, options);
    } else {
      auto tx = tx_->begin_transaction(options);
      body(tx);
      merge = tx.commit();
      check(!tx.is_open(), "transaction open after commit()");
    }
    check(merge.message == message, "merge commit message: " + merge.message);
    check(merge.parents.size() == 2 && merge.parents[0] == previous, "merge commit parents");
    check(merge.metadata.contains("k") && merge.metadata.at("k") == std::to_string(k), "merge commit metadata");
    check(tx_->head().id() == merge.id, "tx branch head after the transaction");
    tx_commits_.push_back(merge.id);
    tx_model_[path] = content;
    if (!removed.empty()) tx_model_.erase(removed);

    check_same(tx_->object(path).read_all(), content, "committed " + path);
    if (!removed.empty()) check(!tx_->object(removed).exists(), removed + " removed in a transaction still exists");
    check(paths_at(*tx_) == keys_of(tx_model_), "objects on the tx branch after a commit");
    if (!tag.empty()) {
      check(own_->tag(tag).get_commit().id == merge.id, "transaction tag " + tag);
      tags_.insert(tag);
    }
    check_no_leftover_branches();
  }

  // Transactions that end without committing, in the three ways there are: the callback throws,
  // rollback(), or the Transaction is destroyed. Nothing may reach the branch.
  void tx_rollback(int k) {
    struct Abort {
      int k;
    };
    const std::string path = "t/rb-" + std::to_string(k);
    const std::string content = payload(me_ + path, 500 + static_cast<std::size_t>(k) * 13);
    const std::string previous = tx_head();
    std::string ephemeral;
    switch (k % 3) {
      case 0:
        try {
          (void)tx_->transact([&](Transaction& tx) {
            ephemeral = tx.id();
            tx.object(path).upload(content);
            throw Abort{k};
          });
          check(false, "transact() returned although its callback threw");
        } catch (const Abort& abort) {
          check(abort.k == k, "the callback's exception came back changed");
        }
        break;
      case 1: {
        auto tx = tx_->begin_transaction();
        ephemeral = tx.id();
        auto w = tx.object(path).writer();
        w << content;
        (void)w.close();
        check(tx.object(path).exists(), "object written in the transaction");
        tx.rollback();
        check(!tx.is_open(), "transaction open after rollback()");
        check_throws<TransactionError>([&] { (void)tx.commit(); }, "commit() after rollback()");
        break;
      }
      default: {
        auto tx = tx_->begin_transaction();
        ephemeral = tx.id();
        tx.object(path).upload(content);
      }  // destroyed while open: rolled back
    }
    check(!ephemeral.empty(), "no transaction ran");
    check_throws<NotFoundError>([&] { (void)own_->branch(ephemeral).get_commit(); },
                                "ephemeral branch " + ephemeral + " after rollback");
    check(tx_->head().id() == previous, "a rolled-back transaction moved the branch");
    check(!tx_->object(path).exists(), "a rolled-back transaction's object reached the branch");
    check(paths_at(*tx_) == keys_of(tx_model_), "objects on the tx branch after a rollback");
  }

  // Transactions from all workers into one branch at the same time; some roll back.
  void tx_shared(int k) {
    struct Abort {};
    const std::string path = "s/" + me_ + "/" + std::to_string(k);
    const std::string content = payload(path, 50 + static_cast<std::size_t>(k * 977 + seed_) % 5000);
    const Commit merge = retry_contended(run_, [&] {
      return txshared_.transact([&](Transaction& tx) { tx.object(path).upload(content); },
                                {.commit_message = "shared " + me_ + " " + std::to_string(k)});
    });
    check(merge.parents.size() == 2,
          "shared transaction's merge commit has " + std::to_string(merge.parents.size()) + " parents");
    check_same(shared_.commit(merge.id).object(path).read_all(), content, "object at the merge commit");
    check_same(txshared_.object(path).read_all(), content, "object on the shared branch");
    run_.expect_at_end(run_.committed_to_txshared, path, content);

    if (k % 3 == 1) {
      const std::string rolled_back = "s/" + me_ + "/rb-" + std::to_string(k);
      try {
        (void)txshared_.transact([&](Transaction& tx) {
          tx.object(rolled_back).upload(content);
          throw Abort{};
        });
        check(false, "transact() returned although its callback threw");
      } catch (const Abort&) {
      }
      check(!txshared_.object(rolled_back).exists(), "a rolled-back shared transaction's object is visible");
    }
  }

  // Listings of the worker's own main branch against the model: all objects, one level,
  // bounded, by prefix, in small pages (background prefetch), and the uncommitted changes.
  void list_objects() {
    std::map<std::string, std::int64_t> listed;
    for (const auto& entry : main_->objects()) {
      const auto* info = entry.if_object();
      check(info != nullptr, "a common prefix in a listing without delimiter");
      listed[info->path] = info->size_bytes;
    }
    std::map<std::string, std::int64_t> expected;
    for (const auto& [path, content] : main_model_) expected[path] = static_cast<std::int64_t>(content.size());
    check(listed == expected, "objects on main: " + std::to_string(listed.size()) + " listed, " +
                                  std::to_string(expected.size()) + " expected");

    std::set<std::string> top, want_top;
    for (const auto& entry : main_->objects({.delimiter = "/"})) {
      const auto* prefix = entry.if_prefix();
      check(prefix != nullptr, "an object at the top level");
      top.insert(prefix->path);
    }
    for (const auto& [path, content] : main_model_) want_top.insert(path.substr(0, path.find('/') + 1));
    check(top == want_top, "top level: " + describe(top) + ", expected " + describe(want_top));

    check(main_->objects({.max_amount = 3}).to_vector().size() == std::min<std::size_t>(3, expected.size()),
          "max_amount 3");
    const auto uploads = static_cast<std::size_t>(
        std::count_if(main_model_.begin(), main_model_.end(), [](const auto& e) { return e.first.starts_with("u/"); }));
    check(main_->objects({.prefix = "u/"}).to_vector().size() == uploads, "objects under u/");

    // Pages of 3: the listing fetches the next page on another thread while this one reads.
    const auto& api = run_.client.api();
    const std::string repo = own_id_;
    Listing<std::string> paged(
        [&api, repo](const std::string& after, std::size_t amount) {
          const auto list = api.objects.list_objects(
              {.repository = repo, .ref = "main", .after = after, .amount = static_cast<std::int64_t>(amount)});
          Page<std::string> page;
          for (const auto& s : list.results) page.items.push_back(s.path);
          if (list.pagination.has_more) page.next_after = list.pagination.next_offset;
          return page;
        },
        std::nullopt, 3);
    const auto paths = paged.to_vector();
    check(std::set<std::string>(paths.begin(), paths.end()) == keys_of(main_model_) && paths.size() == expected.size(),
          "paged listing of main");

    std::set<std::string> changed, want_changed;
    for (const auto& change : main_->uncommitted()) changed.insert(change.path);
    for (const auto& [path, content] : main_model_) {
      if (!committed_model_.contains(path)) want_changed.insert(path);
    }
    for (const auto& [path, content] : committed_model_) {
      if (!main_model_.contains(path)) want_changed.insert(path);
    }
    check(changed == want_changed, "uncommitted changes: " + std::to_string(changed.size()) + " listed, " +
                                       std::to_string(want_changed.size()) + " expected");
  }

  // Commit logs (exact: only this worker commits there), branches and repositories.
  void list_log() {
    std::vector<std::string> want{main_commits_.rbegin(), main_commits_.rend()};
    want.push_back(initial_commit_);
    std::vector<std::string> got;
    for (const auto& commit : main_->log()) got.push_back(commit.id);
    check(got == want,
          "log of main: " + std::to_string(got.size()) + " commits, expected " + std::to_string(want.size()));
    check(main_->log({.max_amount = 2}).to_vector().size() == std::min<std::size_t>(2, want.size()),
          "log with max_amount 2");

    std::vector<std::string> want_tx{tx_commits_.rbegin(), tx_commits_.rend()};
    want_tx.push_back(initial_commit_);
    std::vector<std::string> got_tx;
    for (const auto& commit : tx_->log({.first_parent = true})) got_tx.push_back(commit.id);
    check(got_tx == want_tx, "first-parent log of tx: " + std::to_string(got_tx.size()) + " commits, expected " +
                                 std::to_string(want_tx.size()));

    check(branch_ids(own_->branches()) == std::set<std::string>{"main", "tx"}, "branches of the own repository");
    check(branch_ids(shared_.branches()).contains(me_), "the worker's branch in the shared repository");
    std::vector<std::string> repos;
    for (const auto& r : repositories({.prefix = own_id_}, run_.client)) repos.push_back(r.id());
    check(repos == std::vector<std::string>{own_id_}, "repositories with the own id as prefix");
  }

  // upload_directory and download_prefix, round trip through a scratch directory.
  void transfer(int k) {
    const std::string prefix = "d/" + std::to_string(k);
    const std::vector<std::pair<std::string, std::size_t>> files = {
        {"a.txt", 0},
        {"b/c.bin", 1},
        {"b/d/e.bin", 4097 + static_cast<std::size_t>(k)},
        {"f.csv", 20'000},
        {"g/h.bin", 33'333 + static_cast<std::size_t>(seed_ % 1000)}};
    const fs::path up = scratch_ / ("up-" + std::to_string(k));
    const fs::path down = scratch_ / ("down-" + std::to_string(k));
    std::uint64_t total = 0;
    for (const auto& [rel, size] : files) {
      write_file(up / rel, payload(me_ + prefix + rel, size));
      total += size;
    }

    // Progress calls are documented as serialized: plain variables, and TSan would see a race.
    std::size_t calls = 0;
    TransferProgress last;
    const auto summary = main_->upload_directory(up, prefix, {.concurrency = 3, .on_progress = [&](const auto& p) {
                                                                ++calls;
                                                                last = p;
                                                              }});
    check(summary.ok() && summary.objects == files.size() && summary.bytes == total && summary.skipped.empty(),
          "upload_directory summary: " + std::to_string(summary.objects) + " objects, " +
              std::to_string(summary.failures.size()) + " failures" +
              (summary.failures.empty() ? "" : " (" + summary.failures.front().message + ")"));
    check(calls == files.size() && last.objects_done == files.size() && last.objects_total == files.size() &&
              last.bytes_done == total && last.objects_failed == 0,
          "upload progress");
    for (const auto& [rel, size] : files) main_model_[prefix + "/" + rel] = payload(me_ + prefix + rel, size);

    const auto back = main_->download_prefix(prefix + "/", down, {.concurrency = 3});
    check(back.ok() && back.objects == files.size() && back.bytes == total && back.skipped.empty(),
          "download_prefix summary: " + std::to_string(back.objects) + " objects, " +
              std::to_string(back.failures.size()) + " failures");
    for (const auto& [rel, size] : files) {
      check_same(read_file(down / rel), payload(me_ + prefix + rel, size), "downloaded " + rel);
    }
    fs::remove_all(up);
    fs::remove_all(down);

    // Now and then remove the tree again, among enough absent paths to fill two delete
    // requests, which then run on two threads.
    if (k % 4 == 1) {
      std::vector<std::string> paths;
      for (const auto& [rel, size] : files) paths.push_back(prefix + "/" + rel);
      for (int i = 0; i < 1005; ++i) paths.push_back(prefix + "/absent-" + std::to_string(i));
      main_->remove_objects(paths, {.concurrency = 2});
      check(main_->objects({.prefix = prefix + "/"}).to_vector().empty(), "objects left after remove_objects");
      for (const auto& [rel, size] : files) main_model_.erase(prefix + "/" + rel);
    }
  }

  // Commits with metadata, tags on them (created, refused twice, listed, removed).
  void commit_tag(int k) {
    const std::string path = "c/" + std::to_string(k);
    const std::string content = payload(me_ + path, 64 + static_cast<std::size_t>(k));
    main_->object(path).upload(content);
    main_model_[path] = content;
    const std::string previous = main_head();
    check(main_->head().id() == previous, "main's head before the commit");
    const std::string message = "commit " + me_ + " " + std::to_string(k);
    const Commit commit = main_->commit(message, {.metadata = {{"k", std::to_string(k)}}});
    check(commit.message == message && commit.metadata == Metadata{{"k", std::to_string(k)}}, "the new commit");
    check(commit.parents == std::vector<std::string>{previous}, "the new commit's parent");
    check(main_->head().id() == commit.id, "main's head after the commit");
    check(main_->uncommitted().to_vector().empty(), "uncommitted changes right after a commit");
    // The commit's diff against its parent is exactly what changed since the last commit.
    std::set<std::string> diff, want_diff;
    for (const auto& change : Reference(own_id_, previous, run_.client).diff(commit.id)) diff.insert(change.path);
    for (const auto& [p, c] : main_model_) {
      if (!committed_model_.contains(p)) want_diff.insert(p);
    }
    for (const auto& [p, c] : committed_model_) {
      if (!main_model_.contains(p)) want_diff.insert(p);
    }
    check(diff == want_diff, "diff of the commit: " + std::to_string(diff.size()) + " changes, expected " +
                                 std::to_string(want_diff.size()));
    main_commits_.push_back(commit.id);
    committed_model_ = main_model_;

    const std::string tag = "v" + std::to_string(k);
    own_->tag(tag).create(commit.id);
    check_throws<ConflictError>([&] { own_->tag(tag).create(commit.id); }, "creating tag " + tag + " twice");
    check(own_->tag(tag).get_commit().id == commit.id, "tag " + tag);
    check_same(own_->tag(tag).object(path).read_all(), content, "object at tag " + tag);
    tags_.insert(tag);
    if (k % 3 == 2) {
      const std::string oldest = *tags_.begin();
      own_->tag(oldest).remove();
      check_throws<NotFoundError>([&] { (void)own_->tag(oldest).get_commit(); }, "removed tag " + oldest);
      tags_.erase(oldest);
    }
    std::set<std::string> listed;
    for (const auto& t : own_->tags()) listed.insert(t.id());
    check(listed == tags_, "tags: " + describe(listed) + ", expected " + describe(tags_));
  }

  // Commits on the worker's branch of the shared repository, merged into its main while every
  // other worker merges there too.
  void merge_shared(int k) {
    const std::string path = "m/" + me_ + "/" + std::to_string(k);
    const std::string content = payload(path, 200 + static_cast<std::size_t>(k * 389 + seed_) % 8000);
    work_.object(path).upload(content);
    const Commit source = work_.commit("work " + me_ + " " + std::to_string(k));
    const std::string merged = retry_contended(
        run_, [&] { return work_.merge_into(shared_main_, {.message = "merge " + me_ + " " + std::to_string(k)}); });
    const Commit merge = shared_.commit(merged).get_commit();
    check(merge.id == source.id ||
              std::find(merge.parents.begin(), merge.parents.end(), source.id) != merge.parents.end(),
          "merge commit does not descend from the merged commit");
    check_same(shared_.commit(merged).object(path).read_all(), content, "object at the merge commit");
    check_same(shared_main_.object(path).read_all(), content, "merged object on shared main");
    run_.expect_at_end(run_.merged_to_main, path, content);
  }

  // Everyone replaces the same few objects; a read must always see one writer's whole object.
  // And "create only" uploads race for one path: exactly one may win.
  void hot_contended(int k) {
    const std::string path = "hot/" + std::to_string(k % 4);
    const std::string content =
        tagged_payload(me_ + "#" + std::to_string(k), 1000 + static_cast<std::size_t>(k * 4099 + seed_) % 30'000);
    hot_.object(path).upload(content);
    check(is_whole_tagged_payload(hot_.object(path).read_all()), "read_all of " + path + " is not one whole upload");

    for (int attempt = 0;; ++attempt) {
      try {
        auto in = hot_.object(path).reader({.block_size = 64 << 10});
        const std::string got{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
        check(got.size() == in.size() && is_whole_tagged_payload(got), "reader of " + path + ": not one whole upload");
        break;
      } catch (const CheckFailure&) {
        throw;
      } catch (const Error& e) {
        // Replaced between the reader's stat and its read: the documented answer, not mixed bytes.
        if (std::string_view(e.what()).find("changed while it was being read") == std::string_view::npos ||
            attempt == 20) {
          throw;
        }
        ++run_.reads_saw_replacement;
      }
    }

    const std::string once = "once/" + std::to_string(k);
    const std::string mine = tagged_payload("once " + me_, 100 + static_cast<std::size_t>(seed_ % 100));
    bool won = false;
    try {
      if (k % 2 == 0) {
        hot_.object(once).upload(mine, {.exclusive = true});
      } else {
        auto w = hot_.object(once).writer({.exclusive = true});
        w << mine;
        (void)w.close();
      }
      won = true;
    } catch (const ObjectExistsError&) {
    }
    {
      std::lock_guard lock(run_.mutex);
      ++run_.exclusive_attempts[once];
      if (won) run_.exclusive_winners[once].push_back("once " + me_);
    }
    if (won) check_same(hot_.object(once).read_all(), mine, "exclusive upload that won");

    for (const auto& entry : hot_.objects({.prefix = "hot/"})) {
      const auto& p = entry.path();
      check(p == "hot/0" || p == "hot/1" || p == "hot/2" || p == "hot/3", "unexpected object " + p);
    }
  }

  // The generated layer through client.api(), against what the high-level layer says.
  void api_generated(int k) {
    const auto& api = run_.client.api();
    const std::string head = main_head();
    check(api.branches.get_branch({.repository = own_id_, .branch = "main"}).commit_id == head, "get_branch");
    check(api.refs.log_commits({.repository = own_id_, .ref = "main", .amount = 1}).results.at(0).id == head,
          "log_commits");
    if (!main_model_.empty()) {
      auto it = main_model_.begin();
      std::advance(it, static_cast<std::ptrdiff_t>(static_cast<std::size_t>(k) % main_model_.size()));
      const auto stats = api.objects.stat_object({.repository = own_id_, .ref = "main", .path = it->first});
      check(stats.size_bytes == static_cast<std::int64_t>(it->second.size()), "stat_object size of " + it->first);
      check(stats.checksum == main_->object(it->first).stat().checksum, "stat_object checksum of " + it->first);
    }
    std::set<std::string> tags;
    for (const auto& ref : api.tags.list_tags({.repository = own_id_, .amount = 1000}).results) tags.insert(ref.id);
    check(tags == tags_, "list_tags");
    check(api.repositories.get_repository({.repository = run_.shared_repo}).id == run_.shared_repo, "get_repository");

    const std::string path = "a/" + std::to_string(k);
    const std::string content = payload(me_ + path, 3000 + static_cast<std::size_t>(k) * 101);
    std::size_t offset = 0;
    const auto uploaded = api.objects.upload_object({.repository = own_id_,
                                                     .branch = "main",
                                                     .body_source =
                                                         [&](char* buf, std::size_t size) {
                                                           const std::size_t n =
                                                               std::min(size, content.size() - offset);
                                                           content.copy(buf, n, offset);
                                                           offset += n;
                                                           return n;
                                                         },
                                                     .body_length = content.size(),
                                                     .path = path});
    check(uploaded.size_bytes == static_cast<std::int64_t>(content.size()), "upload_object size");
    std::string got;
    (void)api.objects.get_object({.repository = own_id_, .ref = "main", .path = path},
                                 [&](std::string_view chunk) { got.append(chunk); });
    check_same(got, content, "get_object of " + path);
    main_model_[path] = content;
  }

  // Copies of the shared Client made, assigned, moved, handed to other threads and destroyed
  // while handles made from them live on; and a Client of its own made and dropped.
  void client_copy(int k) {
    const std::string path = "cc/" + std::to_string(k);
    const std::string content = payload(me_ + path, 40'000 + static_cast<std::size_t>(k) * 7);
    main_->object(path).upload(content);
    main_model_[path] = content;

    {
      Client copy = run_.client;
      Client other(copy);
      other = run_.client;
      check(copy.server_version() == run_.server_version, "server_version through a copy");
      check(Repository(own_id_, other).properties().id == own_id_, "properties through a copy");
      Client moved = std::move(copy);
      copy = moved;
      check(copy.options().endpoint == run_.client.options().endpoint, "options of a re-assigned copy");
    }

    std::optional<StoredObject> handle;
    {
      const Client copy = run_.client;
      handle.emplace(Branch(own_id_, "main", copy).object(path));
    }  // the handle keeps the connection alive on its own
    check_same(handle->read_all(), content, "read through a handle that outlived its client copy");

    // A copy moved into a thread, which opens a reader with read-ahead and drops the copy first.
    std::string got;
    run_in_thread([copy = run_.client, repo = own_id_, path, &got]() mutable {
      auto in = StoredObject(repo, "main", path, std::move(copy)).reader({.block_size = 4096});
      got.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    });
    check_same(got, content, "read in a thread from a moved copy");

    // The process-wide default client, replaced and used from every worker at once.
    set_default_client(run_.client);
    check(default_client().options().endpoint == run_.client.options().endpoint, "default_client()");
    check(lakefs::repository(own_id_).properties().id == own_id_, "a repository on the default client");

    {
      const Client fresh(client_options());
      check(fresh.server_version() == run_.server_version, "server_version through a new client");
      check(fresh.repository(run_.shared_repo).properties().default_branch == "main", "shared repo's properties");
    }
  }

  // Branches created, refused, listed by prefix, written, hidden and removed in the shared
  // repository while other workers do the same there.
  void branch_churn(int k) {
    const std::string prefix = "e-" + me_ + "-";
    const std::string name = prefix + std::to_string(k);
    auto branch = shared_.branch(name);
    branch.create("main");
    check_throws<ConflictError>([&] { shared_.branch(name).create("main"); }, "creating " + name + " twice");
    shared_.branch(name).create("main", {.exist_ok = true});
    check(branch_ids(shared_.branches({.prefix = prefix})) == std::set<std::string>{name}, "branches named " + prefix);
    const std::string content = payload(name, 777);
    branch.object("x").upload(content);
    check_same(branch.object("x").read_all(), content, "object on " + name);

    const std::string hidden = "h-" + me_ + "-" + std::to_string(k);
    shared_.branch(hidden).create("main", {.hidden = true});
    check(branch_ids(shared_.branches({.prefix = "h-" + me_ + "-"})).empty(), "hidden branch " + hidden + " listed");
    check(!shared_.branch(hidden).get_commit().id.empty(), "hidden branch's commit");
    shared_.branch(hidden).remove();

    branch.remove();
    check_throws<NotFoundError>([&] { (void)branch.get_commit(); }, "removed branch " + name);
    check(branch_ids(shared_.branches({.prefix = prefix})).empty(), "branches named " + prefix + " after removal");
  }

  StressRun& run_;
  const std::size_t index_;
  const std::string me_;
  const unsigned seed_;
  const std::string own_id_;
  const fs::path scratch_;
  RepoGuard guard_;  // declared before the handles: removes the repository last
  std::optional<Repository> own_;
  std::optional<Branch> main_;
  std::optional<Branch> tx_;
  Repository shared_;
  Branch work_, shared_main_, hot_, txshared_;
  std::string initial_commit_;

  // What the worker's own repository must hold.
  std::map<std::string, std::string> main_model_;       // main: path -> content
  std::map<std::string, std::string> committed_model_;  // main as of its last commit
  std::vector<std::string> main_commits_;               // commits on main, oldest first
  std::map<std::string, std::string> tx_model_;         // tx branch: path -> content
  std::vector<std::string> tx_commits_;                 // transaction merge commits on tx, oldest first
  std::set<std::string> tags_;
  std::array<int, kOps> seq_{};
};

// Paths and contents under `prefix` at `ref` must be exactly `want`.
void check_final_contents(const Reference& ref, const std::string& prefix,
                          const std::map<std::string, std::string>& want) {
  std::map<std::string, std::int64_t> sizes;
  for (const auto& entry : ref.objects({.prefix = prefix})) {
    const auto& info = entry.object();
    sizes[info.path] = info.size_bytes;
  }
  EXPECT_EQ(keys_of(sizes), keys_of(want)) << "objects under " << prefix << " on " << ref.id();
  for (const auto& [path, content] : want) {
    const auto it = sizes.find(path);
    if (it == sizes.end()) continue;
    EXPECT_EQ(it->second, static_cast<std::int64_t>(content.size())) << path;
    EXPECT_TRUE(ref.object(path).read_all() == content) << "content of " << path << " on " << ref.id();
  }
}

TEST(Stress, SixteenThreadsShareOneClient) {
  const auto length = configured_duration();
  const Client client = lakefs::test::client();
  const std::string shared_id = unique_name("stress-shared");
  RepoGuard shared_guard;
  Repository& shared = shared_guard.create(shared_id, client);
  shared.branch("hot").create("main");
  shared.branch("txshared").create("main");
  TempDir scratch;

  StressRun run(client, shared_id, length, kThreads);
  run.server_version = client.server_version();
  run.scratch = scratch.path;
  const auto started = Clock::now();

  std::mutex finished_mutex;
  std::condition_variable finished_cv;
  bool finished = false;
  std::thread watchdog([&] {
    std::unique_lock lock(finished_mutex);
    if (finished_cv.wait_until(lock, run.deadline + kStuckAfterDeadline, [&] { return finished; })) return;
    std::cerr << "stress: workers still running "
              << std::chrono::duration_cast<std::chrono::seconds>(kStuckAfterDeadline).count()
              << " s after the deadline; operation per worker:";
    for (std::size_t t = 0; t < run.running.size(); ++t) {
      const int op = run.running[t];
      std::cerr << " w" << t << "=" << (op < 0 ? "done" : op_name(static_cast<Op>(op)));
    }
    std::cerr << std::endl;
    std::abort();
  });

  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&run, t] {
      try {
        Worker worker(run, t);
        worker.run();
      } catch (const std::exception& e) {
        run.fail("w" + std::to_string(t) + " setup or cleanup: " + e.what());
      }
      run.running[static_cast<std::size_t>(t)] = -1;
    });
  }
  for (auto& th : threads) th.join();
  {
    std::lock_guard lock(finished_mutex);
    finished = true;
  }
  finished_cv.notify_all();
  watchdog.join();
  const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started);

  std::ostringstream summary;
  summary << "stress: " << kThreads << " threads, " << elapsed.count() / 1000.0 << " s (deadline " << length.count()
          << " s); operations:";
  int total = 0;
  for (std::size_t op = 0; op < kOps; ++op) {
    summary << " " << op_name(static_cast<Op>(op)) << "=" << run.done[op];
    total += run.done[op];
  }
  summary << "; total " << total << "; contention retries " << run.contention_retries
          << "; reads that saw a replacement " << run.reads_saw_replacement;
  std::cout << summary.str() << std::endl;

  for (const auto& failure : run.failures) ADD_FAILURE() << failure;
  if (!run.failures.empty()) return;  // the counts and contents below would only repeat it

  for (std::size_t op = 0; op < kOps; ++op) {
    // Every worker runs every kind at least once, whatever the clock says.
    EXPECT_GE(run.done[op], kThreads) << op_name(static_cast<Op>(op));
  }

  check_final_contents(shared.branch("main"), "m/", run.merged_to_main);
  check_final_contents(shared.branch("txshared"), "s/", run.committed_to_txshared);

  EXPECT_FALSE(run.exclusive_attempts.empty());
  for (const auto& [path, attempts] : run.exclusive_attempts) {
    const auto& winners = run.exclusive_winners[path];
    ASSERT_EQ(winners.size(), 1u) << path << ": " << attempts << " racing exclusive uploads";
    std::string writer;
    EXPECT_TRUE(is_whole_tagged_payload(shared.branch("hot").object(path).read_all(), &writer)) << path;
    EXPECT_EQ(writer, winners.front()) << path;
  }
}

}  // namespace
}  // namespace lakefs::test::stress
