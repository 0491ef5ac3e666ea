// A fixed pool of worker threads for data-parallel loops (signature checks, verify).
// Thread-safe: any number of threads may call ParallelFor at once.
#ifndef DUTYLEDGER_LEDGER_INTERNAL_THREAD_POOL_H_
#define DUTYLEDGER_LEDGER_INTERNAL_THREAD_POOL_H_

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace dutyledger::internal {

class ThreadPool {
 public:
  // threads == 0: one per hardware thread.
  explicit ThreadPool(size_t threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  size_t size() const { return workers_.size(); }

  // Runs fn(i) for i in [0, n), on the pool and on the calling thread, in chunks of `grain`;
  // returns when all are done.
  void ParallelFor(size_t n, size_t grain, const std::function<void(size_t)>& fn);

  // Runs `task` on a worker.
  void Submit(std::function<void()> task);

 private:
  void Work();

  std::mutex mu_;  // guards tasks_ and stop_
  std::condition_variable cv_;
  std::deque<std::function<void()>> tasks_;
  bool stop_ = false;
  std::vector<std::thread> workers_;
};

}  // namespace dutyledger::internal

#endif  // DUTYLEDGER_LEDGER_INTERNAL_THREAD_POOL_H_
