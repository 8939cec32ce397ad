// herd — PooledString: an immutable string the controller's records share. Thousands of
// pending jobs carry the same user, partition, work directory and output pattern; each
// distinct text is held once in a process-wide pool and a job keeps an 8-byte handle
// instead of a 32-byte std::string with, for paths, its own heap block. Entries are
// reference counted and leave the pool with their last handle, so unique texts (a job name
// per job) cost no more than before and never accumulate.
//
// It reads like a const std::string (implicit conversion, ==, <<), so code that only reads
// job fields is unchanged. Serialized exactly as a std::string.
#pragma once

#include <boost/serialization/level.hpp>
#include <boost/serialization/split_member.hpp>
#include <boost/serialization/string.hpp>
#include <boost/serialization/tracking.hpp>
#include <cstddef>
#include <ostream>
#include <string>

namespace herd::ctld {

class PooledString {
 public:
  PooledString() = default;
  // Implicit on purpose: `job.user = UserName(uid)` keeps compiling.
  PooledString(const std::string& text);  // NOLINT(google-explicit-constructor)
  PooledString(const char* text) : PooledString(std::string(text)) {}  // NOLINT
  PooledString(const PooledString& o);
  PooledString(PooledString&& o) noexcept : e_(o.e_) { o.e_ = nullptr; }
  PooledString& operator=(const PooledString& o);
  PooledString& operator=(PooledString&& o) noexcept;
  ~PooledString() { Release(); }

  const std::string& str() const;
  operator const std::string&() const { return str(); }  // NOLINT
  bool empty() const { return e_ == nullptr; }
  size_t size() const { return str().size(); }
  const char* c_str() const { return str().c_str(); }
  void clear() { *this = PooledString(); }

  // One entry per distinct text, so handles compare by address.
  friend bool operator==(const PooledString& a, const PooledString& b) { return a.e_ == b.e_; }
  friend bool operator!=(const PooledString& a, const PooledString& b) { return a.e_ != b.e_; }
  friend bool operator==(const PooledString& a, const std::string& b) { return a.str() == b; }
  friend bool operator==(const std::string& a, const PooledString& b) { return a == b.str(); }
  friend bool operator!=(const PooledString& a, const std::string& b) { return a.str() != b; }
  friend bool operator!=(const std::string& a, const PooledString& b) { return a != b.str(); }
  friend bool operator==(const PooledString& a, const char* b) { return a.str() == b; }
  friend bool operator!=(const PooledString& a, const char* b) { return a.str() != b; }
  friend std::string operator+(const std::string& a, const PooledString& b) { return a + b.str(); }
  friend std::string operator+(const PooledString& a, const std::string& b) { return a.str() + b; }
  friend std::string operator+(const char* a, const PooledString& b) { return a + b.str(); }
  friend std::string operator+(const PooledString& a, const char* b) { return a.str() + b; }
  friend std::ostream& operator<<(std::ostream& os, const PooledString& s) { return os << s.str(); }

  // Distinct texts currently pooled (for tests).
  static size_t PoolSize();

  template <class A>
  void save(A& ar, unsigned) const {
    ar& str();
  }
  template <class A>
  void load(A& ar, unsigned) {
    std::string text;
    ar& text;
    *this = PooledString(text);
  }
  BOOST_SERIALIZATION_SPLIT_MEMBER()

  struct Entry;  // defined with the pool (string_pool.cc)

 private:
  void Release();
  Entry* e_ = nullptr;  // nullptr: the empty string (not pooled)
};

}  // namespace herd::ctld

// Written as a bare std::string: no class header, no tracking.
BOOST_CLASS_IMPLEMENTATION(herd::ctld::PooledString, boost::serialization::object_serializable)
BOOST_CLASS_TRACKING(herd::ctld::PooledString, boost::serialization::track_never)
