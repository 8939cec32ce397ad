// herd — SHA-256 against the FIPS 180-4 / NIST example vectors and the padding boundaries.
#include "common/auth/sha256.h"

#include <gtest/gtest.h>

#include <string>

#include "common/auth/auth.h"

namespace herd {
namespace {

std::string Hex(const std::string& raw) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : raw) {
    out += kDigits[c >> 4];
    out += kDigits[c & 0xf];
  }
  return out;
}

// Bytes 0, 1, 2, ... 250, 0, 1, ...: not all equal, so a misplaced block shows.
std::string Pattern(size_t len) {
  std::string s(len, '\0');
  for (size_t i = 0; i < len; ++i) s[i] = static_cast<char>(i % 251);
  return s;
}

TEST(Sha256Test, EmptyMessage) {
  EXPECT_EQ(Hex(Sha256("")), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(Sha256Test, OneBlockMessage) {
  std::string d = Sha256("abc");
  ASSERT_EQ(d.size(), 32u);
  EXPECT_EQ(Hex(d), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Sha256Test, TwoBlockMessage448Bits) {
  EXPECT_EQ(Hex(Sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST(Sha256Test, Message896Bits) {
  EXPECT_EQ(Hex(Sha256("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmn"
                       "hijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu")),
            "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
}

TEST(Sha256Test, OneMillionA) {
  const char* kWant = "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";
  EXPECT_EQ(Hex(Sha256(std::string(1000000, 'a'))), kWant);
  // The same message fed in uneven pieces, across block boundaries.
  Sha256Hasher hasher;
  std::string piece(997, 'a');
  size_t left = 1000000;
  while (left > 0) {
    size_t n = left < piece.size() ? left : piece.size();
    hasher.Update(piece.data(), n);
    left -= n;
  }
  EXPECT_EQ(Hex(hasher.FinalString()), kWant);
}

TEST(Sha256Test, PaddingBoundaries) {
  struct Case {
    size_t len;
    const char* hex;
  };
  const Case kCases[] = {
      {55, "463eb28e72f82e0a96c0a4cc53690c571281131f672aa229e0d45ae59b598b59"},
      {56, "da2ae4d6b36748f2a318f23e7ab1dfdf45acdc9d049bd80e59de82a60895f562"},
      {63, "29af2686fd53374a36b0846694cc342177e428d1647515f078784d69cdb9e488"},
      {64, "fdeab9acf3710362bd2658cdc9a29e8f9c757fcf9811603a8c447cd1d9151108"},
      {65, "4bfd2c8b6f1eec7a2afeb48b934ee4b2694182027e6d0fc075074f2fabb31781"},
      {119, "da18797ed7c3a777f0847f429724a2d8cd5138e6ed2895c3fa1a6d39d18f7ec6"},
      {120, "f52b23db1fbb6ded89ef42a23ce0c8922c45f25c50b568a93bf1c075420bbb7c"},
      {127, "92ca0fa6651ee2f97b884b7246a562fa71250fedefe5ebf270d31c546bfea976"},
      {128, "471fb943aa23c511f6f72f8d1652d9c880cfa392ad80503120547703e56a2be5"},
  };
  for (const Case& c : kCases) {
    EXPECT_EQ(Hex(Sha256(Pattern(c.len))), c.hex) << "length " << c.len;
  }
}

TEST(Sha256Test, SplitAnywhereGivesTheSameDigest) {
  Sha256Hasher hasher;
  for (size_t len = 0; len <= 200; ++len) {
    std::string msg = Pattern(len);
    std::string want = Sha256(msg);
    for (size_t cut = 0; cut <= len; ++cut) {
      hasher.Update(msg.data(), cut);
      hasher.Update(msg.data() + cut, len - cut);
      ASSERT_EQ(hasher.FinalString(), want) << "length " << len << " cut " << cut;
    }
  }
}

TEST(Sha256Test, ResetDiscardsInput) {
  Sha256Hasher hasher;
  hasher.Update("garbage");
  hasher.Reset();
  hasher.Update("abc");
  EXPECT_EQ(hasher.FinalString(), Sha256("abc"));
}

}  // namespace
}  // namespace herd
