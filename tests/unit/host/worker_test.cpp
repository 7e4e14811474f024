// The worker: order, bounded queue, duplicate ids, cancel (queued and running, same origin only), shutdown.

#include <chrono>
#include <future>
#include <mutex>
#include <thread>

#include <gtest/gtest.h>

#include "certbridge/host/worker.hpp"

namespace certbridge::host {
namespace {

using namespace std::chrono_literals;

// A job that blocks until released, so tests control what is running and what is queued.
struct Gate {
  std::promise<void> started;
  std::promise<void> release;
  std::shared_future<void> released{release.get_future().share()};
};

struct Log {
  std::mutex mutex;
  std::vector<std::string> events;
  void add(std::string event) {
    std::lock_guard lock(mutex);
    events.push_back(std::move(event));
  }
  std::vector<std::string> get() {
    std::lock_guard lock(mutex);
    return events;
  }
  // Waits until count events were logged (jobs finished), so that shutdown has nothing left to cancel.
  void waitFor(std::size_t count) {
    for (int i = 0; i < 1000 && get().size() < count; ++i) std::this_thread::sleep_for(5ms);
  }
};

Worker::Job job(std::string id, Log& log, Gate* gate = nullptr, std::string origin = "https://a.example") {
  Worker::Job j;
  j.id = id;
  j.origin = std::move(origin);
  j.run = [id, &log, gate](const CancelToken& token) {
    if (gate != nullptr) {
      gate->started.set_value();
      gate->released.wait();
    }
    log.add("ran " + id + (token.cancelled() ? " cancelled" : ""));
  };
  j.dropped = [id, &log] { log.add("dropped " + id); };
  return j;
}

TEST(Worker, RunsJobsInOrder) {
  Log log;
  {
    Worker worker(8);
    for (const char* id : {"a", "b", "c"}) ASSERT_EQ(worker.submit(job(id, log)), Worker::SubmitResult::Queued);
    worker.shutdown();
  }
  // Shutdown may drop what had not started; what ran, ran in order.
  std::vector<std::string> ran;
  for (const auto& event : log.get()) {
    if (event.starts_with("ran")) ran.push_back(event);
  }
  EXPECT_TRUE(std::is_sorted(ran.begin(), ran.end()));
  EXPECT_EQ(log.get().size(), 3u);
}

TEST(Worker, BoundedQueueAndDuplicateIds) {
  Log log;
  Gate gate;
  Worker worker(2);
  ASSERT_EQ(worker.submit(job("running", log, &gate)), Worker::SubmitResult::Queued);
  gate.started.get_future().wait();
  EXPECT_EQ(worker.submit(job("running", log)), Worker::SubmitResult::DuplicateId);
  EXPECT_EQ(worker.submit(job("q1", log)), Worker::SubmitResult::Queued);
  EXPECT_EQ(worker.submit(job("q1", log)), Worker::SubmitResult::DuplicateId);
  EXPECT_EQ(worker.submit(job("q2", log)), Worker::SubmitResult::Queued);
  EXPECT_EQ(worker.submit(job("q3", log)), Worker::SubmitResult::QueueFull);
  gate.release.set_value();
  worker.shutdown();
  EXPECT_EQ(worker.submit(job("late", log)), Worker::SubmitResult::Stopped);
}

TEST(Worker, CancelDropsAQueuedJob) {
  Log log;
  Gate gate;
  Worker worker(4);
  worker.submit(job("running", log, &gate));
  gate.started.get_future().wait();
  worker.submit(job("queued", log));
  EXPECT_FALSE(worker.cancel("queued", "https://other.example")) << "another origin may not cancel it";
  EXPECT_TRUE(worker.cancel("queued", "https://a.example"));
  EXPECT_FALSE(worker.cancel("queued", "https://a.example")) << "already gone";
  EXPECT_FALSE(worker.cancel("unknown", "https://a.example"));
  EXPECT_EQ(log.get(), std::vector<std::string>{"dropped queued"});
  gate.release.set_value();
  log.waitFor(2);
  worker.shutdown();
  EXPECT_EQ(log.get(), (std::vector<std::string>{"dropped queued", "ran running"}));
}

TEST(Worker, CancelSignalsTheRunningJob) {
  Log log;
  Gate gate;
  Worker worker(4);
  worker.submit(job("running", log, &gate));
  gate.started.get_future().wait();
  EXPECT_FALSE(worker.cancel("running", "https://other.example"));
  EXPECT_TRUE(worker.cancel("running", "https://a.example"));
  gate.release.set_value();
  worker.shutdown();
  EXPECT_EQ(log.get(), std::vector<std::string>{"ran running cancelled"});
}

TEST(Worker, ShutdownDropsQueuedAndCancelsRunning) {
  Log log;
  Gate gate;
  Worker worker(4);
  worker.submit(job("running", log, &gate));
  gate.started.get_future().wait();
  worker.submit(job("q1", log));
  worker.submit(job("q2", log));
  auto releaser = std::async(std::launch::async, [&] {
    std::this_thread::sleep_for(50ms);
    gate.release.set_value();
  });
  worker.shutdown();
  releaser.get();
  const auto events = log.get();
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0], "dropped q1");
  EXPECT_EQ(events[1], "dropped q2");
  EXPECT_EQ(events[2], "ran running cancelled");
}

TEST(Worker, SurvivesAThrowingJob) {
  Log log;
  Worker worker(4);
  Worker::Job bad;
  bad.id = "bad";
  bad.run = [](const CancelToken&) { throw std::runtime_error("boom"); };
  worker.submit(std::move(bad));
  Gate gate;
  worker.submit(job("good", log, &gate));
  gate.started.get_future().wait();
  gate.release.set_value();
  log.waitFor(1);
  worker.shutdown();
  EXPECT_EQ(log.get(), std::vector<std::string>{"ran good"});
}

}  // namespace
}  // namespace certbridge::host
