// Internal: one persistent worker thread. start() hands it a job; wait() returns when the job is
// done and rethrows what it threw. One job at a time.
#pragma once

#include <condition_variable>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>

namespace spax::detail {

class Worker {
 public:
  Worker();
  ~Worker();  // joins the thread (after the job in progress, if any)
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  void start(std::function<void()> job);
  void wait();

 private:
  void run();
  std::mutex m_;
  std::condition_variable cv_;
  std::function<void()> job_;
  bool done_ = true, quit_ = false;
  std::exception_ptr error_;
  std::thread thread_;
};

}  // namespace spax::detail
