// TerminalText: untrusted text for human output keeps printable text, valid UTF-8
// included, and shows every control and every invalid byte as \xNN (issue 18, item 11).
#include "core/terminal_text.h"

#include <gtest/gtest.h>

#include <string>

namespace vigil::cli {
namespace {

TEST(TerminalTextTest, PlainAndMultiByteTextIsKept) {
  EXPECT_EQ(TerminalText(""), "");
  EXPECT_EQ(TerminalText("/srv/intake/photo 1.jpg"), "/srv/intake/photo 1.jpg");
  // 2-, 3- and 4-byte sequences: e-acute, CJK, a Cyrillic a, an emoji; U+00A0 and U+FFFD.
  const std::string text =
      "caf\xc3\xa9 \xe7\x8c\xab \xd0\xb0 \xf0\x9f\x93\xb7 \xc2\xa0 \xef\xbf\xbd";
  EXPECT_EQ(TerminalText(text), text);
  EXPECT_EQ(TerminalText("\xf4\x8f\xbf\xbf"), "\xf4\x8f\xbf\xbf");  // U+10FFFF, the last
}

TEST(TerminalTextTest, C0ControlsAndDelAreEscaped) {
  EXPECT_EQ(TerminalText("a\nb"), "a\\x0ab");
  EXPECT_EQ(TerminalText("a\rb\tc"), "a\\x0db\\x09c");
  EXPECT_EQ(TerminalText("\x1b[2J"), "\\x1b[2J");
  EXPECT_EQ(TerminalText(std::string("a\0b", 3)), "a\\x00b");
  EXPECT_EQ(TerminalText("\x07\x08\x1f\x7f"), "\\x07\\x08\\x1f\\x7f");
  for (int c = 0; c < 0x20; ++c) {
    const std::string out = TerminalText(std::string(1, static_cast<char>(c)));
    EXPECT_EQ(out.size(), 4u) << c;
    EXPECT_EQ(out.substr(0, 2), "\\x") << c;
  }
}

TEST(TerminalTextTest, BackslashIsDoubledSoEscapesAreUnambiguous) {
  EXPECT_EQ(TerminalText("a\\x0ab"), "a\\\\x0ab");
  EXPECT_NE(TerminalText("a\\x0ab"), TerminalText("a\nb"));
}

TEST(TerminalTextTest, C1ControlsAreEscapedAsUtf8AndAsRawBytes) {
  EXPECT_EQ(TerminalText("\xc2\x80"), "\\xc2\\x80");
  EXPECT_EQ(TerminalText("\xc2\x85"), "\\xc2\\x85");  // NEL, a newline to some terminals
  EXPECT_EQ(TerminalText("\xc2\x9b"
                         "2J"),
            "\\xc2\\x9b2J");  // CSI
  EXPECT_EQ(TerminalText("\xc2\x9f"), "\\xc2\\x9f");
  EXPECT_EQ(TerminalText("\x9b"
                         "2J"),
            "\\x9b2J");  // a raw 8-bit CSI is not UTF-8 at all
}

TEST(TerminalTextTest, LineSeparatorsAndBidiOverridesAreEscaped) {
  EXPECT_EQ(TerminalText("a\xe2\x80\xa8"
                         "b"),
            "a\\xe2\\x80\\xa8b");  // U+2028
  EXPECT_EQ(TerminalText("\xe2\x80\xae"
                         "gpj.exe"),
            "\\xe2\\x80\\xaegpj.exe");                         // U+202E
  EXPECT_EQ(TerminalText("\xe2\x81\xa6"), "\\xe2\\x81\\xa6");  // U+2066
}

TEST(TerminalTextTest, InvalidUtf8IsEscapedByteByByte) {
  EXPECT_EQ(TerminalText("caf\xe9"), "caf\\xe9");     // Latin-1
  EXPECT_EQ(TerminalText("\xff\xfe"), "\\xff\\xfe");  // never valid
  EXPECT_EQ(TerminalText("\x80x"), "\\x80x");         // stray continuation
  EXPECT_EQ(TerminalText("\xc3"), "\\xc3");           // truncated at the end
  EXPECT_EQ(TerminalText("\xe7\x8c"
                         "a"),
            "\\xe7\\x8ca");                                             // truncated in the middle
  EXPECT_EQ(TerminalText("\xc3\xc3\xa9"), "\\xc3\xc3\xa9");             // resynchronises
  EXPECT_EQ(TerminalText("\xed\xa0\x80"), "\\xed\\xa0\\x80");           // a surrogate, U+D800
  EXPECT_EQ(TerminalText("\xf4\x90\x80\x80"), "\\xf4\\x90\\x80\\x80");  // past U+10FFFF
  EXPECT_EQ(TerminalText("\xf5\x80\x80\x80"), "\\xf5\\x80\\x80\\x80");
}

TEST(TerminalTextTest, OverlongFormsAreEscaped) {
  EXPECT_EQ(TerminalText("\xc0\xaf"), "\\xc0\\xaf");                    // '/' in two bytes
  EXPECT_EQ(TerminalText("\xc1\x8a"), "\\xc1\\x8a");                    // '\n' in two bytes
  EXPECT_EQ(TerminalText("\xe0\x80\x8a"), "\\xe0\\x80\\x8a");           // '\n' in three
  EXPECT_EQ(TerminalText("\xe0\x82\x9b"), "\\xe0\\x82\\x9b");           // C1 CSI in three
  EXPECT_EQ(TerminalText("\xf0\x80\x80\x8a"), "\\xf0\\x80\\x80\\x8a");  // '\n' in four
}

TEST(TerminalTextTest, OutputHasNoControlBytesForAnyInput) {
  // Every byte value, and every two-byte pair: no C0, DEL or raw C1 byte survives.
  std::string all;
  for (int a = 0; a < 256; ++a) {
    all += static_cast<char>(a);
    for (int b = 0; b < 256; ++b) {
      const std::string pair = {static_cast<char>(a), static_cast<char>(b)};
      for (unsigned char c : TerminalText(pair)) {
        ASSERT_FALSE(c < 0x20 || c == 0x7f) << a << " " << b;
      }
    }
  }
  const std::string out = TerminalText(all);
  EXPECT_EQ(out.find('\n'), std::string::npos);
  EXPECT_EQ(out.find('\x1b'), std::string::npos);
}

}  // namespace
}  // namespace vigil::cli
