#include "certbridge/host/worker.hpp"

#include <spdlog/spdlog.h>

#include "secret_memory.hpp"

namespace certbridge::host {

Worker::Worker(std::size_t capacity) : capacity_(capacity) {}

Worker::~Worker() {
  shutdown();
}

Worker::SubmitResult Worker::submit(Job job) {
  std::lock_guard lock(mutex_);
  if (stopping_) return SubmitResult::Stopped;
  if (running_ && running_->id == job.id) return SubmitResult::DuplicateId;
  for (const auto& queued : queue_) {
    if (queued.id == job.id) return SubmitResult::DuplicateId;
  }
  if (queue_.size() >= capacity_) return SubmitResult::QueueFull;
  queue_.push_back(std::move(job));
  if (!thread_.joinable()) thread_ = std::thread([this] { loop(); });
  wake_.notify_one();
  return SubmitResult::Queued;
}

bool Worker::cancel(std::string_view id, std::string_view origin) {
  std::function<void()> dropped;
  {
    std::lock_guard lock(mutex_);
    if (running_ && running_->id == id && running_->origin == origin) {
      running_->token->cancel();
      return true;
    }
    for (auto it = queue_.begin(); it != queue_.end(); ++it) {
      if (it->id == id && it->origin == origin) {
        dropped = std::move(it->dropped);
        queue_.erase(it);
        break;
      }
    }
  }
  if (!dropped) return false;
  dropped();
  return true;
}

void Worker::shutdown() {
  std::deque<Job> abandoned;
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    abandoned.swap(queue_);
    if (running_) running_->token->cancel();
    wake_.notify_all();
  }
  for (auto& job : abandoned) {
    if (job.dropped) job.dropped();
  }
  if (thread_.joinable()) thread_.join();
}

void Worker::loop() {
  for (;;) {
    Job job;
    std::shared_ptr<CancelToken> token = std::make_shared<CancelToken>();
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping
      job = std::move(queue_.front());
      queue_.pop_front();
      running_ = Running{job.id, job.origin, token};
    }
    try {
      job.run(*token);
    } catch (const std::exception& e) {
      spdlog::error("request id={}: unhandled exception on the worker: {}", job.id, e.what());
    } catch (...) {
      spdlog::error("request id={}: unhandled non-standard exception on the worker", job.id);
    }
    job = Job{};  // its secrets are wiped now, not when the next job comes
    // The command's frames (logins, the PINs passed to the token) lay below this one.
    wipeStackBelowCaller();
    std::lock_guard lock(mutex_);
    running_.reset();
  }
}

}  // namespace certbridge::host
