#pragma once
// The card-work thread: a bounded queue of jobs run one at a time, so card access is serialized and the
// reading thread stays free to answer status and cancel.

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

namespace certbridge::host {

/// Set once a job should stop; jobs poll it between steps.
class CancelToken {
 public:
  bool cancelled() const noexcept { return cancelled_.load(std::memory_order_acquire); }
  void cancel() noexcept { cancelled_.store(true, std::memory_order_release); }

 private:
  std::atomic<bool> cancelled_{false};
};

/// A single worker thread with a bounded queue. The thread starts with the first job (start-up stays cheap).
class Worker {
 public:
  /// One unit of work, answering its request itself.
  struct Job {
    std::string id;
    std::string origin;
    /// Does the work and sends the answer. Exceptions are caught and logged, but run should answer
    /// every outcome itself (the worker cannot know what to send).
    std::function<void(const CancelToken&)> run;
    /// Answers USER_CANCELLED when the job is dropped before it started (cancel, shutdown).
    std::function<void()> dropped;
  };

  enum class SubmitResult {
    Queued,
    QueueFull,    ///< capacity jobs are already waiting: answer BUSY.
    DuplicateId,  ///< A job with this id is queued or running.
    Stopped,      ///< shutdown() was called.
  };

  explicit Worker(std::size_t capacity);
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  SubmitResult submit(Job job);

  /// Cancels the job with this id if it came from the same origin: a queued job is dropped (its
  /// dropped() runs on the calling thread), a running one has its token set. False if none matched.
  bool cancel(std::string_view id, std::string_view origin);

  /// Drops queued jobs, cancels the running one, waits for it and stops the thread. Idempotent.
  void shutdown();

 private:
  struct Running {
    std::string id;
    std::string origin;
    std::shared_ptr<CancelToken> token;
  };

  void loop();

  const std::size_t capacity_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Job> queue_;
  std::optional<Running> running_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace certbridge::host
