// herd — BoundedIArchive: the length checks, and the one place the Boost archive templates
// are instantiated for it (as Boost's own binary_iarchive.cpp does for binary_iarchive).
#include "common/proto/bounded_archive.h"

#include <boost/archive/archive_exception.hpp>
#include <boost/archive/detail/archive_serializer_map.hpp>
#include <boost/archive/impl/archive_serializer_map.ipp>
#include <boost/archive/impl/basic_binary_iarchive.ipp>
#include <boost/archive/impl/basic_binary_iprimitive.ipp>

namespace herd::proto {

namespace archive_internal {

ByteSpanBuf::ByteSpanBuf(const char* data, size_t size) {
  // The get area is only read from; std::streambuf just wants non-const pointers.
  char* begin = const_cast<char*>(data);
  setg(begin, begin, begin + size);
}

}  // namespace archive_internal

BoundedIArchive::BoundedIArchive(const char* data, size_t size, unsigned flags)
    : ByteSpanBufHolder(data, size), Impl(span_buf, flags) {
  init(flags);  // reads the archive header unless flags has no_header
}

void BoundedIArchive::RequireFits(uint64_t count, size_t item_bytes, const char* what) const {
  const size_t left = remaining();
  if (item_bytes == 0 || count <= left / item_bytes) return;
  throw boost::archive::archive_exception(boost::archive::archive_exception::input_stream_error,
                                          what, "larger than the remaining input");
}

void BoundedIArchive::load_override(boost::serialization::collection_size_type& t) {
  Impl::load_override(t);
  RequireFits(t, 1, "collection size");
}

void BoundedIArchive::load(bool& t) {
  unsigned char byte = 0;
  load_binary(&byte, 1);
  if (byte > 1) {
    throw boost::archive::archive_exception(boost::archive::archive_exception::input_stream_error,
                                            "bool is neither 0 nor 1");
  }
  t = byte != 0;
}

// Same layout as basic_binary_iprimitive::load(std::string&): a size_t length, then bytes.
void BoundedIArchive::load(std::string& s) {
  size_t length = 0;
  load(length);
  RequireFits(length, 1, "string length");
  s.resize(length);
  if (length > 0) load_binary(&s[0], length);
}

void BoundedIArchive::load(std::wstring& s) {
  size_t length = 0;  // in wchar_t
  load(length);
  RequireFits(length, sizeof(wchar_t), "wide string length");
  s.resize(length);
  if (length > 0) load_binary(&s[0], length * sizeof(wchar_t));
}

}  // namespace herd::proto

namespace boost::archive {

template class detail::archive_serializer_map<herd::proto::BoundedIArchive>;
template class basic_binary_iprimitive<herd::proto::BoundedIArchive, char, std::char_traits<char>>;
template class basic_binary_iarchive<herd::proto::BoundedIArchive>;
template class binary_iarchive_impl<herd::proto::BoundedIArchive, char, std::char_traits<char>>;

}  // namespace boost::archive
