// herd — message bodies to bytes and back (Boost.Serialization binary archives without
// their header; our envelope carries the version). Decode never throws: a malformed body
// becomes kInvalidArgument.
#pragma once

#include <sstream>
#include <string>

#include <boost/archive/binary_iarchive.hpp>
#include <boost/archive/binary_oarchive.hpp>

#include "common/base/status.h"
#include "common/proto/envelope.h"
#include "common/proto/messages.h"

namespace herd::proto {

inline constexpr unsigned kArchiveFlags =
    boost::archive::no_header | boost::archive::no_codecvt | boost::archive::no_tracking;

template <class T>
std::string EncodeBody(const T& msg) {
  std::ostringstream os(std::ios::binary);
  {
    boost::archive::binary_oarchive ar(os, kArchiveFlags);
    ar << msg;
  }
  return os.str();
}

// Decoding hostile bytes: Boost throws archive_exception or std::bad_alloc-like errors
// (huge length prefixes) on garbage; both are caught here. Lengths are bounded by the
// envelope's body size limit before this is called. `what` names the type in errors.
template <class T>
Result<T> DecodeBodyAs(const std::string& bytes, const char* what = "record") {
  T msg;
  try {
    std::istringstream is(bytes, std::ios::binary);
    boost::archive::binary_iarchive ar(is, kArchiveFlags);
    ar >> msg;
    // Anything left over means the sender and receiver disagree about the layout.
    if (is.peek() != std::char_traits<char>::eof()) {
      return InvalidArgument(std::string("trailing bytes after ") + what);
    }
  } catch (const std::exception& e) {
    return InvalidArgument(std::string("malformed ") + what + ": " + e.what());
  }
  return msg;
}

template <class T>
Result<T> DecodeBody(const std::string& bytes) {
  return DecodeBodyAs<T>(bytes, MsgTypeName(T::kType));
}

// A frame carrying msg (no credential: the caller signs requests).
template <class T>
Frame MakeFrame(const T& msg, uint64_t request_id, uint64_t epoch = 0) {
  Frame f;
  f.type = T::kType;
  f.request_id = request_id;
  f.epoch = epoch;
  f.body = EncodeBody(msg);
  return f;
}

// The status a reply carries: OK for a non-error reply, the StatusReply's code otherwise.
Status ReplyStatus(const Frame& f);

inline Frame MakeStatusFrame(const Status& st, uint64_t request_id, uint64_t epoch = 0) {
  StatusReply r;
  r.code = static_cast<int32_t>(st.code());
  r.message = st.message();
  return MakeFrame(r, request_id, epoch);
}

}  // namespace herd::proto
