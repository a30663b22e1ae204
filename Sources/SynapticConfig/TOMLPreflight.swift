// TOMLPreflight: finds what toml++ 3.4.0 (the parser in TOMLKit 0.6) would abort the process on, so that
// `Config.parse` can refuse it with a syntax error before the text reaches toml++.
//
// toml++ checks some of its parser's preconditions only with assert(), and SwiftPM compiles C++ without
// NDEBUG, so a malformed file stops the process (at start-up, or in a running node on reload). Two were
// found by Fuzz/ConfigFuzzer:
//   - a table header whose key does not start with a key character: `[=]`, `[ ,]`, `[[[1]]]`, `[` and a
//     lone CR (parse_table_header calls parse_key unchecked; fixed upstream, marzer/tomlplusplus#301);
//   - an array element that starts with `}` or with a line break toml++ does not accept (NEL, U+2028,
//     U+2029): `a = [}]`, `a = [1, }]` (parse_array calls parse_value unchecked).
// Both are invalid TOML, so no valid file is refused.
//
// The scan follows the statements: a table header is `[` as the first non-blank character of a line
// outside any value; values are followed across lines — strings (basic, literal, multi-line), comments,
// and the brackets and braces of arrays and inline tables.

/// A position in the text (line and column from 1; the column counts bytes) and what is wrong there.
struct TOMLPreflight {
    let line: Int
    let column: Int
    let problem: String

    /// The first thing in `text` toml++ would abort on, or nil.
    static func check(_ text: String) -> TOMLPreflight? {
        let bytes = Array(text.utf8)
        var index = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0   // toml++ skips a byte order mark
        var statementStart = true
        var inHeader = false
        var open: [UInt8] = []       // the unclosed `[` and `{` of the value being read
        var elementExpected = false  // after an array's `[` or `,`: an element or `]` comes next
        while index < bytes.count {
            let byte = bytes[index]
            if statementStart, byte != space, byte != tab {
                statementStart = false
                if byte == openBracket {
                    guard keyStarts(bytes, after: index) else {
                        return finding(at: index, in: bytes,
                                       "a table header must start with a key (a letter, digit, '-', '_' or a quoted key)")
                    }
                    inHeader = true
                }
            }
            if elementExpected, ![space, tab, newline, carriageReturn, hash].contains(byte) {
                elementExpected = false
                if byte == closeBrace { return finding(at: index, in: bytes, "expected an array element or ']', found '}'") }
            }
            if byte >= 0xC2, unacceptedLineBreaks.contains(where: { bytes[index...].starts(with: $0) }) {
                return finding(at: index, in: bytes, "NEL, U+2028 and U+2029 are allowed only in strings and comments")
            }
            switch byte {
            case newline:
                inHeader = false
                statementStart = open.isEmpty
            case hash:
                while index + 1 < bytes.count, bytes[index + 1] != newline { index += 1 }
            case doubleQuote, singleQuote:
                index = endOfString(bytes, at: index)
            case openBracket where !inHeader:
                open.append(byte)
                elementExpected = true
            case openBrace where !inHeader:
                open.append(byte)
            case closeBracket where !inHeader, closeBrace where !inHeader:
                _ = open.popLast()
            case comma:
                elementExpected = open.last == openBracket
            default:
                break
            }
            index += 1
        }
        return nil
    }

    /// Whether toml++ can read the key of the header whose first `[` is at `index`: after it, blanks, a
    /// second `[` right after the first and blanks again, comes a key start, `]` or the end of the text
    /// (or blanks followed by `[`, which toml++ refuses on its own).
    private static func keyStarts(_ bytes: [UInt8], after index: Int) -> Bool {
        var next = skippingBlanks(bytes, from: index + 1)
        if next < bytes.count, bytes[next] == openBracket {
            guard next == index + 1 else { return true }
            next = skippingBlanks(bytes, from: next + 1)
        }
        guard next < bytes.count else { return true }
        let byte = bytes[next]
        return isBareKeyByte(byte) || byte == doubleQuote || byte == singleQuote || byte == closeBracket
    }

    /// The index of the last byte of the string whose opening quote is at `start`: its closing quote(s),
    /// the byte before the newline that ends an unterminated single-line string, or the text's last byte.
    private static func endOfString(_ bytes: [UInt8], at start: Int) -> Int {
        let quote = bytes[start]
        let delimiter = [quote, quote, quote]
        let multiLine = bytes[start...].starts(with: delimiter)
        var index = start + (multiLine ? 3 : 1)
        while index < bytes.count {
            let byte = bytes[index]
            if byte == backslash && quote == doubleQuote {
                index += 2
                continue
            }
            if multiLine, bytes[index...].starts(with: delimiter) { return index + 2 }
            if !multiLine, byte == quote { return index }
            if !multiLine, byte == newline { return index - 1 }
            index += 1
        }
        return bytes.count - 1
    }

    private static func skippingBlanks(_ bytes: [UInt8], from index: Int) -> Int {
        var next = index
        while next < bytes.count, bytes[next] == space || bytes[next] == tab { next += 1 }
        return next
    }

    /// A-Z, a-z, 0-9, `-` and `_` (TOML 1.0 bare keys, as toml++ 3.4.0 reads them).
    private static func isBareKeyByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"):
            true
        default:
            false
        }
    }

    private static func finding(at index: Int, in bytes: [UInt8], _ problem: String) -> TOMLPreflight {
        let lineStart = bytes[..<index].lastIndex(of: newline).map { $0 + 1 } ?? 0
        return TOMLPreflight(line: bytes[..<index].count(where: { $0 == newline }) + 1, column: index - lineStart + 1,
                             problem: problem)
    }

    /// NEL, LINE SEPARATOR and PARAGRAPH SEPARATOR in UTF-8: toml++ counts them as line breaks, which it
    /// refuses where it checks for them and asserts against where it does not (array elements).
    private static let unacceptedLineBreaks: [[UInt8]] = [[0xC2, 0x85], [0xE2, 0x80, 0xA8], [0xE2, 0x80, 0xA9]]
    private static let (space, tab, newline, carriageReturn) = (UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"),
                                                                UInt8(ascii: "\r"))
    private static let (hash, comma, doubleQuote, singleQuote, backslash) = (UInt8(ascii: "#"), UInt8(ascii: ","),
                                                                             UInt8(ascii: "\""), UInt8(ascii: "'"),
                                                                             UInt8(ascii: "\\"))
    private static let (openBracket, closeBracket, openBrace, closeBrace) = (UInt8(ascii: "["), UInt8(ascii: "]"),
                                                                             UInt8(ascii: "{"), UInt8(ascii: "}"))
}
