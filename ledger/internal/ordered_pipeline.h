// An ordered parallel pipeline for the verifiers: chunks are taken in order, worked on by a pool
// of threads in any order, and consumed in order on the calling thread, with at most `window`
// chunks taken but not yet consumed (so memory stays bounded however long the input).
#ifndef DUTYLEDGER_LEDGER_INTERNAL_ORDERED_PIPELINE_H_
#define DUTYLEDGER_LEDGER_INTERNAL_ORDERED_PIPELINE_H_

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace dutyledger::internal {

template <typename Input, typename Output>
struct OrderedPipeline {
  // Called under the pipeline's lock, in chunk order (0, 1, ...): chunk c's input, or nullopt
  // when there are no more chunks. Reading a file sequentially belongs here.
  std::function<std::optional<Input>(uint64_t c)> take;
  // Called on a worker thread, in any order.
  std::function<Output(uint64_t c, Input& input)> work;
  // Called on the thread that runs Run(), in chunk order; returning false stops the pipeline
  // (chunks not yet consumed are dropped).
  std::function<bool(uint64_t c, Output& output)> consume;

  // Runs to the end of the input or until consume returns false. threads >= 1, window >= 1.
  void Run(size_t threads, uint64_t window) {
    std::mutex mu;  // guards everything below, and calls to `take`
    std::condition_variable cv;
    std::map<uint64_t, Output> results;
    uint64_t next = 0;      // the next chunk to take
    uint64_t consumed = 0;  // chunks consumed
    std::optional<uint64_t> end;
    bool stop = false;
    std::vector<std::thread> workers;
    for (size_t t = 0; t < threads; ++t) {
      workers.emplace_back([&]() {
        while (true) {
          uint64_t c;
          std::optional<Input> input;
          {
            std::unique_lock<std::mutex> l(mu);
            cv.wait(l, [&] { return stop || end || next < consumed + window; });
            if (stop || end) return;
            c = next;
            input = take(c);
            if (!input) {
              end = c;
              cv.notify_all();
              return;
            }
            ++next;
          }
          Output out = work(c, *input);
          std::lock_guard<std::mutex> l(mu);
          results.emplace(c, std::move(out));
          cv.notify_all();
        }
      });
    }
    for (uint64_t c = 0;; ++c) {
      std::optional<Output> out;
      {
        std::unique_lock<std::mutex> l(mu);
        cv.wait(l, [&] { return results.count(c) > 0 || (end && c >= *end); });
        if (results.count(c) == 0) break;
        out.emplace(std::move(results[c]));
        results.erase(c);
      }
      bool more = consume(c, *out);
      {
        std::lock_guard<std::mutex> l(mu);
        consumed = c + 1;
        if (!more) stop = true;
      }
      cv.notify_all();
      if (!more) break;
    }
    {
      std::lock_guard<std::mutex> l(mu);
      stop = true;
    }
    cv.notify_all();
    for (auto& w : workers) w.join();
  }
};

}  // namespace dutyledger::internal

#endif  // DUTYLEDGER_LEDGER_INTERNAL_ORDERED_PIPELINE_H_
