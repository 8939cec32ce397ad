// herd — BoundedIArchive: Boost's binary input archive over an in-memory body that refuses
// any declared length (string size, collection count) the remaining bytes cannot hold, before
// anything is allocated. Reads exactly what boost::archive::binary_oarchive writes.
#pragma once

#include <algorithm>
#include <boost/archive/binary_iarchive_impl.hpp>
#include <boost/archive/detail/register_archive.hpp>
#include <boost/mpl/bool.hpp>
#include <boost/serialization/array_optimization.hpp>
#include <boost/serialization/array_wrapper.hpp>
#include <boost/serialization/collection_size_type.hpp>
#include <boost/serialization/item_version_type.hpp>
#include <boost/serialization/library_version_type.hpp>
#include <boost/serialization/nvp.hpp>
#include <boost/serialization/tracking.hpp>
#include <boost/serialization/vector.hpp>
#include <cstddef>
#include <cstdint>
#include <streambuf>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace herd::proto {

namespace archive_internal {

// A read-only stream buffer over caller-owned bytes; what is left to read is exact.
class ByteSpanBuf : public std::streambuf {
 public:
  ByteSpanBuf(const char* data, size_t size);
  size_t remaining() const { return static_cast<size_t>(egptr() - gptr()); }
};

// Base-from-member: listed before the archive base, so the buffer is built before the
// archive that reads it and destroyed after it.
struct ByteSpanBufHolder {
  ByteSpanBufHolder(const char* data, size_t size) : span_buf(data, size) {}
  ByteSpanBuf span_buf;
};

}  // namespace archive_internal

// Derived from binary_iarchive_impl as Boost documents for new archives; the class templates
// behind it are instantiated in bounded_archive.cc. Every element of a string or collection
// takes at least one byte on the wire, so a count above remaining() is corrupt or hostile and
// is refused with boost::archive::archive_exception.
class BoundedIArchive
    : private archive_internal::ByteSpanBufHolder,
      public boost::archive::binary_iarchive_impl<BoundedIArchive, char, std::char_traits<char>> {
  using Impl = boost::archive::binary_iarchive_impl<BoundedIArchive, char, std::char_traits<char>>;

 public:
  // `data` must outlive the archive.
  BoundedIArchive(const char* data, size_t size, unsigned flags = 0);
  explicit BoundedIArchive(std::string_view bytes, unsigned flags = 0)
      : BoundedIArchive(bytes.data(), bytes.size(), flags) {}

  // Bytes not read yet.
  size_t remaining() const { return span_buf.remaining(); }

  // Throws archive_exception unless `count` items of `item_bytes` bytes each fit in what is
  // left. `what` names the length in the message.
  void RequireFits(uint64_t count, size_t item_bytes, const char* what) const;

 protected:
  // The archive machinery reaches the overrides below through these.
  friend class boost::archive::detail::interface_iarchive<BoundedIArchive>;
  friend class boost::archive::basic_binary_iarchive<BoundedIArchive>;
  friend class boost::archive::basic_binary_iprimitive<BoundedIArchive, char,
                                                       std::char_traits<char>>;
  friend class boost::archive::load_access;

  template <class T>
  void load_override(T& t) {
    Impl::load_override(t);
  }
  // Every collection (vector, map, ...) reads its element count through here.
  void load_override(boost::serialization::collection_size_type& t);

  using Impl::load;
  void load(bool& t);  // rejects bytes other than 0 and 1 instead of asserting
  void load(std::string& s);
  void load(std::wstring& s);
};

}  // namespace herd::proto

// Before the vector loader below, which asks whether arrays are optimized.
BOOST_SERIALIZATION_REGISTER_ARCHIVE(herd::proto::BoundedIArchive)
BOOST_SERIALIZATION_USE_ARRAY_OPTIMIZATION(herd::proto::BoundedIArchive)

namespace herd::proto {

// std::vector for this archive. Boost's own loader reserves and resizes to the declared
// count before reading any element, so a count of N bytes would still cost N times the
// element's in-memory size. Here a vector of bitwise types is sized only once the raw array
// is known to fit, and other vectors grow as elements are actually read. Same wire format.
// Elements may move while the vector grows, so element types tracked always (for pointers)
// go through Boost's loader; herd serializes no pointers.
template <class U, class Alloc>
void load(BoundedIArchive& ar, std::vector<U, Alloc>& v, const unsigned int version) {
  using boost::serialization::library_version_type;
  constexpr bool kBitwise = boost::serialization::use_array_optimization<
      BoundedIArchive>::template apply<std::remove_const_t<U>>::value;
  constexpr bool kTrackedAlways =
      boost::serialization::tracking_level<U>::value == boost::serialization::track_always;
  if constexpr (!kBitwise && (kTrackedAlways || !std::is_default_constructible_v<U>)) {
    boost::serialization::load(ar, v, version, boost::mpl::false_());
  } else if constexpr (kBitwise) {
    boost::serialization::collection_size_type count;
    ar >> BOOST_SERIALIZATION_NVP(count);
    unsigned int item_version = 0;
    if (BOOST_SERIALIZATION_VECTOR_VERSIONED(ar.get_library_version())) {
      ar >> BOOST_SERIALIZATION_NVP(item_version);
    }
    ar.RequireFits(count, sizeof(U), "vector size");
    v.resize(count);
    if (count > 0) {
      ar >> boost::serialization::make_array<U, boost::serialization::collection_size_type>(
                v.data(), count);
    }
  } else {
    boost::serialization::collection_size_type count;
    ar >> BOOST_SERIALIZATION_NVP(count);
    boost::serialization::item_version_type item_version(0);
    if (library_version_type(3) < ar.get_library_version()) {
      ar >> BOOST_SERIALIZATION_NVP(item_version);
    }
    const size_t n = count;
    // As Boost's resize(n): existing elements are loaded over, surplus ones dropped.
    if (v.size() > n) v.resize(n);
    constexpr size_t kInitialCapacity = 16;
    if (v.capacity() < std::min(n, kInitialCapacity)) v.reserve(std::min(n, kInitialCapacity));
    for (size_t i = 0; i < n; ++i) {
      if (i == v.size()) v.emplace_back();
      ar >> boost::serialization::make_nvp("item", v[i]);
    }
  }
}

// std::vector<bool> (Boost has its own overload; this one is more specialized than both).
// A bool takes one byte, which the count check in load_override already enforces.
template <class Alloc>
void load(BoundedIArchive& ar, std::vector<bool, Alloc>& v, const unsigned int /*version*/) {
  boost::serialization::collection_size_type count;
  ar >> BOOST_SERIALIZATION_NVP(count);
  v.resize(count);
  for (size_t i = 0; i < count; ++i) {
    bool b = false;
    ar >> boost::serialization::make_nvp("item", b);
    v[i] = b;
  }
}

}  // namespace herd::proto
