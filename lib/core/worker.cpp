#include "core/worker.hpp"

namespace spax::detail {

Worker::Worker() : thread_([this] { run(); }) {}

Worker::~Worker() {
  {
    std::lock_guard<std::mutex> l(m_);
    quit_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void Worker::start(std::function<void()> job) {
  {
    std::lock_guard<std::mutex> l(m_);
    job_ = std::move(job);
    done_ = false;
    error_ = nullptr;
  }
  cv_.notify_all();
}

void Worker::wait() {
  std::unique_lock<std::mutex> l(m_);
  cv_.wait(l, [&] { return done_; });
  if (error_) std::rethrow_exception(error_);
}

void Worker::run() {
  std::unique_lock<std::mutex> l(m_);
  for (;;) {
    cv_.wait(l, [&] { return quit_ || (job_ && !done_); });
    if (quit_) return;
    auto job = std::move(job_);
    job_ = nullptr;
    l.unlock();
    std::exception_ptr err;
    try {
      job();
    } catch (...) {
      err = std::current_exception();
    }
    l.lock();
    error_ = err;
    done_ = true;
    cv_.notify_all();
  }
}

}  // namespace spax::detail
