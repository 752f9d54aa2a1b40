// Text for humans on a terminal. Paths, URLs, store rows and whatever a plugin returns are
// untrusted: a file name can hold a newline (a forged extra line of output), an ANSI escape
// (clearing the screen, moving the cursor) or bytes that are not UTF-8. TerminalText()
// keeps printable text, valid multi-byte UTF-8 included, and writes every other byte as
// \xNN, so that one item stays one line and the terminal only ever receives text.
#ifndef VIGIL_HOST_CORE_TERMINAL_TEXT_H_
#define VIGIL_HOST_CORE_TERMINAL_TEXT_H_

#include <string>
#include <string_view>

namespace vigil {

// Escaped as \xNN (lower-case hex), byte by byte:
//   - C0 controls (0x00-0x1f: \n, \r, \t, ESC ...) and DEL (0x7f);
//   - C1 controls (U+0080-U+009F, bytes c2 80-c2 9f), which some terminals obey;
//   - the Unicode line and paragraph separators (U+2028, U+2029) and the bidirectional
//     marks, overrides and isolates (U+061C, U+200E-U+200F, U+202A-U+202E,
//     U+2066-U+2069), which reorder what is shown;
//   - every byte of an invalid UTF-8 sequence: stray continuation bytes, bad lead bytes,
//     truncated sequences, overlong forms, surrogates and code points past U+10FFFF.
// A backslash is written as "\\", so an escape can always be told from a name that
// happens to contain "\x41".
std::string TerminalText(std::string_view text);

}  // namespace vigil

#endif  // VIGIL_HOST_CORE_TERMINAL_TEXT_H_
