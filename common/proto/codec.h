// herd — message bodies to bytes and back (Boost.Serialization binary archives without
// their header; our envelope carries the version). Decode never throws: a malformed body
// becomes kInvalidArgument, and a declared length the body cannot hold is refused before
// anything is allocated (BoundedIArchive).
#pragma once

#include <boost/archive/binary_oarchive.hpp>
#include <sstream>
#include <string>

#include "common/base/status.h"
#include "common/proto/bounded_archive.h"
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

// Decoding hostile bytes: the archive throws archive_exception on garbage, including any
// string length or element count larger than the bytes left, so a short body cannot make it
// allocate much; everything thrown is caught here. `what` names the type in errors.
template <class T>
Result<T> DecodeBodyAs(const std::string& bytes, const char* what = "record") {
  T msg;
  try {
    BoundedIArchive ar(bytes, kArchiveFlags);
    ar >> msg;
    // Anything left over means the sender and receiver disagree about the layout.
    if (ar.remaining() != 0) {
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
