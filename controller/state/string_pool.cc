// herd — the pool behind PooledString.
#include "controller/state/string_pool.h"

#include <atomic>
#include <mutex>
#include <string_view>
#include <unordered_map>

namespace herd::ctld {

struct PooledString::Entry {
  explicit Entry(const std::string& t) : text(t) {}
  const std::string text;
  // Copies of a handle increment without the lock (the copied handle keeps the count above
  // zero); dropping a handle takes the lock, so an entry is never found and freed at once.
  std::atomic<uint32_t> refs{1};
};

namespace {

// The controller is one thread, but tests and tools may build records elsewhere: a mutex
// costs nothing measurable next to a submission.
struct Pool {
  std::mutex mu;
  std::unordered_map<std::string_view, PooledString::Entry*> by_text;  // views entry->text
};

Pool& GlobalPool() {
  static Pool* pool = new Pool;  // never destroyed: handles in static objects may outlive it
  return *pool;
}

const std::string& EmptyString() {
  static const std::string* empty = new std::string;
  return *empty;
}

}  // namespace

PooledString::PooledString(const std::string& text) {
  if (text.empty()) return;
  Pool& p = GlobalPool();
  std::lock_guard<std::mutex> lock(p.mu);
  auto it = p.by_text.find(text);
  if (it != p.by_text.end()) {
    e_ = it->second;
    e_->refs.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  e_ = new Entry(text);
  p.by_text.emplace(e_->text, e_);
}

PooledString::PooledString(const PooledString& o) : e_(o.e_) {
  if (e_ != nullptr) e_->refs.fetch_add(1, std::memory_order_relaxed);
}

PooledString& PooledString::operator=(const PooledString& o) {
  if (e_ == o.e_) return *this;
  PooledString copy(o);
  return *this = std::move(copy);
}

PooledString& PooledString::operator=(PooledString&& o) noexcept {
  if (this != &o) {
    Release();
    e_ = o.e_;
    o.e_ = nullptr;
  }
  return *this;
}

const std::string& PooledString::str() const { return e_ == nullptr ? EmptyString() : e_->text; }

void PooledString::Release() {
  if (e_ == nullptr) return;
  Pool& p = GlobalPool();
  {
    std::lock_guard<std::mutex> lock(p.mu);
    if (e_->refs.fetch_sub(1, std::memory_order_acq_rel) != 1) {
      e_ = nullptr;
      return;
    }
    p.by_text.erase(std::string_view(e_->text));
  }
  delete e_;
  e_ = nullptr;
}

size_t PooledString::PoolSize() {
  Pool& p = GlobalPool();
  std::lock_guard<std::mutex> lock(p.mu);
  return p.by_text.size();
}

}  // namespace herd::ctld
