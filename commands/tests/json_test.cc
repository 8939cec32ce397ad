// herd commands — tests of the JSON writer (commands/lib/json.h).
#include "commands/lib/json.h"

#include <gtest/gtest.h>

namespace herd::cli {
namespace {

TEST(JsonQuote, EscapesWhatMustBeEscaped) {
  EXPECT_EQ(JsonQuote("plain"), "\"plain\"");
  EXPECT_EQ(JsonQuote("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(JsonQuote("l1\nl2\tx\r"), "\"l1\\nl2\\tx\\r\"");
  EXPECT_EQ(JsonQuote(std::string("\x01\x1f", 2)), "\"\\u0001\\u001f\"");
  EXPECT_EQ(JsonQuote(std::string("a\0b", 3)), "\"a\\u0000b\"");
  EXPECT_EQ(JsonQuote("/path"), "\"/path\"");
}

TEST(JsonQuote, KeepsValidUtf8AndReplacesInvalid) {
  EXPECT_EQ(JsonQuote("caf\xc3\xa9"), "\"caf\xc3\xa9\"");
  EXPECT_EQ(JsonQuote("\xe2\x82\xac"), "\"\xe2\x82\xac\"");
  EXPECT_EQ(JsonQuote("\xff"), "\"\\ufffd\"");
  EXPECT_EQ(JsonQuote("\xc3"), "\"\\ufffd\"");                        // truncated sequence
  EXPECT_EQ(JsonQuote("\xc0\xaf"), "\"\\ufffd\\ufffd\"");             // overlong
  EXPECT_EQ(JsonQuote("\xed\xa0\x80"), "\"\\ufffd\\ufffd\\ufffd\"");  // surrogate
}

TEST(JsonWriter, NestedDocument) {
  JsonWriter w;
  w.BeginObject();
  w.Key("jobs");
  w.BeginArray();
  w.BeginObject();
  w.Key("id");
  w.Uint(5);
  w.Key("ok");
  w.Bool(true);
  w.Key("limit");
  w.Null();
  w.Key("neg");
  w.Int(-3);
  w.EndObject();
  w.EndArray();
  w.Key("empty");
  w.BeginArray();
  w.EndArray();
  w.EndObject();
  EXPECT_EQ(w.str(),
            "{\n"
            "  \"jobs\": [\n"
            "    {\n"
            "      \"id\": 5,\n"
            "      \"ok\": true,\n"
            "      \"limit\": null,\n"
            "      \"neg\": -3\n"
            "    }\n"
            "  ],\n"
            "  \"empty\": []\n"
            "}\n");
}

}  // namespace
}  // namespace herd::cli
