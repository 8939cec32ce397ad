// herd commands — escaping and measuring displayed text.
#include "commands/lib/display.h"

#include <cstdint>
#include <cstdio>

namespace herd::cli {
namespace {

// The code point of the valid sequence of `n` bytes at s[i].
uint32_t CodePoint(const std::string& s, size_t i, size_t n) {
  const auto b = [&](size_t k) { return static_cast<uint32_t>(static_cast<unsigned char>(s[k])); };
  if (n == 1) return b(i);
  uint32_t cp = b(i) & (0xffu >> (n + 1));
  for (size_t k = 1; k < n; ++k) cp = (cp << 6) | (b(i + k) & 0x3f);
  return cp;
}

// Code points that change how a terminal lays text out although they are not C0/C1
// controls: line and paragraph separators, bidirectional embeddings, overrides and
// isolates (they can make a name read as something else), the byte order mark.
bool InvisibleFormatting(uint32_t cp) {
  return cp == 0x2028 || cp == 0x2029 || (cp >= 0x202a && cp <= 0x202e) ||
         (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200e || cp == 0x200f || cp == 0xfeff;
}

void AppendHex(std::string* out, const char* fmt, unsigned value) {
  char buf[16];
  std::snprintf(buf, sizeof buf, fmt, value);
  *out += buf;
}

}  // namespace

size_t Utf8SequenceLength(const std::string& s, size_t i) {
  const auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = b(i);
  if (c < 0x80) return 1;
  size_t n = 0;
  if (c >= 0xc2 && c <= 0xdf) {
    n = 2;
  } else if (c >= 0xe0 && c <= 0xef) {
    n = 3;
  } else if (c >= 0xf0 && c <= 0xf4) {
    n = 4;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    if ((b(i + k) & 0xc0) != 0x80) return 0;
  }
  // Overlong 3/4-byte forms, UTF-16 surrogates and code points above U+10FFFF.
  if (c == 0xe0 && b(i + 1) < 0xa0) return 0;
  if (c == 0xed && b(i + 1) > 0x9f) return 0;
  if (c == 0xf0 && b(i + 1) < 0x90) return 0;
  if (c == 0xf4 && b(i + 1) > 0x8f) return 0;
  return n;
}

std::string EscapeForDisplay(const std::string& s) {
  // Most fields are plain: return them as they are without building a copy char by char.
  bool plain = true;
  for (char ch : s) {
    const unsigned char c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c >= 0x7f) {
      plain = false;
      break;
    }
  }
  if (plain) return s;

  std::string out;
  out.reserve(s.size() + 8);
  for (size_t i = 0; i < s.size();) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    const size_t n = Utf8SequenceLength(s, i);
    if (n == 0) {
      AppendHex(&out, "\\x%02x", c);
      ++i;
      continue;
    }
    const uint32_t cp = CodePoint(s, i, n);
    if (cp == '\n') {
      out += "\\n";
    } else if (cp == '\r') {
      out += "\\r";
    } else if (cp == '\t') {
      out += "\\t";
    } else if (cp < 0x20 || cp == 0x7f) {
      AppendHex(&out, "\\x%02x", cp);
    } else if ((cp >= 0x80 && cp <= 0x9f) || InvisibleFormatting(cp)) {
      AppendHex(&out, "\\u%04x", cp);
    } else {
      out.append(s, i, n);
    }
    i += n;
  }
  return out;
}

size_t DisplayWidth(const std::string& s) {
  size_t chars = 0;
  for (size_t i = 0; i < s.size(); ++chars) {
    const size_t n = Utf8SequenceLength(s, i);
    i += n == 0 ? 1 : n;
  }
  return chars;
}

std::string CutToWidth(const std::string& s, size_t width) {
  size_t i = 0;
  for (size_t chars = 0; i < s.size() && chars < width; ++chars) {
    const size_t n = Utf8SequenceLength(s, i);
    i += n == 0 ? 1 : n;
  }
  return s.substr(0, i);
}

}  // namespace herd::cli
