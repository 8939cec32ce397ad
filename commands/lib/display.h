// herd commands — text shown on a terminal. Job names, reasons, paths and commands come
// from users; printed raw, an escape sequence or a newline in them would reach whoever
// runs hqueue or hcontrol show. Every displayed field goes through EscapeForDisplay, and
// columns are measured and cut in characters (UTF-8 code points), never in bytes, so a
// multi-byte character is never split.
#pragma once

#include <cstddef>
#include <string>

namespace herd::cli {

// Length of the valid UTF-8 sequence starting at s[i] (1 for ASCII), or 0 when the bytes
// there are not valid UTF-8 (stray continuation byte, overlong form, surrogate, beyond
// U+10FFFF, truncated sequence).
size_t Utf8SequenceLength(const std::string& s, size_t i);

// `s` with everything that could act on a terminal made visible: \n \r \t as those two
// characters, other C0 controls and DEL as \xHH, C1 controls and the Unicode line
// separators and bidirectional overrides as \uHHHH, bytes that are not valid UTF-8 as
// \xHH. Printable text, UTF-8 included, is unchanged.
std::string EscapeForDisplay(const std::string& s);

// Number of UTF-8 characters in `s` (an invalid byte counts as one).
size_t DisplayWidth(const std::string& s);

// The first `width` characters of `s`, cut between characters.
std::string CutToWidth(const std::string& s, size_t width);

}  // namespace herd::cli
