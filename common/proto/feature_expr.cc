// herd — --constraint feature expressions (feature_expr.h).
#include "common/proto/feature_expr.h"

#include <algorithm>
#include <memory>

#include "common/base/strings.h"

namespace herd::proto {
namespace {

bool IsOperator(char c) {
  return c == '&' || c == ',' || c == '|' || c == '(' || c == ')' || c == '[' || c == ']' ||
         c == '*' || c == '!';
}

// The expression as written, before its meaning is settled.
struct Ast {
  enum class Kind : uint8_t { kName, kAnd, kOr, kCount, kBracket };
  Kind kind = Kind::kName;
  std::string name;
  uint32_t count = 0;
  std::vector<Ast> kids;
};

class Parser {
 public:
  explicit Parser(const std::string& text) : text_(text) {}

  Result<Ast> Parse() {
    HERD_ASSIGN_OR_RETURN(Ast e, Or());
    Skip();
    if (pos_ < text_.size()) return Bad(std::string("unexpected '") + text_[pos_] + "'");
    return e;
  }

 private:
  Status Bad(const std::string& why) const {
    return InvalidArgument("Invalid feature specification '" + text_ + "': " + why);
  }
  void Skip() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t')) ++pos_;
  }
  bool Take(char c) {
    Skip();
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  Result<Ast> Or() {
    HERD_ASSIGN_OR_RETURN(Ast first, And());
    if (!Take('|')) return first;
    Ast out{Ast::Kind::kOr, "", 0, {std::move(first)}};
    do {
      HERD_ASSIGN_OR_RETURN(Ast next, And());
      out.kids.push_back(std::move(next));
    } while (Take('|'));
    return out;
  }
  Result<Ast> And() {
    HERD_ASSIGN_OR_RETURN(Ast first, Term());
    if (!Take('&') && !Take(',')) return first;
    Ast out{Ast::Kind::kAnd, "", 0, {std::move(first)}};
    do {
      HERD_ASSIGN_OR_RETURN(Ast next, Term());
      out.kids.push_back(std::move(next));
    } while (Take('&') || Take(','));
    return out;
  }
  Result<Ast> Term() {
    HERD_ASSIGN_OR_RETURN(Ast f, Factor());
    if (!Take('*')) return f;
    Skip();
    size_t start = pos_;
    while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') ++pos_;
    const std::string digits = text_.substr(start, pos_ - start);
    if (digits.empty() || digits.size() > 6) return Bad("'*' takes a node count");
    const auto n = static_cast<uint32_t>(std::stoul(digits));
    if (n == 0) return Bad("a node count must be at least 1");
    return Ast{Ast::Kind::kCount, "", n, {std::move(f)}};
  }
  Result<Ast> Factor() {
    if (Take('(')) {
      HERD_ASSIGN_OR_RETURN(Ast e, Or());
      if (!Take(')')) return Bad("missing ')'");
      return e;
    }
    if (Take('[')) {
      if (in_bracket_) return Bad("brackets cannot nest");
      in_bracket_ = true;
      HERD_ASSIGN_OR_RETURN(Ast e, Or());
      in_bracket_ = false;
      if (!Take(']')) return Bad("missing ']'");
      return Ast{Ast::Kind::kBracket, "", 0, {std::move(e)}};
    }
    Skip();
    size_t start = pos_;
    while (pos_ < text_.size() && !IsOperator(text_[pos_])) ++pos_;
    std::string name = Trim(text_.substr(start, pos_ - start));
    if (name.empty()) {
      if (pos_ < text_.size() && text_[pos_] == '!') return Bad("'!' is not supported");
      return Bad("empty feature");
    }
    return Ast{Ast::Kind::kName, std::move(name), 0, {}};
  }

  const std::string& text_;
  size_t pos_ = 0;
  bool in_bracket_ = false;
};

// A plain test (no count, no bracket inside), or an error.
Result<FeaturePred> ToPred(const Ast& a, std::vector<std::string>* names) {
  FeaturePred p;
  switch (a.kind) {
    case Ast::Kind::kName:
      p.op = FeaturePred::Op::kName;
      p.name = a.name;
      if (std::find(names->begin(), names->end(), a.name) == names->end()) {
        names->push_back(a.name);
      }
      return p;
    case Ast::Kind::kAnd:
    case Ast::Kind::kOr:
      p.op = a.kind == Ast::Kind::kAnd ? FeaturePred::Op::kAnd : FeaturePred::Op::kOr;
      for (const Ast& k : a.kids) {
        HERD_ASSIGN_OR_RETURN(FeaturePred kp, ToPred(k, names));
        p.kids.push_back(std::move(kp));
      }
      return p;
    case Ast::Kind::kCount:
      return InvalidArgument("a node count may only be joined by '&'");
    case Ast::Kind::kBracket:
      return InvalidArgument("brackets may only be joined by '&'");
  }
  return p;
}

// The terms ANDed at the top (or inside the bracket) into `alt`; a bracket's OR into
// `bracket_or` (the alternatives of a matching OR).
Status AddTerms(const Ast& a, FeatureAlternative* alt, std::vector<FeaturePred>* bracket_or,
                std::vector<std::string>* names) {
  if (a.kind == Ast::Kind::kAnd) {
    for (const Ast& k : a.kids) HERD_RETURN_IF_ERROR(AddTerms(k, alt, bracket_or, names));
    return Status::Ok();
  }
  if (a.kind == Ast::Kind::kCount) {
    HERD_ASSIGN_OR_RETURN(FeaturePred p, ToPred(a.kids[0], names));
    alt->counted.emplace_back(std::move(p), a.count);
    return Status::Ok();
  }
  if (a.kind == Ast::Kind::kBracket) {
    const Ast& in = a.kids[0];
    if (in.kind == Ast::Kind::kOr) {
      for (const Ast& k : in.kids) {
        HERD_ASSIGN_OR_RETURN(FeaturePred p, ToPred(k, names));
        bracket_or->push_back(std::move(p));
      }
      return Status::Ok();
    }
    return AddTerms(in, alt, bracket_or, names);
  }
  HERD_ASSIGN_OR_RETURN(FeaturePred p, ToPred(a, names));
  alt->all.kids.push_back(std::move(p));
  return Status::Ok();
}

}  // namespace

bool FeaturePred::Matches(const std::vector<std::string>& features) const {
  switch (op) {
    case Op::kName:
      return std::find(features.begin(), features.end(), name) != features.end();
    case Op::kAnd:
      for (const FeaturePred& k : kids) {
        if (!k.Matches(features)) return false;
      }
      return true;
    case Op::kOr:
      for (const FeaturePred& k : kids) {
        if (k.Matches(features)) return true;
      }
      return false;
  }
  return false;
}

uint32_t FeatureAlternative::CountedNodes() const {
  uint32_t n = 0;
  for (const auto& c : counted) n += c.second;
  return n;
}

bool IsFeatureExpression(const std::string& text) {
  return text.find_first_of("|()[]*!") != std::string::npos;
}

Result<FeatureRequest> ParseFeatures(const std::string& text) {
  HERD_ASSIGN_OR_RETURN(Ast ast, Parser(text).Parse());
  FeatureRequest out;
  FeatureAlternative base;
  std::vector<FeaturePred> bracket_or;
  Status st = AddTerms(ast, &base, &bracket_or, &out.names);
  if (!st.ok()) {
    return InvalidArgument("Invalid feature specification '" + text + "': " + st.message());
  }
  if (bracket_or.empty()) {
    out.alternatives.push_back(std::move(base));
    return out;
  }
  for (FeaturePred& p : bracket_or) {
    FeatureAlternative alt = base;
    alt.all.kids.push_back(std::move(p));
    out.alternatives.push_back(std::move(alt));
  }
  return out;
}

}  // namespace herd::proto
