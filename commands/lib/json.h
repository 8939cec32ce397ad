// herd commands — a small JSON writer for --json output: objects, arrays, strings (escaped
// per RFC 8259; invalid UTF-8 becomes U+FFFD so the output always parses), integers,
// booleans and null, pretty-printed with two-space indentation.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace herd::cli {

// `s` as a JSON string literal, quotes included.
std::string JsonQuote(const std::string& s);

class JsonWriter {
 public:
  void BeginObject();
  void EndObject();
  void BeginArray();
  void EndArray();
  // Inside an object: the next value's key.
  void Key(const std::string& key);
  void String(const std::string& v);
  void Int(int64_t v);
  void Uint(uint64_t v);
  void Bool(bool v);
  void Null();

  // The document so far, with a final newline once every container is closed.
  std::string str() const;

 private:
  void BeforeValue();
  void Newline();
  void Close(char bracket);

  std::string out_;
  // One entry per open container: how many items it holds so far.
  std::vector<int> counts_;
  bool after_key_ = false;
};

}  // namespace herd::cli
