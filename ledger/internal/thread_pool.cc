#include "ledger/internal/thread_pool.h"

#include <atomic>
#include <memory>

namespace dutyledger::internal {

ThreadPool::ThreadPool(size_t threads) {
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  for (size_t i = 0; i < threads; ++i) workers_.emplace_back([this] { Work(); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> l(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  for (auto& t : workers_) t.join();
}

void ThreadPool::Submit(std::function<void()> task) {
  {
    std::lock_guard<std::mutex> l(mu_);
    tasks_.push_back(std::move(task));
  }
  cv_.notify_one();
}

void ThreadPool::Work() {
  while (true) {
    std::function<void()> task;
    {
      std::unique_lock<std::mutex> l(mu_);
      cv_.wait(l, [&] { return stop_ || !tasks_.empty(); });
      if (tasks_.empty()) return;
      task = std::move(tasks_.front());
      tasks_.pop_front();
    }
    task();
  }
}

void ThreadPool::ParallelFor(size_t n, size_t grain, const std::function<void(size_t)>& fn) {
  if (grain == 0) grain = 1;
  size_t chunks = (n + grain - 1) / grain;
  if (chunks <= 1) {
    for (size_t i = 0; i < n; ++i) fn(i);
    return;
  }
  struct Shared {
    std::atomic<size_t> next{0};
    std::mutex mu;
    std::condition_variable cv;
    size_t running = 0;
  };
  auto shared = std::make_shared<Shared>();
  auto run = [shared, n, grain, chunks, &fn]() {
    while (true) {
      size_t c = shared->next.fetch_add(1);
      if (c >= chunks) break;
      size_t end = std::min(n, (c + 1) * grain);
      for (size_t i = c * grain; i < end; ++i) fn(i);
    }
  };
  size_t helpers = std::min(workers_.size(), chunks - 1);
  shared->running = helpers;
  for (size_t h = 0; h < helpers; ++h) {
    Submit([shared, run]() {
      run();
      std::lock_guard<std::mutex> l(shared->mu);
      if (--shared->running == 0) shared->cv.notify_all();
    });
  }
  run();
  std::unique_lock<std::mutex> l(shared->mu);
  shared->cv.wait(l, [&] { return shared->running == 0; });
}

}  // namespace dutyledger::internal
